"""The store on both backends: schema, round trips, filters, paging, purging and erasure."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select, text

from app.storage.migrate import current_revision, head_revision
from app.storage.models import UnansweredRow
from app.storage.store import Store, make_engine
from app.storage.tables import Base, Conversation
from tests.storage.helpers import ICT, UTC, conversation

TABLES = {"conversations", "feedback", "unanswered"}


def test_migrations_create_the_schema_and_reopening_changes_nothing(db_url: str) -> None:
    store = Store.open(db_url)
    with store.engine.connect() as connection:
        assert TABLES | {"alembic_version"} <= set(inspect(connection).get_table_names())
        assert current_revision(connection) == head_revision() == "0007"
    store.record_conversation(conversation(status="no_answer"))
    store.close()

    reopened = Store.open(db_url)
    with reopened.engine.connect() as connection:
        assert current_revision(connection) == "0007"
        assert connection.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 1
    assert reopened.count_unanswered() == 1
    reopened.close()


def test_migrated_schema_matches_the_orm_tables(store: Store) -> None:
    with store.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []


def test_conversation_and_feedback_round_trip(store: Store) -> None:
    at = dt.datetime(2024, 5, 3, 9, 30, tzinfo=ICT)
    rec = conversation(at=at)
    store.record_conversation(rec)
    assert store.record_feedback(rec.message_id, helpful=False, now=at + dt.timedelta(minutes=1))

    with store.engine.connect() as connection:
        row = connection.execute(select(Conversation)).one()
    assert (row.id, row.session_id, row.question) == (rec.message_id, rec.session_id, rec.question)
    assert row.cited_ids == ["qd-06-2022", "cong-dvcqg"]
    assert (row.matched_id, row.confidence, row.latency_ms) == ("can-cuoc-tre-em", 0.81, 12.5)
    assert (row.kb_version, row.language, row.had_personal_data) == ("v-20240501", "vi", False)

    [feedback] = store.list_feedback()
    assert (feedback.message_id, feedback.session_id, feedback.helpful) == (rec.message_id, "session-a", False)
    assert (feedback.question, feedback.answer_type) == (rec.question, "faq")
    assert feedback.created_at == dt.datetime(2024, 5, 3, 2, 31, tzinfo=UTC)
    assert feedback.created_at.utcoffset() == dt.timedelta(0)


def test_unanswered_rows_appear_only_for_no_answer(store: Store) -> None:
    answered = conversation(status="answered")
    missed = conversation(status="no_answer", question="Thủ tục xin cấp phép bay flycam?")
    store.record_conversation(answered)
    store.record_conversation(missed)

    [row] = store.list_unanswered()
    assert (row.message_id, row.session_id, row.question) == (missed.message_id, "session-a", missed.question)
    assert (row.kb_version, row.created_at) == ("v-20240501", missed.created_at)
    assert store.count_unanswered() == 1


def test_unanswered_filters_by_utc_day_and_pages_newest_first(store: Store) -> None:
    times = [
        dt.datetime(2024, 5, 1, 10, 0, tzinfo=UTC),
        dt.datetime(2024, 5, 2, 0, 0, tzinfo=UTC),
        dt.datetime(2024, 5, 3, 6, 0, tzinfo=ICT),  # 2024-05-02 23:00 UTC
        dt.datetime(2024, 5, 3, 0, 10, tzinfo=UTC),
        dt.datetime(2024, 5, 4, 12, 0, tzinfo=UTC),
    ]
    recs = [conversation(status="no_answer", at=t, question=f"câu hỏi {i}") for i, t in enumerate(times)]
    for rec in recs:
        store.record_conversation(rec)

    def questions(rows: list[UnansweredRow]) -> list[str]:
        return [r.question for r in rows]

    assert questions(store.list_unanswered()) == ["câu hỏi 4", "câu hỏi 3", "câu hỏi 2", "câu hỏi 1", "câu hỏi 0"]
    may2 = dt.date(2024, 5, 2)
    assert questions(store.list_unanswered(since=may2, until=may2)) == ["câu hỏi 2", "câu hỏi 1"]
    assert questions(store.list_unanswered(since=dt.date(2024, 5, 3))) == ["câu hỏi 4", "câu hỏi 3"]
    assert questions(store.list_unanswered(until=may2)) == ["câu hỏi 2", "câu hỏi 1", "câu hỏi 0"]
    assert store.count_unanswered(since=may2, until=dt.date(2024, 5, 3)) == 3
    assert store.count_unanswered(since=dt.date(2024, 6, 1)) == 0

    pages = [store.list_unanswered(limit=2, offset=offset) for offset in (0, 2, 4, 6)]
    assert [questions(p) for p in pages] == [["câu hỏi 4", "câu hỏi 3"], ["câu hỏi 2", "câu hỏi 1"], ["câu hỏi 0"], []]
    assert questions(store.list_unanswered(since=may2, limit=2, offset=1)) == ["câu hỏi 3", "câu hỏi 2"]


def test_feedback_filters_by_day_and_pages(store: Store) -> None:
    for day in (1, 2, 3):
        rec = conversation()
        store.record_conversation(rec)
        assert store.record_feedback(rec.message_id, helpful=day != 2, now=dt.datetime(2024, 5, day, 8, tzinfo=UTC))

    assert [r.created_at.day for r in store.list_feedback()] == [3, 2, 1]
    assert [r.helpful for r in store.list_feedback(since=dt.date(2024, 5, 2), until=dt.date(2024, 5, 2))] == [False]
    assert [r.created_at.day for r in store.list_feedback(limit=1, offset=1)] == [2]
    assert store.list_feedback(until=dt.date(2024, 4, 30)) == []


def test_a_later_vote_on_the_same_answer_replaces_the_earlier(store: Store) -> None:
    rec = conversation()
    store.record_conversation(rec)
    for helpful in (True, False, True, False):
        assert store.record_feedback(rec.message_id, helpful=helpful)
    assert [(r.message_id, r.helpful) for r in store.list_feedback()] == [(rec.message_id, False)]


def test_paging_arguments_are_checked(store: Store) -> None:
    with pytest.raises(ValueError):
        store.list_unanswered(limit=0)
    with pytest.raises(ValueError):
        store.list_feedback(offset=-1)


def test_feedback_for_an_unknown_message_is_refused(store: Store) -> None:
    assert store.record_feedback("0" * 32, helpful=True) is False
    assert store.list_feedback() == []


def test_purge_removes_old_rows_only(store: Store) -> None:
    now = dt.datetime(2024, 6, 30, 12, tzinfo=UTC)
    old = conversation(status="no_answer", at=now - dt.timedelta(days=31), question="cũ")
    new = conversation(status="no_answer", at=now - dt.timedelta(days=29), question="mới")
    store.record_conversation(old)
    store.record_conversation(new)
    store.record_feedback(old.message_id, helpful=True, now=now - dt.timedelta(days=30, minutes=1))
    store.record_feedback(new.message_id, helpful=True, now=now - dt.timedelta(days=1))

    assert store.purge_older_than(30, now=now) == {"conversations": 1, "feedback": 1, "unanswered": 1}
    assert [r.question for r in store.list_unanswered()] == ["mới"]
    assert [(r.message_id, r.question) for r in store.list_feedback()] == [(new.message_id, "mới")]
    assert store.purge_older_than(30, now=now) == {"conversations": 0, "feedback": 0, "unanswered": 0}
    with pytest.raises(ValueError):
        store.purge_older_than(-1)


def test_feedback_outliving_its_conversation_is_still_listed(store: Store) -> None:
    now = dt.datetime(2024, 6, 30, tzinfo=UTC)
    rec = conversation(at=now - dt.timedelta(days=10))
    store.record_conversation(rec)
    store.record_feedback(rec.message_id, helpful=True, now=now)
    store.purge_older_than(5, now=now)
    [row] = store.list_feedback()
    assert (row.message_id, row.question, row.answer_type) == (rec.message_id, None, None)


def test_delete_session_removes_only_that_session(store: Store) -> None:
    mine = conversation(session_id="mine", status="no_answer")
    theirs = conversation(session_id="theirs", status="no_answer")
    for rec in (mine, theirs):
        store.record_conversation(rec)
        store.record_feedback(rec.message_id, helpful=False)

    assert store.delete_session("mine") == 3
    assert [r.session_id for r in store.list_unanswered()] == ["theirs"]
    assert [r.session_id for r in store.list_feedback()] == ["theirs"]
    assert store.record_feedback(mine.message_id, helpful=True) is False
    assert store.delete_session("mine") == 0


def test_ping(store: Store) -> None:
    assert store.ping()
    unreachable = Store(make_engine("postgresql+psycopg://nobody@127.0.0.1:1/x?connect_timeout=1"))
    assert unreachable.ping() is False
    unreachable.close()


def test_sqlite_uses_wal_and_a_busy_timeout(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "dir" / "storage.db"
    store = Store.open(f"sqlite:///{path}")
    assert path.exists()
    with store.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 5000
    store.close()
