"""Re-ingesting: an unchanged file changes nothing, a changed one replaces its passages, and the index
re-embeds only the passages that changed."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.__main__ import main
from app.index.chunking import chunk_article
from app.index.embedder import HashEmbedder
from app.index.store import build_index
from app.ingest.document import IngestError
from app.ingest.pipeline import IngestOptions, ingest_file
from app.knowledge.loader import load_knowledge
from tests.conftest import write_small_kb
from tests.ingest.documents import decree_lines, write_decree_pdf, write_news_html

OPTIONS = IngestOptions(status="in_force", topics=("vneid",))


class CountingEmbedder(HashEmbedder):
    """Counts the texts it is asked to embed (the vectors' meaning does not matter here)."""

    def __init__(self) -> None:
        super().__init__()
        self.embedded: list[str] = []

    def embed_passages(self, texts):  # type: ignore[no-untyped-def]
        self.embedded += texts
        return super().embed_passages(texts)


@pytest.fixture()
def kb(tmp_path: Path) -> Path:
    return write_small_kb(tmp_path)


def test_unchanged_file_changes_nothing(kb: Path, tmp_path: Path):
    pdf = write_decree_pdf(tmp_path / "nghi-dinh-mau.pdf")
    assert ingest_file(pdf, kb, OPTIONS).outcome == "added"
    target = kb / "articles" / "nghi-dinh-mau.md"
    before, mtime = target.read_bytes(), target.stat().st_mtime_ns
    again = ingest_file(pdf, kb, OPTIONS)
    assert again.outcome == "unchanged"
    assert target.read_bytes() == before and target.stat().st_mtime_ns == mtime


def test_changed_file_replaces_its_passages_and_the_index_reuses_the_others(kb: Path, tmp_path: Path):
    pdf = tmp_path / "nghi-dinh-mau.pdf"
    write_decree_pdf(pdf)
    ingest_file(pdf, kb, OPTIONS)
    first = CountingEmbedder()
    build_index(load_knowledge(kb), first, tmp_path / "index")
    old = {p.path: p.text for p in chunk_article(load_knowledge(kb).articles["nghi-dinh-mau"])}

    lines = [ln.replace("03 ngày làm việc", "05 ngày làm việc") for ln in decree_lines()]
    write_decree_pdf(pdf, lines)
    assert ingest_file(pdf, kb, OPTIONS).outcome == "replaced"
    article = load_knowledge(kb).articles["nghi-dinh-mau"]
    assert len(list((kb / "articles").glob("*.md"))) == 2  # replaced in place, not added beside
    new = {p.path: p.text for p in chunk_article(article)}
    changed = [path for path in new if new[path] != old[path]]
    assert set(new) == set(old) and [path[-2:] for path in changed] == [("Điều 12", "khoản 3")]
    assert "05 ngày làm việc" in new[changed[0]] and "03 ngày" not in " ".join(article.paragraphs)

    second = CountingEmbedder()
    build_index(load_knowledge(kb), second, tmp_path / "index")
    # only the changed khoản is embedded again: once as a passage (with the title), once as its sentence
    assert len(second.embedded) == 2 and all("05 ngày làm việc" in t for t in second.embedded)
    assert len(first.embedded) > 20


def test_a_file_never_overwrites_an_article_it_did_not_make(kb: Path, tmp_path: Path):
    page = write_news_html(tmp_path / "bai.html")  # the small base already has articles/bai.md, written by hand
    with pytest.raises(IngestError, match="pass another --id"):
        ingest_file(page, kb, IngestOptions())
    assert ingest_file(page, kb, IngestOptions(article_id="bai-cong-mau")).outcome == "added"


def test_cli_ingests_into_the_settings_knowledge_dir_and_reports_what_is_missing(
        kb: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    monkeypatch.setenv("KNOWLEDGE_DIR", str(kb))
    page = write_news_html(tmp_path / "khong-ngay.html", date=None)
    scan = tmp_path / "rong.pdf"
    scan.write_bytes(b"%PDF-1.4 not really")
    code = main(["ingest", str(page), str(scan), "--url", "https://baomau.example.vn/a", "--topic", "cong-dvc"])
    out, err = capsys.readouterr()
    assert code == 1  # one of the two files failed
    assert f"added: {kb / 'articles' / 'khong-ngay.md'}" in out
    assert "missing: published" in err and "not ingested" in err and "rong.pdf" in err
    assert load_knowledge(kb).articles["khong-ngay"].url == "https://baomau.example.vn/a"
    assert main(["ingest", str(page), "--url", "https://baomau.example.vn/a", "--topic", "cong-dvc"]) == 0
    assert capsys.readouterr().out.startswith("unchanged: ")
