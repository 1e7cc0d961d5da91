"""The database goes away and comes back, hangs, or is asked to erase: no record is lost silently and no
resident's request is claimed done when it was not (real PostgreSQL and SQLite)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import make_url
from sqlalchemy.exc import OperationalError

from app.main import create_app
from app.service import Assistant
from app.settings import Settings
from app.storage.store import Store
from tests.robustness.server import free_port
from tests.robustness.tcp_proxy import Proxy
from tests.services import postgres_schema

QUESTION = {"question": "Đề án 06 là gì?"}
PRIVATE_QUESTION = "Tôi ở xóm Đồng Chằm muốn hỏi thủ tục cấp đổi giấy phép lái xe hạng A1 trực tuyến"
TOKEN = "storage-faults-admin-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def _client(settings: Settings, **update: object) -> TestClient:
    return TestClient(create_app(settings.model_copy(update={"admin_token": TOKEN, **update})),
                      client=("127.0.0.1", 50000))


@pytest.fixture
def postgres() -> Iterator[tuple[str, tuple[str, int]]]:
    """(URL of a throwaway schema with {port} for the host port, the real server's address)."""
    with postgres_schema("faults", "the storage fault tests") as url:
        real = make_url(url)
        # the same schema reached through the test's proxy: the host port is filled in per test
        through_proxy = real.set(host="127.0.0.1", port=0).render_as_string(hide_password=False)
        yield (through_proxy.replace("127.0.0.1:0", "127.0.0.1:{port}"), (real.host or "127.0.0.1", real.port or 5432))


def _stored(assistant: Assistant, table: str) -> int:
    assert assistant.storage is not None
    return assistant.storage.call(lambda s: _count(s, table))


def _count(store: Store, table: str) -> int:
    with store.engine.connect() as connection:
        return int(connection.exec_driver_sql(f"select count(*) from {table}").scalar() or 0)


def test_a_database_down_at_start_is_picked_up_when_it_comes_back(small_settings: Settings, postgres: tuple):
    url, target = postgres
    port = free_port()
    with _client(small_settings, database_url=url.format(port=port)) as client:
        assistant: Assistant = client.app.state.assistant  # type: ignore[attr-defined]
        assert client.get("/readyz").json()["storage"] == "degraded"
        before = [client.post("/api/chat", json=QUESTION).json()["message_id"] for _ in range(2)]
        proxy = Proxy(port, target).start()
        try:
            started = time.monotonic()
            assert assistant.storage is not None and assistant.storage.wait_until_up(30), "no reconnect in 30 s"
            assert assistant.writer is not None and assistant.writer.flush(timeout=30)
            assert time.monotonic() - started < 30
            after = client.post("/api/chat", json=QUESTION).json()["message_id"]
            assert assistant.writer.flush(timeout=10)
            assert client.get("/readyz").json()["storage"] == "ok"
            # the answers given while it was down were kept in the queue and stored too
            assert _stored(assistant, "conversations") == len(before) + 1 and after
            assert assistant.writer.faults == 0
        finally:
            proxy.close()


def test_a_hung_postgresql_costs_a_request_at_most_the_timeout(small_settings: Settings, postgres: tuple):
    url, target = postgres
    port = free_port()
    proxy = Proxy(port, target).start()
    try:
        with _client(small_settings, database_url=url.format(port=port), storage_timeout_seconds=1.0,
                     storage_drain_seconds=0.5) as client:
            assistant: Assistant = client.app.state.assistant  # type: ignore[attr-defined]
            assert assistant.storage is not None and assistant.storage.wait_until_up(10)
            session = client.post("/api/chat", json=QUESTION).json()["session_id"]
            assert assistant.writer is not None and assistant.writer.flush(timeout=10)
            proxy.frozen.set()
            for method, path in (("GET", "/admin/feedback"), ("DELETE", f"/admin/sessions/{session}")):
                started = time.monotonic()
                reply = client.request(method, path, headers=AUTH)
                took = time.monotonic() - started
                assert reply.status_code == 503 and "thử lại" in reply.json()["detail"], (path, reply.text)
                assert took < 4, f"{path} waited {took:.1f} s on a hung database"
            assert client.get("/readyz").json()["storage"] == "degraded"
            # answers never wait on the database
            started = time.monotonic()
            assert client.post("/api/chat", json=QUESTION).json()["status"] == "answered"
            assert time.monotonic() - started < 4
            proxy.frozen.clear()
    finally:
        proxy.close()


def test_an_erasure_the_database_cannot_do_answers_503_and_claims_nothing(small_settings: Settings,
                                                                         monkeypatch: pytest.MonkeyPatch):
    def read_only(*_: object, **__: object) -> int:
        raise OperationalError("DELETE", {}, OSError("attempt to write a readonly database"))

    with _client(small_settings) as client:
        session = client.post("/api/chat", json=QUESTION).json()["session_id"]
        monkeypatch.setattr(Store, "delete_session", read_only)
        reply = client.delete(f"/admin/sessions/{session}", headers=AUTH)
        assert reply.status_code == 503
        assert reply.json()["detail"].startswith("Hệ thống lưu trữ đang tạm gián đoạn")
        assert "thử lại" in reply.json()["detail"]


def test_an_erased_question_is_gone_from_every_sqlite_file(small_settings: Settings):
    with _client(small_settings) as client:
        assistant: Assistant = client.app.state.assistant  # type: ignore[attr-defined]
        session = client.post("/api/chat", json={"question": PRIVATE_QUESTION}).json()["session_id"]
        assert assistant.writer is not None and assistant.writer.flush(timeout=10)
        files = sorted(Path(small_settings.data_dir).glob("assistant.db*"))
        needle = "Đồng Chằm".encode()
        assert any(needle in f.read_bytes() for f in files), "the question should be on disk before erasure"
        reply = client.delete(f"/admin/sessions/{session}", headers=AUTH)
        assert reply.status_code == 200 and reply.json()["deleted"] >= 1
        # read the files themselves: the main file, the write-ahead log and its index
        for f in sorted(Path(small_settings.data_dir).glob("assistant.db*")):
            assert needle not in f.read_bytes(), f"erased text still in {f.name}"
