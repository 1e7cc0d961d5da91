"""Conversations, feedback and unanswered questions in SQLite (default) or PostgreSQL."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeVar, cast

from sqlalchemy import CursorResult, Delete, Engine, Select, create_engine, delete, event, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import InstrumentedAttribute, Session, sessionmaker

from app.storage.migrate import upgrade_schema
from app.storage.models import ConversationRecord, FeedbackRow, UnansweredRow, retention_cutoff, utc_now
from app.storage.tables import Conversation, Feedback, HandoffContact, HandoffTicket, Unanswered

SQLITE_BUSY_TIMEOUT_MS = 5000
PG_CONNECT_TIMEOUT_S = 5
# a statement the server takes longer than this on is cancelled by the server itself
PG_STATEMENT_TIMEOUT_MS = 5000
# waiting for a free pooled connection
POOL_TIMEOUT_S = 5
SelectT = TypeVar("SelectT", bound=Select)
# a spreadsheet would run these as formulas; the questions come from anyone on the internet
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite files get their directory, WAL mode and a busy timeout."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        # without a timeout an unreachable server stalls the writer thread and health checks for minutes
        connect_args: dict[str, Any] = {}
        if parsed.get_backend_name() == "postgresql":
            if "connect_timeout" not in parsed.query:
                connect_args["connect_timeout"] = PG_CONNECT_TIMEOUT_S
            if "options" not in parsed.query:
                connect_args["options"] = f"-c statement_timeout={PG_STATEMENT_TIMEOUT_MS}"
        # pre-ping so a restarted database server costs a reconnect rather than a failed write
        return create_engine(parsed, pool_pre_ping=True, pool_timeout=POOL_TIMEOUT_S, hide_parameters=True,
                             connect_args=connect_args)
    database = parsed.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(parsed, hide_parameters=True)
    event.listen(engine, "connect", _configure_sqlite)
    return engine


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers (editor exports) run while the writer thread writes; NORMAL sync is safe under WAL
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # a deleted row's text is overwritten in the file rather than left in a free page (erasure requests)
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def day_bounds(since: dt.date | None, until: dt.date | None) -> tuple[dt.datetime | None, dt.datetime | None]:
    """Turn inclusive UTC calendar days into a half-open [start, end) datetime range."""
    start = dt.datetime.combine(since, dt.time(), dt.UTC) if since else None
    # the last representable day has no next day: it leaves the range open at the end
    end = (dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), dt.UTC)
           if until and until < dt.date.max else None)
    return start, end


class Store:
    """The service's persistent record; every method is safe to call from several threads."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def open(cls, url: str) -> Store:
        """Connect to `url` and upgrade its schema to the newest migration."""
        engine = make_engine(url)
        try:
            with engine.begin() as connection:
                upgrade_schema(connection)
        except Exception:
            engine.dispose()
            raise
        return cls(engine)

    def record_conversation(self, rec: ConversationRecord) -> None:
        """Store one conversation, and list it for editors when it got no answer or a partial one."""
        with self._sessions.begin() as session:
            session.add(Conversation(
                id=rec.message_id, session_id=rec.session_id, created_at=rec.created_at, question=rec.question,
                answer_type=rec.answer_type, status=rec.status, cited_ids=list(rec.cited_ids),
                matched_id=rec.matched_id, confidence=rec.confidence, latency_ms=rec.latency_ms,
                kb_version=rec.kb_version, language=rec.language, had_personal_data=rec.had_personal_data,
            ))
            if rec.status in ("no_answer", "partial"):
                session.add(Unanswered(
                    message_id=rec.message_id, session_id=rec.session_id, question=rec.question,
                    created_at=rec.created_at, kb_version=rec.kb_version, status=rec.status,
                    related_id=rec.matched_id if rec.status == "partial" else None,
                    vector=rec.vector, vector_model=rec.vector_model if rec.vector is not None else None,
                ))

    def record_feedback(self, message_id: str, helpful: bool, *, now: dt.datetime | None = None) -> bool:
        """Store a vote on a known answer, replacing an earlier vote on it; False when no conversation has
        that message id. Two replicas storing a vote at once: the unique message id lets one insert, and
        the other replaces it on its retry."""
        for attempt in range(2):
            try:
                with self._sessions.begin() as session:
                    session_id = session.scalar(
                        select(Conversation.session_id).where(Conversation.id == message_id))
                    if session_id is None:
                        return False
                    session.execute(delete(Feedback).where(Feedback.message_id == message_id))
                    session.add(Feedback(
                        message_id=message_id, session_id=session_id, helpful=helpful, created_at=now or utc_now(),
                    ))
                return True
            except IntegrityError:
                if attempt:
                    raise
        return True

    def list_feedback(
        self, since: dt.date | None = None, until: dt.date | None = None, limit: int = 100, offset: int = 0,
    ) -> list[FeedbackRow]:
        """Feedback between two inclusive UTC days, newest first, with the question it was about."""
        _check_page(limit, offset)
        query = _in_days(
            select(Feedback, Conversation.question, Conversation.answer_type)
            .outerjoin(Conversation, Conversation.id == Feedback.message_id),
            Feedback.created_at, since, until,
        ).order_by(Feedback.created_at.desc(), Feedback.id.desc()).limit(limit).offset(offset)
        with self._sessions() as session:
            return [
                FeedbackRow(
                    id=f.id, message_id=f.message_id, session_id=f.session_id, helpful=f.helpful,
                    created_at=f.created_at, question=question, answer_type=answer_type,
                )
                for f, question, answer_type in session.execute(query)
            ]

    def list_unanswered(
        self, since: dt.date | None = None, until: dt.date | None = None, limit: int = 100, offset: int = 0,
    ) -> list[UnansweredRow]:
        """Unanswered questions between two inclusive UTC days, newest first."""
        _check_page(limit, offset)
        query = _in_days(select(Unanswered), Unanswered.created_at, since, until)
        query = query.order_by(Unanswered.created_at.desc(), Unanswered.id.desc()).limit(limit).offset(offset)
        with self._sessions() as session:
            return [
                UnansweredRow(
                    id=u.id, message_id=u.message_id, session_id=u.session_id, question=u.question,
                    created_at=u.created_at, kb_version=u.kb_version, status=u.status, related_id=u.related_id,
                )
                for u in session.scalars(query)
            ]

    def unanswered_vectors(self, ids: Sequence[int]) -> dict[int, tuple[bytes, str]]:
        """The stored search vectors of these unanswered questions (those stored with one), by row id."""
        if not ids:
            return {}
        query = select(Unanswered.id, Unanswered.vector, Unanswered.vector_model).where(
            Unanswered.id.in_(list(ids)), Unanswered.vector.is_not(None))
        with self._sessions() as session:
            return {i: (v, m) for i, v, m in session.execute(query) if v is not None and m is not None}

    def count_unanswered(self, since: dt.date | None = None, until: dt.date | None = None) -> int:
        """How many unanswered questions fall between two inclusive UTC days."""
        query = _in_days(select(func.count(Unanswered.id)), Unanswered.created_at, since, until)
        with self._sessions() as session:
            return session.scalar(query) or 0

    def purge_older_than(self, days: int, now: dt.datetime | None = None) -> dict[str, int]:
        """Delete every row created more than `days` days before `now`; return the count per table."""
        cutoff = retention_cutoff(days, now or utc_now())
        with self._sessions.begin() as session:
            counts = {
                table.__tablename__: _deleted(session, delete(table).where(table.created_at < cutoff))
                for table in (Conversation, Feedback, Unanswered)
            }
        self.checkpoint()
        return counts

    def delete_session(self, session_id: str) -> int:
        """Delete everything recorded for one session (a resident's erasure request); return the row count."""
        with self._sessions.begin() as session:
            deleted = sum(
                _deleted(session, delete(table).where(table.session_id == session_id))
                for table in (Conversation, Feedback, Unanswered)
            )
            # questions handed off to the local team from this session, with their contacts
            tickets = select(HandoffTicket.id).where(HandoffTicket.session_id == session_id)
            _deleted(session, delete(HandoffContact).where(HandoffContact.ticket_id.in_(tickets)))
            deleted += _deleted(session, delete(HandoffTicket).where(HandoffTicket.session_id == session_id))
        self.checkpoint()
        return deleted

    def checkpoint(self) -> None:
        """SQLite keeps deleted pages in its write-ahead log until a checkpoint: copy them back into the
        file (overwritten there, see secure_delete) and truncate the log, so erased text leaves the disk."""
        if self.engine.dialect.name != "sqlite":
            return
        with self.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")

    def ping(self) -> bool:
        """True when the database answers a trivial query."""
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception:
            return False
        return True

    def close(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def open_store(url: str) -> Store:
    """Connect to `url` and upgrade its schema (same as `Store.open`)."""
    return Store.open(url)


def to_csv(rows: Sequence[FeedbackRow] | Sequence[UnansweredRow], row_type: type | None = None) -> str:
    """Render feedback or unanswered rows as CSV with a header; `row_type` gives the header for no rows."""
    kind = row_type or (type(rows[0]) if rows else None)
    if kind is None:
        return ""
    names = [f.name for f in dataclasses.fields(kind)]
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_MINIMAL)
    writer.writerow(names)
    for row in rows:
        writer.writerow([_csv_cell(getattr(row, name)) for name in names])
    return out.getvalue()


def _csv_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.isoformat()
    cell = str(value)
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def _check_page(limit: int, offset: int) -> None:
    if limit < 1 or offset < 0:
        raise ValueError("limit must be positive and offset zero or more")


def _in_days(query: SelectT, column: InstrumentedAttribute[dt.datetime], since: dt.date | None,
             until: dt.date | None) -> SelectT:
    start, end = day_bounds(since, until)
    if start:
        query = query.where(column >= start)
    if end:
        query = query.where(column < end)
    return query


def _deleted(session: Session, statement: Delete) -> int:
    return cast(CursorResult[Any], session.execute(statement)).rowcount
