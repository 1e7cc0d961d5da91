"""Background writes: storing a conversation must never slow down or fail the answer itself."""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)

DEFAULT_MAX_PENDING = 10_000


class AsyncWriter:
    """Runs write callables on one background thread; failures and overflow are counted, never raised."""

    def __init__(self, max_pending: int = DEFAULT_MAX_PENDING, name: str = "storage-writer"):
        self._queue: queue.Queue[Callable[[], object] | None] = queue.Queue(maxsize=max_pending)
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._pending = 0
        self._faults = 0
        self._closed = False
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

    def submit(self, write: Callable[[], object]) -> bool:
        """Queue `write` (e.g. `functools.partial(store.record_conversation, rec)`); False when it was dropped."""
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

    def close(self, timeout: float | None = 10.0) -> bool:
        """Run what is queued, then stop the thread; False if it did not finish within `timeout` seconds."""
        with self._lock:
            if self._closed:
                return not self._thread.is_alive()
            self._closed = True
        try:
            # the worker keeps draining, so this waits only until a slot frees up
            self._queue.put(None, timeout=timeout)
        except queue.Full:
            return False
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _run(self) -> None:
        while (write := self._queue.get()) is not None:
            try:
                write()
            except Exception as exc:
                # the exception text may quote the question, so only its type is logged
                log.error("storage write %s failed: %s", _name(write), type(exc).__name__)
                with self._lock:
                    self._faults += 1
            with self._idle:
                self._pending -= 1
                self._idle.notify_all()


def _name(write: Callable[[], object]) -> str:
    target = getattr(write, "func", write)  # unwrap functools.partial
    return str(getattr(target, "__qualname__", type(target).__name__))
