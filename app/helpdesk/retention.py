"""What `python -m app purge` does to the desk's tables once `RETENTION_DAYS` have passed.

A help item's note is free text a team member typed about a resident's case. It is redacted when written,
but a name or an address can still be in it, so it is cleared with the conversations of the same age. The
item itself (who helped, when, the topic and the outcome) stays: it is what the team's monthly report
counts, and it says nothing about the resident. A resolved flag is deleted once it was resolved that long
ago (the editorial audit log keeps that it was raised and resolved); an open flag stays until an editor
has dealt with it.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from app.storage import Store
from app.storage.models import retention_cutoff, utc_now
from app.storage.tables import AnswerFlag, HelpItem


def purge_helpdesk(store: Store, retention_days: int, now: dt.datetime | None = None) -> dict[str, int]:
    """Clear the notes of help items, and delete the flags resolved, more than `retention_days` days ago."""
    cutoff = retention_cutoff(retention_days, now or utc_now())
    with Session(store.engine) as session, session.begin():
        notes = session.execute(update(HelpItem).where(HelpItem.created_at < cutoff, HelpItem.note.is_not(None))
                                .values(note=None)).rowcount  # type: ignore[attr-defined]
        flags = session.execute(delete(AnswerFlag).where(AnswerFlag.status == "resolved",
                                                         AnswerFlag.resolved_at < cutoff)).rowcount  # type: ignore[attr-defined]
    return {"helpdesk_notes": notes, "helpdesk_flags": flags}
