"""The background writer: writes land, failures and overflow are counted and never reach the caller."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator

import pytest

from app.storage.store import Store, make_engine
from app.storage.writer import AsyncWriter
from tests.storage.helpers import conversation

SECRET_QUESTION = "CCCD 001099012345 của tôi bị mất"


@pytest.fixture
def writer() -> Iterator[AsyncWriter]:
    """A running writer, closed after the test."""
    running = AsyncWriter(max_pending=4)
    yield running
    running.close(timeout=5)


def test_queued_writes_reach_the_store(store: Store, writer: AsyncWriter) -> None:
    rec = conversation(status="no_answer")
    assert writer.submit(functools.partial(store.record_conversation, rec))
    assert writer.submit(functools.partial(store.record_feedback, rec.message_id, True))
    assert writer.flush(timeout=5)
    assert [r.message_id for r in store.list_unanswered()] == [rec.message_id]
    assert [r.helpful for r in store.list_feedback()] == [True]
    assert (writer.faults, writer.pending) == (0, 0)


def test_a_failing_write_is_counted_and_the_next_one_still_runs(
    writer: AsyncWriter, caplog: pytest.LogCaptureFixture
) -> None:
    done: list[str] = []

    def explode() -> None:
        raise RuntimeError(SECRET_QUESTION)

    with caplog.at_level("ERROR", logger="app.storage.writer"):
        assert writer.submit(explode)
        assert writer.submit(lambda: done.append("ok"))
        assert writer.flush(timeout=5)
    assert writer.faults == 1
    assert done == ["ok"]
    assert "explode" in caplog.text and "RuntimeError" in caplog.text
    assert "CCCD" not in caplog.text


def test_an_unreachable_database_is_a_fault_and_the_question_is_not_logged(
    writer: AsyncWriter, caplog: pytest.LogCaptureFixture
) -> None:
    unreachable = Store(make_engine("postgresql+psycopg://nobody@127.0.0.1:1/x?connect_timeout=1"))
    rec = conversation(status="no_answer", question=SECRET_QUESTION)
    with caplog.at_level("ERROR", logger="app.storage.writer"):
        assert writer.submit(functools.partial(unreachable.record_conversation, rec))
        assert writer.flush(timeout=10)
    unreachable.close()
    assert writer.faults == 1
    assert "record_conversation" in caplog.text and "OperationalError" in caplog.text
    assert "CCCD" not in caplog.text


def test_a_full_queue_drops_and_counts(writer: AsyncWriter) -> None:
    started, release = threading.Event(), threading.Event()

    def block() -> None:
        started.set()
        release.wait(5)

    assert writer.submit(block)
    assert started.wait(5)
    # the worker is busy, so the queue holds exactly max_pending more
    assert all(writer.submit(lambda: None) for _ in range(4))
    assert writer.submit(lambda: None) is False
    assert writer.faults == 1
    assert writer.flush(timeout=0.05) is False
    release.set()
    assert writer.flush(timeout=5)
    assert writer.faults == 1


def test_writes_after_close_are_dropped_not_raised() -> None:
    writer = AsyncWriter()
    done: list[int] = []
    writer.submit(lambda: done.append(1))
    assert writer.close(timeout=5)
    assert done == [1]
    assert writer.submit(lambda: done.append(2)) is False
    assert (writer.faults, done) == (1, [1])
    assert writer.close(timeout=5)
