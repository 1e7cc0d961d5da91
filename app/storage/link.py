"""The live connection to the database: opened in the background, reopened with backoff after any fault.

A replica that starts while the database is down, loses it later, or has its SQLite file deleted or
replaced under it keeps answering residents, reports `degraded` (`/readyz`, `assistant_storage_up`), and
resumes recording on its own once the database is back. Calls made for a resident (feedback, erasure, the
editors' pages) never wait on a hung database for longer than `call_timeout`: they run on a small pool of
their own, so a hung server cannot hold the web server's threads either.
"""

from __future__ import annotations

import concurrent.futures
import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, InternalError, OperationalError

from app.storage.store import Store

log = logging.getLogger(__name__)
T = TypeVar("T")

RETRY_MIN_SECONDS = 0.5
RETRY_MAX_SECONDS = 8.0
CALL_TIMEOUT_SECONDS = 5.0
CALL_WORKERS = 4


class StorageDown(Exception):
    """The database cannot be used right now (the reason is in the message; it never quotes a record)."""


def is_connection_fault(exc: BaseException) -> bool:
    """A fault of the database or the link to it (worth reopening for), not of the record written."""
    if isinstance(exc, OperationalError | InterfaceError | InternalError):
        return True
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    # SQLite's disk faults ("disk I/O error", "unable to open database file") are OperationalError;
    # an OSError from the driver means the same
    return isinstance(exc, OSError)


class StorageLink:
    """Owns the `Store`; every user asks it for the store and tells it when a call hit a connection fault."""

    def __init__(self, url: str, *, open_store: Callable[[str], Store] = Store.open,
                 retry_min: float = RETRY_MIN_SECONDS, retry_max: float = RETRY_MAX_SECONDS,
                 call_timeout: float = CALL_TIMEOUT_SECONDS):
        self.url = url
        self.call_timeout = call_timeout
        self._open_store = open_store
        self._retry_min, self._retry_max = retry_min, retry_max
        self._delay = retry_min
        self._pause = 0.0
        self._store: Store | None = None
        self._identity: tuple[int, int] | None = None
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._closed = threading.Event()
        self.reconnects = 0
        self.last_error: str | None = "not opened yet"
        self._calls = concurrent.futures.ThreadPoolExecutor(CALL_WORKERS, thread_name_prefix="storage-call")
        self._file = _sqlite_file(url)
        self._thread = threading.Thread(target=self._keep_open, name="storage-link", daemon=True)
        self._thread.start()

    # State -------------------------------------------------------------------------------------

    @property
    def up(self) -> bool:
        """True while the database is open and its last call succeeded."""
        with self._lock:
            return self._store is not None

    @property
    def state(self) -> str:
        """`ok` or `degraded`, for `/readyz`."""
        return "ok" if self.up else "degraded"

    def wait_until_up(self, timeout: float) -> bool:
        """Wait for the first (or next) successful open; False if `timeout` seconds passed first."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.up:
                return True
            time.sleep(0.05)
        return self.up

    # Use ---------------------------------------------------------------------------------------

    def acquire(self) -> Store:
        """The open store; StorageDown when there is none now (reopening goes on in the background)."""
        with self._lock:
            if self._store is not None and self._file is not None and _identity(self._file) != self._identity:
                self._drop_locked("the database file was deleted or replaced")
            if self._store is None:
                raise StorageDown(self.last_error or "database unavailable")
            return self._store

    def succeeded(self) -> None:
        """A call on the store worked: the next fault starts the backoff from its shortest pause again."""
        with self._lock:
            self._delay = self._retry_min

    def failed(self, exc: BaseException) -> None:
        """A call on the store hit `exc`: when it is a connection fault, close the store and reopen later."""
        if is_connection_fault(exc):
            with self._lock:
                self._drop_locked(type(exc).__name__)

    def call(self, work: Callable[[Store], T]) -> T:
        """Run `work` on the store for a resident or an editor, waiting at most `call_timeout` seconds.

        StorageDown when the database is down, failing, or did not answer in time.
        """
        store = self.acquire()
        future = self._calls.submit(work, store)
        try:
            result = future.result(timeout=self.call_timeout)
        except concurrent.futures.TimeoutError as exc:
            # the worker stays blocked on the hung server; the next calls fail fast while it is degraded
            with self._lock:
                self._drop_locked("no answer within the timeout")
            raise StorageDown("the database did not answer in time") from exc
        except Exception as exc:
            if not is_connection_fault(exc):
                raise
            self.failed(exc)
            raise StorageDown(type(exc).__name__) from exc
        self.succeeded()
        return result

    def close(self) -> None:
        """Stop reconnecting and release the database."""
        self._closed.set()
        self._wake.set()
        self._calls.shutdown(wait=False, cancel_futures=True)
        with self._lock:
            store, self._store = self._store, None
        if store is not None:
            store.close()

    # Reopening ---------------------------------------------------------------------------------

    def _drop_locked(self, reason: str) -> None:
        if self._store is not None:
            log.error("storage degraded", extra={"fields": {"reason": reason}})
            store, self._store = self._store, None
            threading.Thread(target=store.close, daemon=True).start()  # a hung server must not hold us
            self._back_off_locked()
        self.last_error = reason
        self._wake.set()

    def _keep_open(self) -> None:
        while not self._closed.is_set():
            if self.up:
                self._wake.wait()
                self._wake.clear()
                continue
            # after a fault, pause before reopening: a database that fails every write is not hammered
            if self._closed.wait(self._pause):
                return
            try:
                self._check_files()
                store = self._open_store(self.url)
            except Exception as exc:  # any driver, file or migration fault: try again after a pause
                with self._lock:
                    self.last_error = _reason(exc)
                    self._back_off_locked()
                log.warning("storage unavailable", extra={"fields": {"error": type(exc).__name__,
                                                                      "retry_in_s": self._pause}})
                continue
            with self._lock:
                if self._closed.is_set():
                    store.close()
                    return
                self._store = store
                self._identity = _identity(self._file) if self._file is not None else None
                self.last_error = None
                self.reconnects += 1
            log.info("storage open", extra={"fields": {"opens": self.reconnects}})

    def _back_off_locked(self) -> None:
        self._pause = self._delay
        self._delay = min(self._delay * 2, self._retry_max)

    def _check_files(self) -> None:
        """Refuse to open an SQLite database whose -wal or -shm the process cannot write: SQLite would map
        the read-only -shm and the first write through the mapping would kill the process (SIGBUS)."""
        if self._file is None:
            return
        for suffix in ("-wal", "-shm"):
            side = Path(f"{self._file}{suffix}")
            if side.exists() and not os.access(side, os.R_OK | os.W_OK):
                raise PermissionError(f"{side.name} is not writable")


def _sqlite_file(url: str) -> Path | None:
    parsed = make_url(url)
    database = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _reason(exc: BaseException) -> str:
    # driver messages can quote SQL parameters; PermissionError's text is ours and names only a file
    return str(exc) if isinstance(exc, PermissionError) else type(exc).__name__
