"""Typed records going into and coming out of the store."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

AnswerType = Literal["faq", "extractive", "none"]
AnswerStatus = Literal["answered", "partial", "no_answer"]


def utc_now() -> dt.datetime:
    """The current time, timezone-aware in UTC."""
    return dt.datetime.now(dt.UTC)


def retention_cutoff(days: int, now: dt.datetime) -> dt.datetime:
    """The moment `days` days before `now`: what a purge keeping `days` days removes is older than it."""
    if days < 0:
        raise ValueError("days must be zero or more")
    return now - dt.timedelta(days=days)


@dataclass(frozen=True)
class ConversationRecord:
    """One answered (or unanswerable) question; `question` is already redacted by the caller."""

    message_id: str
    session_id: str
    question: str
    answer_type: AnswerType
    status: AnswerStatus
    cited_ids: tuple[str, ...] = ()
    matched_id: str | None = None
    confidence: float = 0.0
    latency_ms: float = 0.0
    kb_version: str = ""
    language: str = "vi"
    had_personal_data: bool = False
    created_at: dt.datetime = field(default_factory=utc_now)
    # kept with an unanswered question only: its search vector (float32 bytes) and the embedder's name
    vector: bytes | None = field(default=None, repr=False)
    vector_model: str | None = None


@dataclass(frozen=True)
class FeedbackRow:
    """A helpful/unhelpful vote with the question and answer type it was about.

    `question` and `answer_type` are None when the conversation was purged before its feedback.
    """

    id: int
    message_id: str
    session_id: str
    helpful: bool
    created_at: dt.datetime
    question: str | None
    answer_type: str | None


@dataclass(frozen=True)
class UnansweredRow:
    """A question the assistant could not answer, or answered only in part, for knowledge-base editors."""

    id: int
    message_id: str
    session_id: str
    question: str
    created_at: dt.datetime
    kb_version: str
    status: str = "no_answer"
    related_id: str | None = None
