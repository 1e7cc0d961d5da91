"""The link to the database: opens in the background, reopens after faults and file swaps, never hangs a caller."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from app.storage.link import StorageDown, StorageLink
from app.storage.store import Store
from tests.storage.helpers import conversation


def test_a_deleted_sqlite_file_is_detected_and_reopened(tmp_path: Path) -> None:
    path = tmp_path / "var" / "assistant.db"
    link = StorageLink(f"sqlite:///{path}", retry_min=0.05, retry_max=0.2)
    try:
        assert link.wait_until_up(10)
        link.call(lambda s: s.record_conversation(conversation(status="no_answer")))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        # the old handle would write into the deleted inode and lose everything silently
        with pytest.raises(StorageDown):
            link.acquire()
        assert link.wait_until_up(10)
        rec = conversation(status="no_answer")
        link.call(lambda s: s.record_conversation(rec))
        assert path.exists()
        assert [r.message_id for r in link.call(Store.list_unanswered)] == [rec.message_id]
    finally:
        link.close()


def test_a_call_on_a_hung_database_costs_at_most_the_timeout() -> None:
    release = threading.Event()

    class Hung:
        def list_feedback(self) -> list[object]:
            release.wait(30)
            return []

        def close(self) -> None:
            pass

    link = StorageLink("sqlite://", open_store=lambda _: Hung(), call_timeout=0.3)  # type: ignore[arg-type,return-value]
    try:
        assert link.wait_until_up(5)
        started = time.monotonic()
        with pytest.raises(StorageDown):
            link.call(lambda s: s.list_feedback())
        assert time.monotonic() - started < 5
        assert link.state == "degraded"
    finally:
        release.set()
        link.close()


def test_a_connection_fault_in_a_call_degrades_and_recovers(tmp_path: Path) -> None:
    link = StorageLink(f"sqlite:///{tmp_path / 'a.db'}", retry_min=0.05, retry_max=0.2)
    try:
        assert link.wait_until_up(10)

        def broken(_: Store) -> None:
            raise OperationalError("select", {}, OSError("connection reset"))

        with pytest.raises(StorageDown):
            link.call(broken)
        assert link.wait_until_up(10)
        assert link.call(Store.list_feedback) == []
        assert link.reconnects == 2
    finally:
        link.close()


def test_a_read_only_shm_file_degrades_instead_of_being_mapped(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "assistant.db"
    store = Store.open(f"sqlite:///{path}")
    store.record_conversation(conversation())
    shm = Path(f"{path}-shm")
    assert shm.exists()
    shm.chmod(0o444)
    if os.geteuid() == 0:
        # root may write any file, so the service's own user is imitated: read-only files are not writable
        real_access = os.access
        monkeypatch.setattr(os, "access", lambda p, mode: real_access(p, mode) and not (
            mode & os.W_OK and not Path(p).stat().st_mode & 0o222))
    link = StorageLink(f"sqlite:///{path}", retry_min=0.05, retry_max=0.1)
    try:
        time.sleep(0.5)
        assert link.state == "degraded"
        assert link.last_error == "assistant.db-shm is not writable"
        shm.chmod(0o644)
        assert link.wait_until_up(10)
    finally:
        link.close()
        store.close()
