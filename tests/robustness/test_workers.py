"""WORKERS=2: two processes answer on one port, connections reach both, a worker that dies is replaced, and
SIGTERM stops them all with every answered conversation stored."""

from __future__ import annotations

import os
import signal
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from tests.robustness.server import Server, serve


def _workers(server: Server) -> set[int]:
    """The worker processes (multiprocessing also runs a resource tracker, which is not one)."""
    pids: set[int] = set()
    for task in Path(f"/proc/{server.process.pid}/task").glob("*/children"):
        pids |= {int(p) for p in task.read_text().split()}
    return {p for p in pids if b"spawn_main" in _cmdline(p)}


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _ask(server: Server, n: int) -> str:
    status, body = server.request("POST", "/api/chat", {"question": f"Đăng ký định danh điện tử mức 2 ở đâu? ({n})"})
    assert status == 200, server.log_tail()
    return str(body["message_id"])


def _wait_for(condition: Callable[[], bool], seconds: float = 120) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_two_workers_share_the_port_replace_a_dead_one_and_stop_cleanly(served_kb: dict[str, str], tmp_path: Path):
    env = {**served_kb, "WORKERS": "2", "EMBED_THREADS": "1"}
    answered: list[str] = []
    with serve(env, tmp_path / "server.log") as server:
        assert _wait_for(lambda: len(_workers(server)) == 2), server.log_tail()
        # both workers have the port: every one of these fresh connections is answered
        answered += [_ask(server, n) for n in range(20)]
        victim = min(_workers(server))
        # the answers so far leave the workers' queues for the database well within this pause
        time.sleep(2)
        os.kill(victim, signal.SIGKILL)  # as a crash would
        assert _wait_for(lambda: len(_workers(server)) == 2 and victim not in _workers(server)), server.log_tail()
        assert "worker exited" in server.log_path.read_text(encoding="utf-8")
        answered += [_ask(server, n) for n in range(20, 60)]
        workers = _workers(server)
        server.process.send_signal(signal.SIGTERM)
        assert server.process.wait(timeout=90) == 0, server.log_tail()
    assert all(not Path(f"/proc/{pid}").exists() for pid in workers)
    with sqlite3.connect(Path(served_kb["DATA_DIR"]) / "assistant.db") as db:
        stored = {row[0] for row in db.execute("select id from conversations")}
    assert len(answered) == 60 and set(answered) - stored == set()


def test_malloc_arenas_are_capped_unless_the_operator_set_them(monkeypatch) -> None:
    from app.workers import limit_malloc_arenas

    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    assert limit_malloc_arenas() is True  # glibc (Debian, the image): mallopt accepted the cap
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert limit_malloc_arenas() is False  # the operator's own setting wins
