"""Each format becomes an article: boilerplate gone, steps in order, tables as rows, stated facts exact."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from app.index.chunking import chunk_article
from app.ingest.document import IngestError
from app.ingest.pipeline import IngestOptions, ingest_file
from app.knowledge.loader import load_knowledge
from tests.conftest import write_small_kb
from tests.ingest.documents import (
    GUIDE_STEPS,
    write_guide_docx,
    write_news_html,
    write_scanned_pdf,
)


@pytest.fixture()
def kb(tmp_path: Path) -> Path:
    return write_small_kb(tmp_path)


def _article_text(kb: Path, article_id: str) -> str:
    return (kb / "articles" / f"{article_id}.md").read_text(encoding="utf-8")


def test_html_page_keeps_the_article_and_drops_menus_related_news_and_footer(kb: Path, tmp_path: Path):
    page = write_news_html(tmp_path / "thi-diem-cong-mau.html")
    report = ingest_file(page, kb, IngestOptions(url="https://baomau.example.vn/thi-diem", topics=("cong-dvc",)))
    article = load_knowledge(kb).articles["thi-diem-cong-mau"]
    body = " ".join(article.paragraphs)
    for boilerplate in ("Trang chủ", "Liên hệ quảng cáo", "Tin liên quan", "nhà văn hóa", "Giá lúa",
                        "Bản quyền", "Giấy phép"):
        assert boilerplate not in body
    assert "hơn 300 hồ sơ" in body
    # what the page states, exactly; the url came from the options
    assert article.title == "Thí điểm cổng mẫu tại xã Thử Nghiệm"
    assert article.published == dt.date(2025, 5, 20)
    assert article.publisher == "Báo Mẫu điện tử"
    assert article.url == "https://baomau.example.vn/thi-diem"
    assert report.outcome == "added" and report.missing == []
    # the table is kept as rows, each cell named by its column
    assert "Thủ tục: Đăng ký khai sinh mẫu; Thời hạn: 1 ngày." in article.paragraphs
    assert "Thủ tục: Xác nhận cư trú mẫu; Thời hạn: 2 ngày." in article.paragraphs


def test_a_procedure_stays_one_passage_with_its_steps_in_order(kb: Path, tmp_path: Path):
    ingest_file(write_news_html(tmp_path / "cong-mau.html"), kb, IngestOptions())
    passages = chunk_article(load_knowledge(kb).articles["cong-mau"])
    steps = ["Đăng nhập cổng mẫu", "Chọn thủ tục", "Điền tờ khai", "Nộp hồ sơ và theo dõi"]
    holding = [p for p in passages if any(s in p.text for s in steps)]
    assert len(holding) == 1
    # one sentence, the steps in their order, so an extractive answer quotes the whole procedure
    procedure = [s for s in holding[0].sentences if steps[0] in s]
    assert len(procedure) == 1
    positions = [procedure[0].index(s) for s in steps]
    assert positions == sorted(positions)
    assert "1. Đăng nhập" in procedure[0] and "4. Nộp hồ sơ" in procedure[0]


def test_a_page_without_a_date_keeps_it_empty_and_says_so(kb: Path, tmp_path: Path):
    page = write_news_html(tmp_path / "khong-ngay.html", date=None)
    report = ingest_file(page, kb, IngestOptions())
    assert report.missing == ["published"]
    assert "published: null" in _article_text(kb, "khong-ngay")
    assert load_knowledge(kb).articles["khong-ngay"].published is None


def test_an_option_fills_only_what_the_file_does_not_state(kb: Path, tmp_path: Path):
    undated = ingest_file(write_news_html(tmp_path / "a.html", date=None), kb,
                          IngestOptions(published=dt.date(2025, 6, 1)))
    assert undated.article.published == dt.date(2025, 6, 1) and undated.missing == []
    dated = ingest_file(write_news_html(tmp_path / "b.html"), kb, IngestOptions(published=dt.date(2025, 6, 1)))
    assert dated.article.published == dt.date(2025, 5, 20)
    assert any("2025-05-20" in note for note in dated.notes)


def test_docx_guide_keeps_headings_numbered_steps_and_table_without_page_furniture(kb: Path, tmp_path: Path):
    report = ingest_file(write_guide_docx(tmp_path / "huong-dan-mau.docx"), kb, IngestOptions(topics=("vneid",)))
    article = load_knowledge(kb).articles["huong-dan-mau"]
    assert article.title == "Hướng dẫn đăng ký tài khoản mẫu"
    assert article.published == dt.date(2025, 3, 15)  # written out at the top of the document
    assert report.missing == []
    body = " ".join(article.paragraphs)
    assert "Tài liệu nội bộ" not in body and "Trang 1" not in body
    procedure = " ".join(f"{i}. {step}" for i, step in enumerate(GUIDE_STEPS, start=1))
    assert procedure in article.paragraphs
    # the heading goes with the procedure, in the same sentence
    assert any(p.sentences == (f"Các bước thực hiện: {procedure}",) for p in chunk_article(article))
    assert "Mức tài khoản: Mức 1; Lệ phí: Miễn phí." in article.paragraphs


def test_markdown_and_plain_text_guides(kb: Path, tmp_path: Path):
    md = tmp_path / "cai-dat.md"
    md.write_text("# Cài đặt ứng dụng mẫu\n\nLàm theo các bước sau:\n\nBước 1: Mở kho ứng dụng.\n"
                  "Bước 2: Tìm ứng dụng mẫu.\nBước 3: Bấm cài đặt.\n", encoding="utf-8")
    txt = tmp_path / "ghi-chu.txt"
    txt.write_text("Ghi chú mẫu về giờ làm việc\n\nBộ phận một cửa mẫu làm việc từ thứ hai đến thứ sáu.\n",
                   encoding="utf-8")
    assert ingest_file(md, kb, IngestOptions()).article.title == "Cài đặt ứng dụng mẫu"
    ingest_file(txt, kb, IngestOptions(published=dt.date(2025, 1, 2)))
    articles = load_knowledge(kb).articles
    steps = "Làm theo các bước sau: Bước 1: Mở kho ứng dụng. Bước 2: Tìm ứng dụng mẫu. Bước 3: Bấm cài đặt."
    assert [p.sentences for p in chunk_article(articles["cai-dat"])] == [(steps,)]
    assert articles["ghi-chu"].published == dt.date(2025, 1, 2)


def test_scanned_pdf_is_refused_with_a_clear_message(kb: Path, tmp_path: Path):
    scan = write_scanned_pdf(tmp_path / "ban-quet.pdf", tmp_path)
    with pytest.raises(IngestError, match="no text layer"):
        ingest_file(scan, kb, IngestOptions())
    assert not (kb / "articles" / "ban-quet.md").exists()


def test_unsupported_file_is_refused(kb: Path, tmp_path: Path):
    odd = tmp_path / "bang.xlsx"
    odd.write_bytes(b"PK\x03\x04")
    with pytest.raises(IngestError, match="unsupported file type"):
        ingest_file(odd, kb, IngestOptions())


def test_the_lead_in_of_a_procedure_goes_with_its_steps(kb: Path, tmp_path: Path):
    ingest_file(write_news_html(tmp_path / "cong-mau.html"), kb, IngestOptions())
    passages = chunk_article(load_knowledge(kb).articles["cong-mau"])
    holding = next(p for p in passages if any("1. Đăng nhập cổng mẫu" in s for s in p.sentences))
    assert holding.sentences == ("Để nộp hồ sơ trên cổng mẫu, người dân làm theo các bước sau: 1. Đăng nhập "
                                 "cổng mẫu bằng tài khoản định danh. 2. Chọn thủ tục cần thực hiện. 3. Điền tờ "
                                 "khai và đính kèm giấy tờ. 4. Nộp hồ sơ và theo dõi kết quả.",)


def test_a_missing_extractor_says_what_to_install(kb: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    import sys

    monkeypatch.setitem(sys.modules, "pypdf", None)  # as if the `ingest` extra were not installed
    with pytest.raises(IngestError, match=r"not installed \(pypdf\).*\.\[ingest\]"):
        ingest_file(write_scanned_pdf(tmp_path / "a.pdf", tmp_path), kb, IngestOptions())
