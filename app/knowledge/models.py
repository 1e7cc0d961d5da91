"""Typed records of the knowledge base."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

ID_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
TOPICS = {"chuyen-doi-so", "cong-dvc", "de-an-06", "vneid", "an-toan", "tro-ly", "can-cuoc", "thu-tuc",
          "chinh-quyen", "du-lieu-ca-nhan"}
# kinds of legal documents: they carry a number and a legal status
LEGAL_KINDS = {"law", "decree", "decision", "resolution", "circular", "notice"}
SOURCE_KINDS = Literal["law", "decree", "decision", "resolution", "circular", "notice", "guidance", "media",
                       "service", "note"]
LegalStatus = Literal["in_force", "amended", "superseded", "expired"]
# how a legal document is named in a citation: "Nghị định 69/2024/NĐ-CP"
LEGAL_NAMES = {"law": "Luật", "decree": "Nghị định", "decision": "Quyết định", "resolution": "Nghị quyết",
               "circular": "Thông tư", "notice": "Thông báo"}


def _check_topics(topics: list[str]) -> list[str]:
    unknown = sorted(set(topics) - TOPICS)
    if unknown:
        raise ValueError(f"unknown topics {unknown}; allowed: {sorted(TOPICS)}")
    return topics


def _not_blank(value: str) -> str:
    if not value or not value.strip():
        raise ValueError("must not be empty")
    return value.strip()


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Record):
    """A legal document, an official page, a state-media report or one of our notes."""

    id: str = Field(pattern=ID_PATTERN)
    title: str
    kind: SOURCE_KINDS
    publisher: str | None = None
    url: str | None = None
    published: dt.date | None = None
    retrieved: dt.date | None = None
    summary: str
    # legal documents only
    number: str | None = None
    issued: dt.date | None = None
    in_force_from: dt.date | None = None
    status: LegalStatus | None = None
    superseded_by: str | None = None
    amended_by: list[str] = []
    path: str = ""
    line: int = 0

    _blank = field_validator("title", "summary")(_not_blank)

    @property
    def is_legal(self) -> bool:
        """True for a law, decree, decision, resolution, circular or notice."""
        return self.kind in LEGAL_KINDS

    @property
    def openable(self) -> bool:
        """True when a resident can open it: a link, or a legal document's number."""
        return bool(self.url) or (self.is_legal and bool(self.number))

    @property
    def date(self) -> dt.date | None:
        """The date shown next to a citation: issued for a legal document, else the page's date."""
        return self.issued or self.published


class Article(_Record):
    """A cleaned news or policy article."""

    id: str = Field(pattern=ID_PATTERN)
    title: str
    publisher: str | None = None
    author: str | None = None
    published: dt.date | None = None
    url: str | None = None
    topics: list[str]
    language: Literal["vi", "en"] = "vi"
    seed: str | None = None
    # ingested documents (`python -m app ingest`): what kind of document, and for a legal one its number,
    # date of issue, status (or the sources entry that carries it); `layout` says how it is cut into passages
    kind: SOURCE_KINDS | None = None
    number: str | None = None
    issued: dt.date | None = None
    status: LegalStatus | None = None
    source: str | None = None
    layout: Literal["prose", "steps", "legal"] = "prose"
    origin: str | None = None
    content_hash: str | None = None
    paragraphs: list[str]
    path: str = ""

    _blank = field_validator("title")(_not_blank)
    _topics = field_validator("topics")(_check_topics)

    @property
    def legal_name(self) -> str | None:
        """'Nghị định 69/2024/NĐ-CP' for a legal document with a number, else None."""
        if self.kind in LEGAL_NAMES and self.number:
            return f"{LEGAL_NAMES[self.kind]} {self.number}"
        return None


class EnglishVersion(_Record):
    """The English question, phrasings and answer of a FAQ entry."""

    question: str
    phrasings: list[str] = []
    answer: str

    _blank = field_validator("question", "answer")(_not_blank)


class FaqEntry(_Record):
    """A curated question with its answer and sources."""

    id: str = Field(pattern=ID_PATTERN)
    question: str
    phrasings: list[str] = Field(min_length=3)
    answer: str
    en: EnglishVersion | None = None
    sources: list[str] = Field(min_length=1)
    topics: list[str]
    as_of: dt.date
    review_by: dt.date | None = None
    # the entry only says where to ask: it covers the topic but has no answer to give
    referral: bool = False
    # an area-only entry (knowledge/areas/<area>.faq.yaml): shown only to that area, in place of the national
    # entries it overrides
    area: str | None = Field(default=None, pattern=ID_PATTERN)
    overrides: list[str] = []
    path: str = ""
    line: int = 0

    _blank = field_validator("question", "answer")(_not_blank)
    _topics = field_validator("topics")(_check_topics)

    @field_validator("phrasings")
    @classmethod
    def _phrasings_not_blank(cls, phrasings: list[str]) -> list[str]:
        return [_not_blank(p) for p in phrasings]

    def all_questions(self) -> list[tuple[str, str]]:
        """Every phrasing with its language: the question, the variants, and the English ones."""
        out = [("vi", self.question)] + [("vi", p) for p in self.phrasings]
        if self.en:
            out += [("en", self.en.question)] + [("en", p) for p in self.en.phrasings]
        return out


OfficeKind = Literal["police", "admin_centre", "digital_team", "one_stop", "hotline"]


class PageSource(_Record):
    """The published page a contact was read from, and when."""

    url: str
    publisher: str
    retrieved: dt.date
    title: str | None = None
    # the legal document the page reports, when it names one ("Nghị quyết 202/2025/QH15")
    document: str | None = None

    _blank = field_validator("url", "publisher")(_not_blank)


class Office(_Record):
    """A place residents can go or call: commune police, service centre, digital-technology team, hotline."""

    kind: OfficeKind
    name: str
    address: str | None = None
    hours: str | None = None
    phone: str | None = None
    web: str | None = None
    map: str | None = None
    source: PageSource

    _blank = field_validator("name")(_not_blank)


class Province(_Record):
    """One of the province-level units (after Resolution 202/2025/QH15)."""

    id: str = Field(pattern=ID_PATTERN)
    name: str
    merged_from: list[str] = []
    centre: str | None = None

    _blank = field_validator("name")(_not_blank)


class Area(_Record):
    """A province or commune with its own offices (knowledge/areas/<id>.yaml)."""

    id: str = Field(pattern=ID_PATTERN)
    name: str
    level: Literal["province", "commune"]
    # the province the area belongs to (a province names itself)
    province: str = Field(pattern=ID_PATTERN)
    as_of: dt.date
    review_by: dt.date | None = None
    offices: list[Office] = []
    path: str = ""

    _blank = field_validator("name")(_not_blank)


class Knowledge(BaseModel):
    """The whole loaded knowledge base."""

    model_config = ConfigDict(frozen=True)

    articles: dict[str, Article]
    faqs: dict[str, FaqEntry]
    sources: dict[str, Source]
    synonyms: dict[str, list[str]]
    content_hash: str
    areas: dict[str, Area] = {}
    provinces: dict[str, Province] = {}
    provinces_source: PageSource | None = None

    def area(self, ident: str | None) -> Area | None:
        """The area a widget or API call names: a described area, or a listed province without offices."""
        if not ident:
            return None
        if ident in self.areas:
            return self.areas[ident]
        province = self.provinces.get(ident)
        if province is None:
            return None
        return Area(id=province.id, name=province.name, level="province", province=province.id,
                    as_of=self.provinces_source.retrieved if self.provinces_source else dt.date.min)
