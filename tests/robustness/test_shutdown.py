"""Stopping a real server under load: SIGTERM loses no answered conversation; SIGKILL loses at most what
was queued for the database at that moment (README, "Reliability")."""

from __future__ import annotations

import json
import signal
import sqlite3
import threading
import time
from pathlib import Path

from tests.robustness.load import Request, run_load
from tests.robustness.server import serve

CLIENTS = 8
QUEUE = 500


def _questions(client: int, n: int) -> Request:
    # every question new, so each is answered (and recorded) rather than served from the cache
    return Request("POST", "/api/chat", {"question": f"Đăng ký định danh điện tử mức 2 ở đâu? ({client}-{n})"})


def _load_then(kill: signal.Signals, served_kb: dict[str, str], tmp_path: Path) -> tuple[set[str], set[str]]:
    """Answered message ids under load until the server got `kill`, and the ids in its database after."""
    answered: set[str] = set()
    lock = threading.Lock()

    def collect(_: Request, status: int, body: bytes, __: float) -> str | None:
        if status == 200:
            with lock:
                answered.add(json.loads(body)["message_id"])
        return None  # refused or cut connections during the stop are expected

    env = {**served_kb, "STORAGE_QUEUE": str(QUEUE), "STORAGE_DRAIN_SECONDS": "20"}
    with serve(env, tmp_path / "server.log") as server:
        stop = threading.Event()
        load = threading.Thread(target=run_load, args=(server.host, server.port, CLIENTS),
                                kwargs={"stop": stop, "make_request": _questions, "check": collect, "timeout": 10})
        load.start()
        time.sleep(4)
        server.process.send_signal(kill)
        server.process.wait(timeout=60)
        stop.set()
        load.join(30)
    with sqlite3.connect(Path(served_kb["DATA_DIR"]) / "assistant.db") as db:
        stored = {row[0] for row in db.execute("select id from conversations")}
    return answered, stored


def test_sigterm_under_load_loses_no_answered_conversation(served_kb: dict[str, str], tmp_path: Path):
    answered, stored = _load_then(signal.SIGTERM, served_kb, tmp_path)
    assert len(answered) > 20, "the load did not get going"
    assert answered - stored == set(), f"{len(answered - stored)} of {len(answered)} answered conversations lost"


def test_sigkill_under_load_loses_at_most_the_queued_writes(served_kb: dict[str, str], tmp_path: Path):
    answered, stored = _load_then(signal.SIGKILL, served_kb, tmp_path)
    lost = answered - stored
    assert len(answered) > 20, "the load did not get going"
    # the documented bound: what was queued for the database when the process died (STORAGE_QUEUE)
    assert len(lost) <= QUEUE, f"{len(lost)} lost"
    print(f"SIGKILL under load: {len(lost)} of {len(answered)} answered conversations lost (bound {QUEUE})")
