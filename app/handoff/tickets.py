"""Hand-off tickets in the database, as functions of an open Store (run through StorageLink.call).

A ticket is found by its code, which a resident may read aloud on the phone, and read only with the secret the
resident's browser keeps: the code alone reveals nothing. The question is stored redacted; contact details,
when given, live in their own table until they expire or the ticket is closed or deleted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.privacy import redact
from app.storage import Store
from app.storage.models import retention_cutoff, utc_now
from app.storage.tables import HandoffContact, HandoffTicket

Status = Literal["open", "answered", "closed"]
STATUSES: tuple[Status, ...] = ("open", "answered", "closed")
# no 0/O, 1/I/L, nor U/V: a code read aloud or copied from a screen is not misheard or mistyped
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"
CODE_LENGTH = 8
CODE_ATTEMPTS = 5


class TicketClosed(Exception):
    """The ticket was closed: it takes no reply."""


@dataclass(frozen=True)
class NewTicket:
    """What the resident's browser keeps: the code (to quote) and the secret (to read the reply)."""

    code: str
    secret: str
    status: Status
    created_at: dt.datetime


@dataclass(frozen=True)
class ResidentView:
    """A ticket as its resident sees it."""

    code: str
    status: Status
    question: str
    reply: str | None
    created_at: dt.datetime
    answered_at: dt.datetime | None


@dataclass(frozen=True)
class TeamView:
    """A ticket as the team sees it, with the contact while it is kept."""

    id: int
    code: str
    status: Status
    question: str
    area: str | None
    language: str
    had_personal_data: bool
    created_at: dt.datetime
    reply: str | None
    answered_by: str | None
    answered_at: dt.datetime | None
    closed_at: dt.datetime | None
    draft_id: int | None
    contact: str | None


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_code() -> str:
    """An unguessable code of CODE_LENGTH letters and digits (29^8, about 5e11)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(text: str) -> str:
    """The code as stored: upper case, without the spaces or dashes a resident may type in it."""
    return "".join(c for c in text.upper() if c.isalnum())


def _resident(row: HandoffTicket) -> ResidentView:
    return ResidentView(row.code, row.status, row.question, row.reply, row.created_at,  # type: ignore[arg-type]
                        row.answered_at)


def _team(row: HandoffTicket, contact: str | None) -> TeamView:
    return TeamView(row.id, row.code, row.status, row.question, row.area, row.language,  # type: ignore[arg-type]
                    row.had_personal_data, row.created_at, row.reply, row.answered_by, row.answered_at,
                    row.closed_at, row.draft_id, contact)


def open_ticket(store: Store, question: str, *, contact: str | None = None, session_id: str | None = None,
                area: str | None = None, language: str = "vi", contact_days: int = 30,
                now: dt.datetime | None = None) -> NewTicket:
    """Store the question redacted, and the contact apart until `contact_days` days have passed."""
    now = now or utc_now()
    redacted = redact(question)
    secret = secrets.token_urlsafe(24)
    for attempt in range(CODE_ATTEMPTS):
        code = new_code()
        try:
            with Session(store.engine) as session, session.begin():
                row = HandoffTicket(code=code, secret_hash=_hash(secret), session_id=session_id,
                                    question=" ".join(redacted.text.split()), area=area, language=language,
                                    had_personal_data=redacted.found, status="open", created_at=now)
                session.add(row)
                session.flush()
                # expired contacts go as new tickets arrive, whether or not anyone runs `purge`
                session.execute(delete(HandoffContact).where(HandoffContact.expires_at <= now))
                if contact:
                    session.add(HandoffContact(ticket_id=row.id, contact=contact, created_at=now,
                                               expires_at=now + dt.timedelta(days=contact_days)))
            return NewTicket(code, secret, "open", now)
        except IntegrityError:
            if attempt == CODE_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def _by_secret(session: Session, code: str, secret: str) -> HandoffTicket | None:
    row = session.scalar(select(HandoffTicket).where(HandoffTicket.code == normalize_code(code)))
    # the secret is checked even for an unknown code, so timing does not tell which codes exist
    expected = row.secret_hash if row is not None else _hash("")
    if not hmac.compare_digest(expected, _hash(secret)) or row is None:
        return None
    return row


def read_ticket(store: Store, code: str, secret: str) -> ResidentView | None:
    """The ticket for its resident; None when the code is unknown or the secret does not match."""
    with Session(store.engine) as session:
        row = _by_secret(session, code, secret)
        return _resident(row) if row is not None else None


def close_by_resident(store: Store, code: str, secret: str,
                      now: dt.datetime | None = None) -> tuple[ResidentView, bool] | None:
    """The resident is done: close the ticket and delete its contact. Returns the ticket and whether this call
    closed it (False when it was closed already); None as for `read_ticket`."""
    with Session(store.engine, expire_on_commit=False) as session, session.begin():
        row = _by_secret(session, code, secret)
        if row is None:
            return None
        closed = _close(session, row, now or utc_now())
    return _resident(row), closed


def _close(session: Session, row: HandoffTicket, now: dt.datetime) -> bool:
    session.execute(delete(HandoffContact).where(HandoffContact.ticket_id == row.id))
    if row.status == "closed":
        return False
    row.status, row.closed_at = "closed", now
    return True


def list_tickets(store: Store, status: Status | None = "open", limit: int = 200,
                 now: dt.datetime | None = None, area: str | None = None) -> list[TeamView]:
    """Tickets for the team, oldest first (the longest waiting on top); `status` None lists all; `area` keeps
    the tickets sent from that area."""
    now = now or utc_now()
    query = select(HandoffTicket, HandoffContact.contact).outerjoin(
        HandoffContact, (HandoffContact.ticket_id == HandoffTicket.id) & (HandoffContact.expires_at > now))
    if status:
        query = query.where(HandoffTicket.status == status)
    if area:
        query = query.where(HandoffTicket.area == area)
    query = query.order_by(HandoffTicket.created_at, HandoffTicket.id).limit(limit)
    with Session(store.engine) as session:
        return [_team(row, contact) for row, contact in session.execute(query)]


def get_ticket(store: Store, ticket_id: int, now: dt.datetime | None = None) -> TeamView | None:
    """One ticket for the team, or None."""
    with Session(store.engine) as session:
        row = session.get(HandoffTicket, ticket_id)
        return _team(row, _contact(session, row.id, now or utc_now())) if row is not None else None


def _contact(session: Session, ticket_id: int, now: dt.datetime) -> str | None:
    return session.scalar(select(HandoffContact.contact).where(HandoffContact.ticket_id == ticket_id,
                                                                HandoffContact.expires_at > now))


def answer_ticket(store: Store, ticket_id: int, reply: str, who: str,
                  now: dt.datetime | None = None) -> TeamView | None:
    """Store the team's reply (a later reply replaces it); None for an unknown ticket, TicketClosed for a closed one."""
    now = now or utc_now()
    with Session(store.engine, expire_on_commit=False) as session, session.begin():
        row = session.get(HandoffTicket, ticket_id)
        if row is None:
            return None
        if row.status == "closed":
            raise TicketClosed(ticket_id)
        row.status, row.reply, row.answered_by, row.answered_at = "answered", reply, who, now
        contact = _contact(session, row.id, now)
    return _team(row, contact)


