"""Editorial rules over a loaded knowledge base (`python -m app check-kb`): sources a resident can open,
legal status, review dates, well-formed links, and the same need written twice."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from itertools import combinations
from urllib.parse import urlsplit

from app.knowledge.loader import KnowledgeProblem
from app.knowledge.models import LEGAL_KINDS, FaqEntry, Knowledge
from app.text.normalize import fold_diacritics, tokenize

# two entries whose main questions share this much of their words probably answer the same need
NEAR_DUPLICATE_JACCARD = 0.8
# how an answer says the assistant has no information: such an entry should be marked `referral: true`
UNKNOWN_MARKERS = ("tro ly khong co", "tro ly chua co", "khong co trong nguon", "nguon cua tro ly khong",
                   "not in the assistant", "the assistant has no")
_HOST = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$")


@dataclass(frozen=True)
class CheckReport:
    """Problems fail the check; warnings are printed for editors to look at."""

    problems: list[KnowledgeProblem]
    warnings: list[KnowledgeProblem]


def url_is_well_formed(url: str) -> bool:
    """An absolute http(s) link to a real-looking host, without spaces."""
    if any(c.isspace() for c in url):
        return False
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(_HOST.match(parts.hostname or ""))


def _words(text: str) -> frozenset[str]:
    return frozenset(fold_diacritics(t) for t in tokenize(text))


def check_knowledge(kb: Knowledge, today: dt.date | None = None) -> CheckReport:
    """Apply the editorial rules; `today` decides what is in the future."""
    today = today or dt.date.today()
    problems: list[KnowledgeProblem] = []
    warnings: list[KnowledgeProblem] = []
    for src in kb.sources.values():
        def bad(message: str, src_path: str = src.path, src_line: int = src.line, ident: str = src.id) -> None:
            problems.append(KnowledgeProblem(src_path, src_line, f"source '{ident}': {message}"))

        if src.url is not None:
            if not url_is_well_formed(src.url):
                bad(f"malformed url '{src.url}'")
            if src.retrieved is None:
                bad("a url needs the date it was read (retrieved)")
        for name, value in (("retrieved", src.retrieved), ("published", src.published), ("issued", src.issued)):
            if value is not None and value > today:
                bad(f"{name} {value} is in the future")
        if src.is_legal:
            if not src.number:
                bad("a legal document needs its number")
            if src.status is None:
                bad("a legal document needs its status (in_force, amended, superseded, expired)")
            if src.status == "superseded" and not src.superseded_by:
                bad("a superseded document names what superseded it (superseded_by)")
    for article in kb.articles.values():
        if article.kind in LEGAL_KINDS:
            source = kb.sources.get(article.source or "")
            if not article.number and not (source and source.number):
                problems.append(KnowledgeProblem(article.path, 1, f"article '{article.id}': a legal document "
                                                 "needs its number"))
            if article.status is None and not (source and source.status):
                problems.append(KnowledgeProblem(article.path, 1, f"article '{article.id}': a legal document needs "
                                                 "its status (status, or a source that has one)"))
    for entry in kb.faqs.values():
        def fail(message: str, e: FaqEntry = entry) -> None:
            problems.append(KnowledgeProblem(e.path, e.line, f"FAQ '{e.id}': {message}"))

        if entry.review_by is None:
            fail("needs a review_by date")
        elif entry.review_by < entry.as_of:
            fail("review_by is before as_of")
        if entry.as_of > today:
            fail(f"as_of {entry.as_of} is in the future")
        opening = fold_diacritics(re.split(r"[.;!?\n]", entry.answer.strip().lower(), maxsplit=1)[0])
        if not entry.referral and any(m in opening for m in UNKNOWN_MARKERS):
            warnings.append(KnowledgeProblem(entry.path, entry.line, f"FAQ '{entry.id}' opens by saying the "
                                             "assistant has no information: mark it `referral: true`"))
        cited = [kb.sources[r] for r in entry.sources if r in kb.sources]
        articles = [kb.articles[r] for r in entry.sources if r in kb.articles]
        if not any(s.openable for s in cited) and not any(a.url for a in articles):
            fail("cites nothing a resident can open (a link or a legal document number); our notes do not count")
        for src in cited:
            if src.status in ("superseded", "expired") and src.superseded_by not in entry.sources:
                fail(f"cites '{src.id}', {src.status}, without the document in force"
                     + (f" ('{src.superseded_by}')" if src.superseded_by else ""))
    problems += _check_areas(kb, today)
    entries = [e for e in kb.faqs.values() if e.area is None]
    words = {e.id: _words(e.question) for e in entries}
    for a, b in combinations(entries, 2):
        wa, wb = words[a.id], words[b.id]
        # "trẻ dưới 6 tuổi" and "trẻ từ 6 đến 14 tuổi" are two needs: numbers tell them apart
        if {w for w in wa if w.isdigit()} != {w for w in wb if w.isdigit()}:
            continue
        if wa and wb and len(wa & wb) / len(wa | wb) >= NEAR_DUPLICATE_JACCARD:
            warnings.append(KnowledgeProblem(b.path, b.line, f"FAQ '{b.id}' may ask the same as '{a.id}' "
                                             f"({a.path}:{a.line}): '{b.question}' / '{a.question}'"))
    return CheckReport(problems, warnings)


def phone_is_plausible(phone: str) -> bool:
    """A Vietnamese number as published: 10-11 digits from 0 or +84, or a 1800/1900 line of 8 or 10 digits."""
    if re.search(r"[^\d +().-]", phone):
        return False
    digits = re.sub(r"\D", "", phone)
    if digits.startswith(("1800", "1900")):
        return len(digits) in (8, 10)
    if phone.strip().startswith("+84") or digits.startswith("84") and not digits.startswith("0"):
        return len(digits) in (11, 12)
    return digits.startswith("0") and len(digits) in (10, 11)


def _check_areas(kb: Knowledge, today: dt.date) -> list[KnowledgeProblem]:
    """Every office traces to a page read on a date; links and phone numbers are well formed."""
    problems: list[KnowledgeProblem] = []
    for area in kb.areas.values():
        def bad(message: str, a: str = area.id, path: str = area.path) -> None:
            problems.append(KnowledgeProblem(path, 1, f"area '{a}': {message}"))

        if area.as_of > today:
            bad(f"as_of {area.as_of} is in the future")
        if area.review_by is not None and area.review_by < area.as_of:
            bad("review_by is before as_of")
        for i, office in enumerate(area.offices):
            where = f"offices[{i}] '{office.name}'"
            if not (office.phone or office.address or office.web):
                bad(f"{where} gives no phone, address or web page")
            if office.phone and not phone_is_plausible(office.phone):
                bad(f"{where}: '{office.phone}' does not look like a Vietnamese phone number")
            for name, url in (("web", office.web), ("map", office.map), ("source url", office.source.url)):
                if url is not None and not url_is_well_formed(url):
                    bad(f"{where}: malformed {name} '{url}'")
            if office.source.retrieved > today:
                bad(f"{where}: source retrieved {office.source.retrieved} is in the future")
    if kb.provinces_source is not None and not url_is_well_formed(kb.provinces_source.url):
        problems.append(KnowledgeProblem("areas/provinces.yaml", 1, "malformed source url"))
    return problems


def entries_due(kb: Knowledge, today: dt.date | None = None) -> list[FaqEntry]:
    """Entries whose review_by date has passed (or that have none), oldest first."""
    today = today or dt.date.today()
    due = [e for e in kb.faqs.values() if e.review_by is None or e.review_by <= today]
    return sorted(due, key=lambda e: (e.review_by or dt.date.min, e.id))
