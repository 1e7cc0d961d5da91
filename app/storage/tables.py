"""ORM tables; the schema itself is created by the Alembic migrations in `migrations/versions`.

Free-form values use unbounded strings so an unexpectedly long value never turns into a lost write.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Float, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

MESSAGE_ID_LEN = 32
SESSION_ID_LEN = 64


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timestamp stored in UTC and always read back timezone-aware.

    SQLite keeps no offset, so values are normalised to UTC before writing; string comparison of the
    stored values then orders them correctly.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        """Convert to UTC; a naive value is taken to be UTC already."""
        if value is None:
            return None
        if value.tzinfo is None:
            # PostgreSQL would read a naive value in the session's time zone, not UTC
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        """Attach (SQLite) or convert to (PostgreSQL) UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    """Declarative base of the storage tables."""


class Conversation(Base):
    """One question and how it was answered."""

    __tablename__ = "conversations"

    id: Mapped[str] = mapped_column(String(MESSAGE_ID_LEN), primary_key=True)
    session_id: Mapped[str] = mapped_column(String(SESSION_ID_LEN), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    question: Mapped[str] = mapped_column(Text)
    answer_type: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    cited_ids: Mapped[list[str]] = mapped_column(JSON)
    matched_id: Mapped[str | None] = mapped_column(String())
    confidence: Mapped[float] = mapped_column(Float)
    latency_ms: Mapped[float] = mapped_column(Float)
    kb_version: Mapped[str] = mapped_column(String())
    language: Mapped[str] = mapped_column(String())
    had_personal_data: Mapped[bool] = mapped_column(Boolean)


class Feedback(Base):
    """A helpful/unhelpful vote on one answer; no foreign key so purging stays table by table."""

    __tablename__ = "feedback"
    __table_args__ = (UniqueConstraint("message_id", name="uq_feedback_message_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    message_id: Mapped[str] = mapped_column(String(MESSAGE_ID_LEN), index=True)
    session_id: Mapped[str] = mapped_column(String(SESSION_ID_LEN), index=True)
    helpful: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)


class Unanswered(Base):
    """A question that got no answer or a partial one, kept apart so editors can page through it cheaply."""

    __tablename__ = "unanswered"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    message_id: Mapped[str] = mapped_column(String(MESSAGE_ID_LEN), index=True)
    session_id: Mapped[str] = mapped_column(String(SESSION_ID_LEN), index=True)
    question: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    kb_version: Mapped[str] = mapped_column(String())
    status: Mapped[str] = mapped_column(String(16), default="no_answer", server_default="no_answer")
    related_id: Mapped[str | None] = mapped_column(String(), nullable=True)
    # the question's search vector (float32) and the embedder that made it, for grouping without re-embedding
    vector: Mapped[bytes | None] = mapped_column(LargeBinary(), nullable=True)
    vector_model: Mapped[str | None] = mapped_column(String(), nullable=True)


class EditorialDraft(Base):
    """An editor's proposed change to one FAQ entry (add, edit or retire), pending until a publisher acts."""

    __tablename__ = "editorial_drafts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    action: Mapped[str] = mapped_column(String(16))
    entry_id: Mapped[str] = mapped_column(String(), index=True)
    # the entry as the knowledge model dumps it (None for a retirement)
    entry: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    # the residents' questions it answers, as stored (already redacted)
    questions: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), index=True)
    author: Mapped[str] = mapped_column(String())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    published_by: Mapped[str | None] = mapped_column(String(), nullable=True)
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class EditorialAudit(Base):
    """Who changed what in the knowledge base, with which role, when, and the index version it led to."""

    __tablename__ = "editorial_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    who: Mapped[str] = mapped_column(String())
    role: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(16))
    entry_id: Mapped[str] = mapped_column(String(), index=True)
    draft_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    index_version: Mapped[str | None] = mapped_column(String(), nullable=True)


class HandoffTicket(Base):
    """A resident's question sent to the local team (stored redacted), with the team's reply."""

    __tablename__ = "handoff_tickets"
    __table_args__ = (UniqueConstraint("code", name="uq_handoff_tickets_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(16))
    # only a hash: a copy of the database cannot be used to read replies through the widget
    secret_hash: Mapped[str] = mapped_column(String(64))
    session_id: Mapped[str | None] = mapped_column(String(SESSION_ID_LEN), index=True, nullable=True)
    question: Mapped[str] = mapped_column(Text)
    area: Mapped[str | None] = mapped_column(String(), nullable=True)
    language: Mapped[str] = mapped_column(String(8))
    had_personal_data: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(16), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    reply: Mapped[str | None] = mapped_column(Text, nullable=True)
    answered_by: Mapped[str | None] = mapped_column(String(), nullable=True)
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    draft_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


class HandoffContact(Base):
    """How to reach the resident about one ticket, kept apart from the question and deleted when it expires."""

    __tablename__ = "handoff_contacts"

    ticket_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    contact: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)


class HelpSession(Base):
    """A help-desk team member helping one resident at the desk; nothing about the resident is kept."""

    __tablename__ = "helpdesk_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    member: Mapped[str] = mapped_column(String(), index=True)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class HelpItem(Base):
    """One thing a resident was helped with: its topic (or the entry used), the outcome and a redacted note."""

    __tablename__ = "helpdesk_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[int] = mapped_column(Integer, index=True)
    member: Mapped[str] = mapped_column(String())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    topic: Mapped[str] = mapped_column(String(32))
    entry_id: Mapped[str | None] = mapped_column(String(), nullable=True)
    outcome: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text, nullable=True)


class AnswerFlag(Base):
    """A team member's report that an answer is wrong: the question (redacted), the entry cited, the reason."""

    __tablename__ = "helpdesk_flags"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    reporter: Mapped[str] = mapped_column(String())
    reporter_role: Mapped[str] = mapped_column(String(16))
    origin: Mapped[str] = mapped_column(String(16))
    question: Mapped[str] = mapped_column(Text)
    entry_id: Mapped[str] = mapped_column(String(), index=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    resolution: Mapped[str | None] = mapped_column(String(16), nullable=True)
    resolved_by: Mapped[str | None] = mapped_column(String(), nullable=True)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