def close_ticket(store: Store, ticket_id: int, now: dt.datetime | None = None) -> tuple[TeamView, bool] | None:
    """The team closes a ticket (settled, spam): its contact is deleted. Returns the ticket and whether this call
    closed it; None for an unknown ticket."""
    with Session(store.engine, expire_on_commit=False) as session, session.begin():
        row = session.get(HandoffTicket, ticket_id)
        if row is None:
            return None
        closed = _close(session, row, now or utc_now())
    return _team(row, None), closed


def link_draft(store: Store, ticket_id: int, draft_id: int) -> None:
    """Remember the editors' draft made from this ticket's answer."""
    with Session(store.engine) as session, session.begin():
        session.execute(update(HandoffTicket).where(HandoffTicket.id == ticket_id).values(draft_id=draft_id))


def delete_ticket(store: Store, ticket_id: int) -> bool:
    """Delete a ticket and its contact; False when there was none."""
    with Session(store.engine) as session, session.begin():
        session.execute(delete(HandoffContact).where(HandoffContact.ticket_id == ticket_id))
        return session.execute(delete(HandoffTicket).where(HandoffTicket.id == ticket_id)).rowcount > 0  # type: ignore[attr-defined]


def purge_handoff(store: Store, retention_days: int, now: dt.datetime | None = None) -> dict[str, int]:
    """Delete expired contacts, and tickets (with their contacts) created more than `retention_days` days ago."""
    now = now or utc_now()
    cutoff = retention_cutoff(retention_days, now)
    with Session(store.engine) as session, session.begin():
        old = select(HandoffTicket.id).where(HandoffTicket.created_at < cutoff)
        contacts = session.execute(delete(HandoffContact).where(
            (HandoffContact.expires_at <= now) | HandoffContact.ticket_id.in_(old))).rowcount  # type: ignore[attr-defined]
        tickets = session.execute(delete(HandoffTicket).where(HandoffTicket.created_at < cutoff)).rowcount  # type: ignore[attr-defined]
    return {"handoff_contacts": contacts, "handoff_tickets": tickets}


def count_tickets(store: Store) -> dict[str, int]:
    """How many tickets are in each status."""
    with Session(store.engine) as session:
        counts = dict(session.execute(select(HandoffTicket.status, func.count()).group_by(HandoffTicket.status)).all())
    return {s: int(counts.get(s, 0)) for s in STATUSES}
