"""Flags of wrong answers: a team member reports that an entry answers a question wrongly, editors see the
flag in their queue, open the entry as an edit draft and resolve it. Raising and resolving a flag each write
a row of the editorial audit log."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.storage import Store
from app.storage.tables import AnswerFlag, EditorialAudit

Origin = Literal["helpdesk", "admin"]
Resolution = Literal["corrected", "no_change"]
# a long queue is read a page at a time; the editors' page shows the newest
QUEUE_MAX = 500


class FlagNotFound(LookupError):
    """No flag has that id."""


class FlagAlreadyResolved(ValueError):
    """The flag was resolved before (by whom is in the flag)."""


@dataclass(frozen=True)
class FlagRow:
    """A flag as the editors' queue shows it."""

    id: int
    created_at: dt.datetime
    reporter: str
    reporter_role: str
    origin: str
    question: str
    entry_id: str
    reason: str | None
    status: str
    resolution: str | None
    resolved_by: str | None
    resolved_at: dt.datetime | None


def _row(f: AnswerFlag) -> FlagRow:
    return FlagRow(f.id, f.created_at, f.reporter, f.reporter_role, f.origin, f.question, f.entry_id, f.reason,
                   f.status, f.resolution, f.resolved_by, f.resolved_at)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def raise_flag(store: Store, reporter: str, role: str, origin: Origin, question: str, entry_id: str,
               reason: str | None, now: dt.datetime | None = None) -> FlagRow:
    """Queue a flag (question and reason already redacted) and log it in the audit log, in one transaction."""
    at = now or _now()
    with Session(store.engine, expire_on_commit=False) as session, session.begin():
        row = AnswerFlag(created_at=at, reporter=reporter, reporter_role=role, origin=origin, question=question,
                         entry_id=entry_id, reason=reason, status="open")
        session.add(row)
        session.add(EditorialAudit(at=at, who=reporter, role=role, action="flag", entry_id=entry_id))
    return _row(row)


def list_flags(store: Store, status: str | None = "open") -> list[FlagRow]:
    """Flags, newest first; `status` None lists all."""
    query = select(AnswerFlag).order_by(AnswerFlag.id.desc()).limit(QUEUE_MAX)
    if status:
        query = query.where(AnswerFlag.status == status)
    with Session(store.engine) as session:
        return [_row(f) for f in session.scalars(query)]



def resolve_flag(store: Store, flag_id: int, who: str, role: str, resolution: Resolution,
                 now: dt.datetime | None = None) -> FlagRow:
    """Mark an open flag resolved (the entry corrected, or no change needed) and log it in the audit log."""
    at = now or _now()
    with Session(store.engine, expire_on_commit=False) as session, session.begin():
        # one resolution per flag even when two editors press at once: the row is locked where the database can
        row = session.scalars(select(AnswerFlag).where(AnswerFlag.id == flag_id).with_for_update()).first()
        if row is None:
            raise FlagNotFound(flag_id)
        if row.status != "open":
            raise FlagAlreadyResolved(flag_id)
        row.status, row.resolution, row.resolved_by, row.resolved_at = "resolved", resolution, who, at
        session.add(EditorialAudit(at=at, who=who, role=role, action="flag-resolved", entry_id=row.entry_id))
    return _row(row)
