"""check-kb's editorial rules: sources a resident can open, legal status, review dates, links, duplicates."""

import datetime as dt

from app.knowledge.checks import check_knowledge, entries_due, url_is_well_formed
from app.knowledge.models import FaqEntry, Knowledge, Source

TODAY = dt.date(2026, 11, 30)


def source(ident: str, **kw: object) -> Source:
    fields: dict[str, object] = {"title": ident, "kind": "note", "summary": "s"}
    fields.update(kw)
    return Source(id=ident, **fields)  # type: ignore[arg-type]


def faq(ident: str, sources: list[str], question: str = "", **kw: object) -> FaqEntry:
    fields: dict[str, object] = {"review_by": dt.date(2027, 5, 31)}
    fields.update(kw)
    return FaqEntry(id=ident, question=question or f"Câu hỏi {ident} về thủ tục?", phrasings=["a", "b", "c"],
                    answer="Trả lời.", sources=sources, topics=["vneid"], as_of=TODAY, **fields)  # type: ignore[arg-type]


SOURCES = {
    "note": source("note"),
    "page": source("page", kind="guidance", url="https://congan.example.gov.vn/hoi-dap", retrieved=TODAY),
    "old": source("old", kind="decree", number="59/2022/NĐ-CP", status="superseded", superseded_by="new"),
    "new": source("new", kind="decree", number="69/2024/NĐ-CP", status="in_force"),
}


def kb(faqs: list[FaqEntry], sources: dict[str, Source] | None = None) -> Knowledge:
    return Knowledge(articles={}, faqs={f.id: f for f in faqs}, sources=sources or SOURCES, synonyms={},
                     content_hash="x")


def messages(knowledge: Knowledge) -> list[str]:
    return [p.message for p in check_knowledge(knowledge, TODAY).problems]


def test_an_entry_citing_only_our_notes_fails_and_an_openable_source_passes():
    assert any("nothing a resident can open" in m for m in messages(kb([faq("a", ["note"])])))
    assert messages(kb([faq("a", ["note", "page"])])) == []
    assert messages(kb([faq("a", ["new"])])) == []


def test_a_superseded_document_cited_as_current_fails():
    assert any("superseded" in m for m in messages(kb([faq("a", ["old"])])))
    assert messages(kb([faq("a", ["old", "new"])])) == []


def test_links_must_be_well_formed_and_dated():
    assert url_is_well_formed("https://dichvucong.gov.vn/p/home/dvc-trang-chu.html")
    assert not url_is_well_formed("dichvucong.gov.vn")
    assert not url_is_well_formed("https://bad host/x")
    bad = {**SOURCES, "page": source("page", kind="guidance", url="https://congan.example.gov.vn/x")}
    assert any("retrieved" in m for m in messages(kb([faq("a", ["page"])], bad)))
    future = {**SOURCES, "page": source("page", kind="guidance", url="https://a.gov.vn/x",
                                        retrieved=dt.date(2027, 1, 1))}
    assert any("future" in m for m in messages(kb([faq("a", ["page"])], future)))


def test_legal_documents_need_number_and_status():
    broken = {**SOURCES, "law": source("law", kind="law")}
    found = messages(kb([faq("a", ["page"])], broken))
    assert any("number" in m for m in found) and any("status" in m for m in found)


def test_review_dates_are_required_and_listed_when_due():
    assert any("review_by" in m for m in messages(kb([faq("a", ["page"], review_by=None)])))
    due = entries_due(kb([faq("a", ["page"], review_by=dt.date(2026, 1, 1)), faq("b", ["page"])]), TODAY)
    assert [e.id for e in due] == ["a"]


def test_the_same_need_written_twice_is_reported():
    report = check_knowledge(kb([faq("a", ["page"], question="Quên mật khẩu VNeID phải làm sao?"),
                                 faq("b", ["page"], question="Quên mật khẩu VNeID thì phải làm sao?")]), TODAY)
    assert report.problems == [] and len(report.warnings) == 1
