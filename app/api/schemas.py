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
    published: str | None = Field(description="YYYY-MM-DD or null")


class ChatResponse(BaseModel):
    """The assistant's reply."""

    answer: str
    status: Literal["answered", "no_answer"]
    answer_type: Literal["faq", "extractive", "none"]
    confidence: float
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
