"""The background writer: writes land, wait for a database that is down, and what is lost is counted."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy.exc import OperationalError

from app.storage.link import StorageLink
from app.storage.store import Store
from app.storage.writer import AsyncWriter
from tests.storage.helpers import conversation

SECRET_QUESTION = "CCCD 001099012345 của tôi bị mất"


class Flaky:
    """Opens `store` only once `up` is set, as a database server that is down and then comes back."""

    def __init__(self, store: Store, up: bool = True):
        self.store = store
        self.up = threading.Event()
        if up:
            self.up.set()

    def __call__(self, _url: str) -> Store:
        if not self.up.is_set():
            raise OperationalError("connect", {}, ConnectionRefusedError("connection refused"))
        return self.store


@pytest.fixture
def link(store: Store) -> Iterator[StorageLink]:
    running = StorageLink("sqlite://", open_store=Flaky(store), retry_min=0.05, retry_max=0.2)
    assert running.wait_until_up(5)
    yield running
    running.close()


@pytest.fixture
def writer(link: StorageLink) -> Iterator[AsyncWriter]:
    """A running writer, closed after the test."""
    running = AsyncWriter(link, max_pending=4)
    yield running
    running.close(timeout=5)


def test_queued_writes_reach_the_store(store: Store, writer: AsyncWriter) -> None:
    rec = conversation(status="no_answer")
    assert writer.submit(functools.partial(Store.record_conversation, rec=rec))
    assert writer.submit(functools.partial(Store.record_feedback, message_id=rec.message_id, helpful=True))
    assert writer.flush(timeout=5)
    assert [r.message_id for r in store.list_unanswered()] == [rec.message_id]
    assert [r.helpful for r in store.list_feedback()] == [True]
    assert (writer.faults, writer.pending) == (0, 0)


def test_a_refused_record_is_counted_the_next_one_still_runs_and_its_text_is_not_logged(
    writer: AsyncWriter, caplog: pytest.LogCaptureFixture
) -> None:
    done: list[str] = []

    def explode(_: Store) -> None:
        raise ValueError(SECRET_QUESTION)

    with caplog.at_level("ERROR", logger="app.storage.writer"):
        assert writer.submit(explode)
        assert writer.submit(lambda _: done.append("ok"))
        assert writer.flush(timeout=5)
    assert writer.faults == 1
    assert done == ["ok"]
    assert [r.fields for r in caplog.records] == [{"error": "ValueError"}]  # type: ignore[attr-defined]
    assert "CCCD" not in caplog.text


def test_writes_wait_while_the_database_is_down_and_land_when_it_is_back(store: Store) -> None:
    opener = Flaky(store, up=False)
    link = StorageLink("sqlite://", open_store=opener, retry_min=0.05, retry_max=0.2)
    writer = AsyncWriter(link, max_pending=100)
    try:
        assert link.state == "degraded"
        records = [conversation(status="no_answer", question=SECRET_QUESTION) for _ in range(5)]
        assert all(writer.submit(functools.partial(Store.record_conversation, rec=r)) for r in records)
        assert writer.flush(timeout=0.5) is False  # nothing can be written yet, and nothing is dropped
        assert writer.faults == 0
        opener.up.set()
        assert writer.flush(timeout=10)
        assert link.state == "ok"
        assert {r.message_id for r in store.list_unanswered()} == {r.message_id for r in records}
        assert writer.faults == 0
    finally:
        writer.close(timeout=5)
        link.close()


def test_a_connection_fault_mid_write_reopens_and_retries(store: Store, link: StorageLink) -> None:
    writer = AsyncWriter(link)
    calls: list[int] = []

    def fails_once(s: Store) -> None:
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("insert", {}, OSError("server closed the connection unexpectedly"))
        s.record_conversation(rec)

    rec = conversation(status="no_answer")
    try:
        assert writer.submit(fails_once)
        assert writer.flush(timeout=10)
        assert len(calls) == 2 and writer.faults == 0
        assert [r.message_id for r in store.list_unanswered()] == [rec.message_id]
        assert link.reconnects == 2
    finally:
        writer.close(timeout=5)


def test_a_full_queue_drops_and_counts(writer: AsyncWriter) -> None:
    started, release = threading.Event(), threading.Event()

    def block(_: Store) -> None:
        started.set()
        release.wait(5)

    assert writer.submit(block)
    assert started.wait(5)
    # the worker is busy, so the queue holds exactly max_pending more
    assert all(writer.submit(lambda _: None) for _ in range(4))
    assert writer.submit(lambda _: None) is False
    assert writer.faults == 1
    assert writer.flush(timeout=0.05) is False
    release.set()
    assert writer.flush(timeout=5)
    assert writer.faults == 1


def test_writes_after_close_are_dropped_not_raised(link: StorageLink) -> None:
    writer = AsyncWriter(link)
    done: list[int] = []
    writer.submit(lambda _: done.append(1))
    assert writer.close(timeout=5)
    assert done == [1]
    assert writer.submit(lambda _: done.append(2)) is False
    assert (writer.faults, done) == (1, [1])
    assert writer.close(timeout=5)


def test_closing_while_the_database_is_down_gives_up_after_the_timeout_and_counts_the_loss(store: Store) -> None:
    link = StorageLink("sqlite://", open_store=Flaky(store, up=False), retry_min=0.05, retry_max=0.2)
    writer = AsyncWriter(link)
    try:
        for _ in range(3):
            writer.submit(functools.partial(Store.record_conversation, rec=conversation()))
        assert writer.close(timeout=0.5) is False or writer.faults == 3
        assert writer.flush(timeout=5)
        assert writer.faults == 3
    finally:
        link.close()
