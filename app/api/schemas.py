"""Request and response bodies of the HTTP API."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class ChatRequest(BaseModel):
    """A resident's question, optionally within a session for follow-ups."""

    question: str = Field(description="The question, 1-1000 characters.")
    session_id: str | None = Field(None, max_length=64, description="Session for follow-up questions.")


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
    session_id: str
    message_id: str
    kb_version: str


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


class SearchResponse(BaseModel):
    """Ranked hits for a help-desk search."""

    query: str
    hits: list[SearchHitOut]
    kb_version: str


class FeedbackRequest(BaseModel):
    """Thumbs up or down on one answer."""

    message_id: str = Field(min_length=1, max_length=64)
    helpful: bool


class ErrorResponse(BaseModel):
    """An error with a message for people (Vietnamese first, then English)."""

    detail: str
