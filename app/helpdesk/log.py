"""The desk's session log in the database, as functions of an open Store (run through StorageLink.call).

A session is one resident at the desk; it records only who on the team helped, when, on what topic and with
what outcome, so a team can report how many residents it helped and on what without keeping anything about
them.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from app.helpdesk.topics import OUTCOMES, topic_label
from app.storage import Store
from app.storage.store import day_bounds
from app.storage.tables import HelpItem, HelpSession


class SessionNotFound(LookupError):
    """No open session of this team member has that id."""


class SessionEnded(ValueError):
    """The session was ended; a new resident gets a new session."""


@dataclass(frozen=True)
class ItemRow:
    """One thing a resident was helped with."""

    id: int
    session_id: int
    member: str
    created_at: dt.datetime
    topic: str
    topic_label: str
    entry_id: str | None
    outcome: str
    note: str | None


@dataclass(frozen=True)
class SessionRow:
    """A help session and what was recorded in it."""

    id: int
    member: str
    started_at: dt.datetime
    ended_at: dt.datetime | None
    items: list[ItemRow]


@dataclass(frozen=True)
class CountRow:
    """Residents helped and items recorded for one team member, topic and outcome (a line of the CSV)."""

    member: str
    topic: str
    topic_label: str
    outcome: str
    residents: int
    items: int


@dataclass(frozen=True)
class Report:
    """How many residents the desk helped between two days, on what and with what outcome."""

    since: dt.date | None
    until: dt.date | None
    residents: int
    items: int
    by_outcome: dict[str, int]
    by_topic: list[dict[str, object]]
    by_member: list[dict[str, object]]
    rows: list[CountRow]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _item(row: HelpItem) -> ItemRow:
    return ItemRow(row.id, row.session_id, row.member, row.created_at, row.topic, topic_label(row.topic),
                   row.entry_id, row.outcome, row.note)


def start_session(store: Store, member: str, now: dt.datetime | None = None) -> SessionRow:
    """Open a session for the next resident at `member`'s desk."""
    with Session(store.engine, expire_on_commit=False) as session, session.begin():
        row = HelpSession(member=member, started_at=now or _now())
        session.add(row)
    return SessionRow(row.id, row.member, row.started_at, None, [])


def _owned(session: Session, session_id: int, member: str) -> HelpSession:
    row = session.get(HelpSession, session_id)
    # another member's session is as absent as a missing one: ids are not to be probed
    if row is None or row.member != member:
        raise SessionNotFound(session_id)
    return row


def get_session(store: Store, session_id: int, member: str) -> SessionRow:
    """The member's session with its items, oldest first; SessionNotFound otherwise."""
    with Session(store.engine) as session:
        row = _owned(session, session_id, member)
        items = session.scalars(select(HelpItem).where(HelpItem.session_id == row.id).order_by(HelpItem.id))
        return SessionRow(row.id, row.member, row.started_at, row.ended_at, [_item(i) for i in items])


def record_item(store: Store, session_id: int, member: str, topic: str, entry_id: str | None, outcome: str,
                note: str | None, now: dt.datetime | None = None) -> ItemRow:
    """Add one thing helped with to the member's open session (topic and note already checked and redacted)."""
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r}")
    with Session(store.engine, expire_on_commit=False) as session, session.begin():
        owner = _owned(session, session_id, member)
        if owner.ended_at is not None:
            raise SessionEnded(session_id)
        row = HelpItem(session_id=session_id, member=member, created_at=now or _now(), topic=topic,
                       entry_id=entry_id, outcome=outcome, note=note)
        session.add(row)
    return _item(row)


def end_session(store: Store, session_id: int, member: str, now: dt.datetime | None = None) -> SessionRow:
    """Close the member's session (ending it twice keeps the first end)."""
    with Session(store.engine, expire_on_commit=False) as session, session.begin():
        row = _owned(session, session_id, member)
        if row.ended_at is None:
            row.ended_at = now or _now()
    return get_session(store, session_id, member)


def _in_range(since: dt.date | None, until: dt.date | None) -> Select[HelpItem]:
    start, end = day_bounds(since, until)
    query = select(HelpItem)
    if start:
        query = query.where(HelpItem.created_at >= start)
    if end:
        query = query.where(HelpItem.created_at < end)
    return query


def list_items(store: Store, since: dt.date | None = None, until: dt.date | None = None, limit: int = 100,
               offset: int = 0) -> list[ItemRow]:
    """Items recorded between two inclusive UTC days, newest first."""
    query = _in_range(since, until).order_by(HelpItem.created_at.desc(), HelpItem.id.desc())
    with Session(store.engine) as session:
        return [_item(r) for r in session.scalars(query.limit(limit).offset(offset))]


def report(store: Store, since: dt.date | None = None, until: dt.date | None = None) -> Report:
    """Residents helped (sessions with at least one item in the range) and items, per outcome, topic and
    member; `rows` holds the counts per member, topic and outcome."""
    query = _in_range(since, until).with_only_columns(
        HelpItem.member, HelpItem.topic, HelpItem.outcome, HelpItem.session_id, func.count(HelpItem.id),
    ).group_by(HelpItem.member, HelpItem.topic, HelpItem.outcome, HelpItem.session_id)
    with Session(store.engine) as session:
        # one line per session, topic and outcome: a session is one resident, counted once per group
        facts: list[tuple[str, str, str, int, int]] = [(m, t, o, s, n) for m, t, o, s, n in session.execute(query)]
    items: Counter[tuple[str, str, str]] = Counter()
    residents: defaultdict[tuple[str, str, str], set[int]] = defaultdict(set)
    topic_sessions: defaultdict[str, set[int]] = defaultdict(set)
    member_sessions: defaultdict[str, set[int]] = defaultdict(set)
    for member, topic, outcome, session_id, n in facts:
        items[(member, topic, outcome)] += n
        residents[(member, topic, outcome)].add(session_id)
        topic_sessions[topic].add(session_id)
        member_sessions[member].add(session_id)
    rows = [CountRow(m, t, topic_label(t), o, len(residents[(m, t, o)]), n)
            for (m, t, o), n in sorted(items.items())]

    def tally(key: int, value: str) -> dict[str, int]:
        counts = dict.fromkeys(OUTCOMES, 0)
        for row_key, n in items.items():
            if row_key[key] == value:
                counts[row_key[2]] = counts.get(row_key[2], 0) + n
        return counts

    by_topic = []
    # most residents first; equal counts in topic order so the report reads the same every time
    for topic in sorted(topic_sessions, key=lambda t: (-len(topic_sessions[t]), t)):
        counts = tally(1, topic)
        by_topic.append({"topic": topic, "label": topic_label(topic), "residents": len(topic_sessions[topic]),
                         "items": sum(counts.values()), **counts})
    by_member = []
    for member in sorted(member_sessions):
        counts = tally(0, member)
        by_member.append({"member": member, "residents": len(member_sessions[member]),
                          "items": sum(counts.values()), **counts})
    by_outcome = dict.fromkeys(OUTCOMES, 0)
    for (_, _, outcome), n in items.items():
        by_outcome[outcome] = by_outcome.get(outcome, 0) + n
    return Report(since, until, len({f[3] for f in facts}), sum(items.values()), by_outcome, by_topic, by_member,
                  rows)
