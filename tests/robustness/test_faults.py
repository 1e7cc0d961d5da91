"""Faults: a corrupted index, an unreachable or full database, an unreachable Redis."""

from __future__ import annotations

import logging
import re
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.exc import OperationalError

from app.index.store import read_manifest
from app.main import create_app
from app.service import Assistant
from app.settings import Settings
from app.storage.models import ConversationRecord
from app.storage.store import Store
from tests.robustness.server import free_port

QUESTION = {"question": "Đề án 06 là gì?"}


def _client(settings: Settings, **update: object) -> TestClient:
    return TestClient(create_app(settings.model_copy(update=update)), client=("127.0.0.1", 50000))


def _metric(client: TestClient, name: str) -> float:
    match = re.search(rf"^{name} (\S+)$", client.get("/metrics").text, re.MULTILINE)
    assert match, f"{name} not in /metrics"
    return float(match.group(1))


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _flip_a_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[-7] ^= 0xFF  # a float inside the array: the header still parses, only the checksum can tell
    path.write_bytes(bytes(data))


CORRUPTIONS: dict[str, tuple[str, Callable[[Path], None]]] = {
    "vectors truncated": ("vectors.npy", _truncate),
    "vectors byte flipped": ("vectors.npy", _flip_a_byte),
    "manifest truncated": ("manifest.json", _truncate),
}


def _corrupt(settings: Settings, case: str) -> None:
    name, damage = CORRUPTIONS[case]
    live = settings.index_dir / read_manifest(settings.index_dir)["dir"]
    damage(settings.index_dir / name if name == "manifest.json" else live / name)


@pytest.mark.parametrize("case", CORRUPTIONS)
def test_a_corrupted_index_is_refused_and_the_loaded_one_keeps_serving(small_settings: Settings, case: str):
    with _client(small_settings, manifest_poll_seconds=0) as client:
        before = client.post("/api/chat", json=QUESTION).json()
        _corrupt(small_settings, case)
        assistant: Assistant = client.app.state.assistant  # type: ignore[attr-defined]
        assert assistant.reload() is False
        assert assistant.load_error is not None
        assert "corrupted" in assistant.load_error and "make index" in assistant.load_error
        ready = client.get("/readyz")
        assert ready.status_code == 200 and ready.json()["kb_version"] == before["kb_version"]
        after = client.post("/api/chat", json={"question": "de an 06 nghia la gi"})
        assert after.status_code == 200 and after.json()["status"] == "answered"
        assert after.json()["kb_version"] == before["kb_version"]


@pytest.mark.parametrize("case", CORRUPTIONS)
def test_a_server_started_on_a_corrupted_index_says_what_to_run(small_settings: Settings, case: str):
    _corrupt(small_settings, case)
    with _client(small_settings) as client:
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert "corrupted" in ready.json()["detail"] and "make index" in ready.json()["detail"]
        chat = client.post("/api/chat", json=QUESTION)
        assert chat.status_code == 503 and "make index" in chat.json()["detail"]
        assert client.post("/api/search", json={"query": "đề án 06"}).status_code == 503


def test_an_unreachable_database_costs_no_answer_and_is_reported_degraded(small_settings: Settings):
    url = f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/nothing"
    client = _client(small_settings, database_url=url, storage_drain_seconds=0.5)
    with client:
        assert client.app.state.assistant.store is None  # type: ignore[attr-defined]
        replies = [client.post("/api/chat", json=QUESTION) for _ in range(3)]
        assert all(r.status_code == 200 and r.json()["status"] == "answered" for r in replies)
        ready = client.get("/readyz")
        assert ready.status_code == 200 and ready.json()["storage"] == "degraded"
        assert _metric(client, "assistant_storage_up") == 0.0
        assert _metric(client, "assistant_storage_pending") == 3.0  # waiting, not lost
        # what the resident asked to be stored or erased is refused plainly, never claimed done
        vote = client.post("/api/feedback", json={"message_id": replies[0].json()["message_id"], "helpful": True})
        assert vote.status_code == 503 and "thử lại" in vote.json()["detail"]
    # shut down with the database still away: the waiting conversations are counted as lost
    assert client.app.state.assistant.writer.faults == 3  # type: ignore[attr-defined]


def test_an_unwritable_data_directory_costs_no_answer(small_settings: Settings, tmp_path: Path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the data directory should be")
    with _client(small_settings, data_dir=blocker / "var", storage_drain_seconds=0.5) as client:
        reply = client.post("/api/chat", json=QUESTION)
        assert reply.status_code == 200 and reply.json()["status"] == "answered"
        assert client.get("/readyz").json()["storage"] == "degraded"
        assert _metric(client, "assistant_storage_up") == 0.0


def test_a_full_disk_costs_no_answer_and_loses_no_record_once_space_is_back(small_settings: Settings,
                                                                             monkeypatch: pytest.MonkeyPatch):
    full = threading.Event()
    record = Store.record_conversation

    def disk_full_while_set(store: Store, rec: ConversationRecord) -> None:
        if full.is_set():
            raise OperationalError("INSERT", {}, sqlite3.OperationalError("database or disk is full"))
        record(store, rec)

    monkeypatch.setattr(Store, "record_conversation", disk_full_while_set)
    with _client(small_settings) as client:
        assistant: Assistant = client.app.state.assistant  # type: ignore[attr-defined]
        assert assistant.storage is not None and assistant.writer is not None
        assert assistant.storage.wait_until_up(10)
        full.set()
        replies = [client.post("/api/chat", json=QUESTION) for _ in range(3)]
        assert all(r.status_code == 200 and r.json()["status"] == "answered" for r in replies)
        assert assistant.writer.flush(timeout=1) is False  # the writes wait for space
        assert _metric(client, "assistant_storage_faults_total") == 0.0
        full.clear()
        assert assistant.writer.flush(timeout=30)
        assert assistant.storage.wait_until_up(10)
        stored = {r.message_id for r in assistant.storage.call(Store.list_unanswered)} | {
            m for m in (r.json()["message_id"] for r in replies) if _conversation_exists(assistant, m)}
        assert {r.json()["message_id"] for r in replies} <= stored
        assert _metric(client, "assistant_storage_faults_total") == 0.0


def _conversation_exists(assistant: Assistant, message_id: str) -> bool:
    assert assistant.storage is not None

    def read(store: Store) -> bool:
        with store.engine.connect() as connection:
            found = connection.exec_driver_sql("select count(*) from conversations where id = ?", (message_id,))
            return bool(found.scalar())

    return assistant.storage.call(read)


def test_an_unreachable_redis_falls_back_to_counting_in_memory(small_settings: Settings,
                                                               caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.WARNING, logger="app.ratelimit")
    with _client(small_settings, rate_limit="2/minute", redis_url="redis://127.0.0.1:1/0") as client:
        codes = [client.post("/api/chat", json=QUESTION).status_code for _ in range(3)]
        assert codes == [200, 200, 429]
        assert _metric(client, "assistant_rate_limit_backend_faults_total") > 0
    warnings = [r for r in caplog.records if r.name == "app.ratelimit" and r.levelno == logging.WARNING]
    assert warnings and "unreachable" in warnings[0].getMessage()
