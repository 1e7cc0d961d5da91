"""Background writes: storing a conversation must never slow down or fail the answer itself.

While the database is down a write waits at the head of the queue and is retried once the link has
reopened it; the queue keeps taking writes up to its bound, and what overflows is counted as dropped. On
close (SIGTERM) the queue is drained for up to the close timeout. What a SIGKILL loses is what is queued
at that moment: at most `max_pending` writes, in practice the last few milliseconds of answers.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable

from app.storage.link import StorageDown, StorageLink, is_connection_fault
from app.storage.store import Store

log = logging.getLogger(__name__)

DEFAULT_MAX_PENDING = 10_000
# how often a write waiting for the database looks again
RETRY_POLL_SECONDS = 0.1
Write = Callable[[Store], object]


class AsyncWriter:
    """Runs writes on one background thread; failures and overflow are counted, never raised."""

    def __init__(self, link: StorageLink, max_pending: int = DEFAULT_MAX_PENDING, name: str = "storage-writer"):
        self._link = link
        self._queue: queue.Queue[Write | None] = queue.Queue(maxsize=max_pending)
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._pending = 0
        self._faults = 0
        self._closed = False
        self._give_up_at: float | None = None
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    @property
    def faults(self) -> int:
        """Writes lost so far: failed, dropped because the queue was full, or submitted after close."""
        with self._lock:
            return self._faults

    @property
    def pending(self) -> int:
        """Writes queued or running."""
        with self._lock:
            return self._pending

    def submit(self, write: Write) -> bool:
        """Queue `write` (e.g. `lambda store: store.record_conversation(rec)`); False when it was dropped."""
        with self._lock:
            if self._closed:
                self._faults += 1
                return False
            try:
                self._queue.put_nowait(write)
            except queue.Full:
                self._faults += 1
                log.warning("storage queue full (%d pending); write dropped", self._pending)
                return False
            self._pending += 1
        return True

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every queued write has run; False if `timeout` seconds passed first."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def close(self, timeout: float = 10.0) -> bool:
        """Run what is queued, then stop the thread; False if it did not finish within `timeout` seconds
        (writes still waiting for the database then are counted as lost)."""
        with self._lock:
            if self._closed:
                return not self._thread.is_alive()
            self._closed = True
            self._give_up_at = time.monotonic() + timeout
        try:
            # the worker keeps draining, so this waits only until a slot frees up
            self._queue.put(None, timeout=timeout)
        except queue.Full:
            return False
        self._thread.join(timeout)
        if self._thread.is_alive():
            # past the deadline each write still waiting gives up at its next look, and is counted
            self._thread.join(RETRY_POLL_SECONDS * 10)
            return False
        return True

    def _run(self) -> None:
        while (write := self._queue.get()) is not None:
            if not self._write(write):
                with self._lock:
                    self._faults += 1
            with self._idle:
                self._pending -= 1
                self._idle.notify_all()

    def _write(self, write: Write) -> bool:
        """Run one write, waiting for the database while it is down; False when the write is lost."""
        while True:
            try:
                write(self._link.acquire())
                self._link.succeeded()
                return True
            except StorageDown:
                pass
            except Exception as exc:
                if not is_connection_fault(exc):
                    # the record itself was refused; its text may quote the question, so only the type is logged
                    log.error("storage write failed", extra={"fields": {"error": type(exc).__name__}})
                    return False
                self._link.failed(exc)
            with self._lock:
                give_up_at = self._give_up_at
            if give_up_at is not None and time.monotonic() >= give_up_at:
                return False
            time.sleep(RETRY_POLL_SECONDS)
