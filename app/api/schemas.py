"""Request and response bodies of the HTTP API."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field


class ChatRequest(BaseModel):
    """A resident's question, optionally within a session for follow-ups."""

    question: str = Field(description="The question, 1-1000 characters.")
    session_id: str | None = Field(
        None, description="The session token a previous reply returned, sent back unchanged for follow-up "
                          "questions; opaque to the client. Null, or any token this service did not issue "
                          "(unknown, malformed, signed with another key), starts a new session: never an error.")
    area: str | None = Field(
        None, max_length=100,
        description="The resident's area (a province or commune id from GET /api/areas; the widget's data-area): "
                    "its own entries are seen, and a reply without an answer names its offices. An unknown id "
                    "is answered as the national knowledge base: never an error.")


class CitationOut(BaseModel):
    """A numbered source of an answer."""

    n: int
    id: str
    kind: Literal["faq", "article", "source"]
    title: str
    snippet: str
    url: str | None
    publisher: str | None
    published: str | None = Field(description="YYYY-MM-DD or null: a legal document's issue date, a page's date")
    source_kind: str | None = Field(None, description="law, decree, decision, resolution, circular, notice, "
                                    "guidance (official page), media (state media), service, note")
    status: Literal["in_force", "amended", "superseded", "expired"] | None = Field(
        None, description="legal status of a legal document; null for other sources")
    superseded_by: str | None = Field(None, description="id of the document that replaced this one")
    superseded_by_title: str | None = None
    retrieved: str | None = Field(None, description="YYYY-MM-DD the page was last read by the editors")


class AreaOut(BaseModel):
    """A province or commune the knowledge base knows."""

    id: str
    name: str
    level: Literal["province", "commune"]
    province: str
    offices: int = Field(0, description="how many offices the area lists (0: only its name is known)")


class OfficeOut(BaseModel):
    """A place a resident can go or call, as published on the page it was read from."""

    kind: Literal["police", "admin_centre", "digital_team", "one_stop", "hotline"]
    name: str
    address: str | None = None
    hours: str | None = None
    phone: str | None = None
    web: str | None = None
    map: str | None = None
    source_url: str
    source_publisher: str
    retrieved: dt.date


class AreasResponse(BaseModel):
    """The areas a widget's data-area or the API's `area` can name."""

    areas: list[AreaOut]
    provinces_source: str | None = Field(None, description="the page the province list was read from")


class ChatResponse(BaseModel):
    """The assistant's reply."""

    answer: str
    status: Literal["answered", "partial", "no_answer"] = Field(
        description="answered; partial: the topic is covered but not the detail asked, the nearest entry is "
                    "the first suggestion; no_answer: with where to ask and related questions")
    answer_type: Literal["faq", "extractive", "none"]
    confidence: float = Field(description="estimated probability that the answer is right (0-1)")
    related_id: str | None = Field(None, description="with partial: the id of the nearest entry")
    citations: list[CitationOut]
    suggestions: list[str]
    session_id: str = Field(description="The session token (`<id>.<signature>`, signed by the service): keep it "
                                        "as it is and send it with the next question; it may differ from the one "
                                        "sent when that one was not valid. It is also what erasing the "
                                        "conversation's records requires.")
    message_id: str
    kb_version: str
    area: AreaOut | None = Field(None, description="the area answered for, when the request named a known one")
    referrals: list[OfficeOut] = Field([], description="with partial or no_answer: the area's offices the answer "
                                                       "names")


class SearchRequest(BaseModel):
    """A help-desk search, in the body so the resident's words stay out of URLs and proxy logs."""

    query: str = Field(description="The search text, 1-1000 characters.")
    k: int = Field(5, ge=1, le=50, description="How many hits to return.")
    area: str | None = Field(None, max_length=100, description="Search the entries this area sees (GET /api/areas).")


class SearchHitOut(BaseModel):
    """A ranked passage or FAQ entry for the help desk."""

    rank: int
    id: str
    kind: Literal["faq", "article"]
    title: str
    text: str
    answer: str | None = None
    score: float
    dense: float
    lexical: float
    sources: list[CitationOut]
    relevant: bool = Field(description="relevant to the search: the assistant would answer with this hit or "
                                       "point to it, or retrieval places it as close as an answer needs and the "
                                       "search is on the knowledge base's topics")


class SearchResponse(BaseModel):
    """Ranked hits for a help-desk search."""

    query: str
    hits: list[SearchHitOut] = Field(description="best first, relevant or not (`rank` is the retrieval rank)")
    relevant: int = Field(description="how many hits are relevant; 0: no relevant result, the hits are only "
                                      "the nearest entries")
    kb_version: str


class FeedbackRequest(BaseModel):
    """Thumbs up or down on one answer."""

    message_id: str = Field(min_length=1, max_length=64)
    helpful: bool


class EraseRequest(BaseModel):
    """A resident's request to erase their conversation: the session token the service issued to them."""

    session_id: str = Field(min_length=1, max_length=200, description="the signed session token from /api/chat")


class EraseResponse(BaseModel):
    """How many stored records of the session were deleted."""

    deleted: int


class ErrorResponse(BaseModel):
    """An error with a message for people (Vietnamese first, then English)."""

    detail: str
