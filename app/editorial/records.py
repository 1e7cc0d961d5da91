"""Drafts and the audit log in the database, as functions of an open Store (run through StorageLink.call)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.storage import Store
from app.storage.tables import EditorialAudit, EditorialDraft


@dataclass(frozen=True)
class DraftRow:
    """A saved draft."""

    id: int
    action: str
    entry_id: str
    entry: dict[str, Any] | None
    questions: list[str]
    status: str
    author: str
    created_at: dt.datetime
    published_by: str | None
    published_at: dt.datetime | None


@dataclass(frozen=True)
class AuditRow:
    """One change to the knowledge base."""

    id: int
    at: dt.datetime
    who: str
    role: str
    action: str
    entry_id: str
    draft_id: int | None
    index_version: str | None


def _draft(row: EditorialDraft) -> DraftRow:
    return DraftRow(row.id, row.action, row.entry_id, row.entry, list(row.questions), row.status, row.author,
                    row.created_at, row.published_by, row.published_at)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def save_draft(store: Store, action: str, entry_id: str, entry: dict[str, Any] | None, questions: list[str],
               author: str, role: str) -> DraftRow:
    """Store a pending draft and its audit row in one transaction."""
    with Session(store.engine, expire_on_commit=False) as session, session.begin():
        row = EditorialDraft(action=action, entry_id=entry_id, entry=entry, questions=questions, status="pending",
                             author=author, created_at=_now())
        session.add(row)
        session.flush()
        session.add(EditorialAudit(at=row.created_at, who=author, role=role, action="draft", entry_id=entry_id,
                                   draft_id=row.id))
    return _draft(row)


def get_draft(store: Store, draft_id: int) -> DraftRow | None:
    """One draft, or None."""
    with Session(store.engine) as session:
        row = session.get(EditorialDraft, draft_id)
        return _draft(row) if row else None


def list_drafts(store: Store, status: str | None = "pending") -> list[DraftRow]:
    """Drafts, newest first; `status` None lists all."""
    query = select(EditorialDraft).order_by(EditorialDraft.id.desc()).limit(500)
    if status:
        query = query.where(EditorialDraft.status == status)
    with Session(store.engine) as session:
        return [_draft(r) for r in session.scalars(query)]


def mark_published(store: Store, draft_id: int, who: str, role: str, action: str, entry_id: str,
                   index_version: str | None) -> None:
    """Mark the draft published and log the publication (or retirement) with the index version it led to."""
    now = _now()
    with Session(store.engine) as session, session.begin():
        row = session.get(EditorialDraft, draft_id)
        if row is not None:
            row.status, row.published_by, row.published_at = "published", who, now
        session.add(EditorialAudit(at=now, who=who, role=role, action=action, entry_id=entry_id, draft_id=draft_id,
                                   index_version=index_version))


def list_audit(store: Store, limit: int = 200) -> list[AuditRow]:
    """The audit log, newest first."""
    with Session(store.engine) as session:
        rows = session.scalars(select(EditorialAudit).order_by(EditorialAudit.id.desc()).limit(limit))
        return [AuditRow(r.id, r.at, r.who, r.role, r.action, r.entry_id, r.draft_id, r.index_version) for r in rows]
