"""Hand-off through the API as residents and the team use it: redaction, contacts kept apart, the secret,
roles, rate limit, metrics, and errors that are never a 500."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, inspect, select, text

from app.settings import Settings
from app.storage.link import StorageDown
from app.storage.tables import HandoffContact, HandoffTicket
from tests.editorial.helpers import EDITOR, PUBLISHER, VIEWER, auth

ID_NUMBER = "001203004567"
PHONE = "0912345678"
CONTACT = "chị Lan, 0987 654 321"
QUESTION = f"Tôi mất thẻ căn cước số {ID_NUMBER}, xin làm lại ở đâu? Gọi tôi qua {PHONE}"


def _open(client: TestClient, question: str = QUESTION, **fields: Any) -> dict[str, Any]:
    r = client.post("/api/handoff", json={"question": question, **fields})
    assert r.status_code == 201, r.text
    return r.json()


def _tickets(client: TestClient, token: str = EDITOR, status: str = "open") -> list[dict[str, Any]]:
    r = client.get("/admin/handoff", params={"status": status}, headers=auth(token))
    assert r.status_code == 200, r.text
    return r.json()["items"]


def _rows(settings: Settings) -> list[str]:
    """Every value of every row of every table, as text."""
    engine = create_engine(settings.storage_url())
    try:
        with engine.connect() as connection:
            values: list[str] = []
            for table in inspect(connection).get_table_names():
                for row in connection.execute(text(f'SELECT * FROM "{table}"')):
                    values.extend(str(v) for v in row)
            return values
    finally:
        engine.dispose()


def test_resident_hands_off_team_answers_and_resident_reads_the_reply_then_closes(client: TestClient):
    created = _open(client, contact=CONTACT)
    assert re.fullmatch(r"[2-9A-HJKMNP-TW-Z]{8}", created["code"]) and len(created["secret"]) >= 32
    key = {"code": created["code"], "secret": created["secret"]}
    waiting = client.post("/api/handoff/status", json=key).json()
    assert waiting["status"] == "open" and waiting["reply"] is None
    assert ID_NUMBER not in waiting["question"] and "[CCCD]" in waiting["question"]

    [ticket] = _tickets(client)
    assert ticket["code"] == created["code"] and ticket["contact"] == CONTACT
    r = client.post(f"/admin/handoff/{ticket['id']}/answer", json={"reply": "Anh chị đến Công an phường."},
                    headers=auth(EDITOR))
    assert r.status_code == 200 and r.json()["ticket"]["answered_by"] == "minh"
    assert _tickets(client) == []

    # the code is typed back as a resident would read it: lower case, with a space
    spoken = {"code": created["code"][:4].lower() + " " + created["code"][4:], "secret": created["secret"]}
    seen = client.post("/api/handoff/status", json=spoken).json()
    assert seen["status"] == "answered" and seen["reply"] == "Anh chị đến Công an phường." and seen["answered_at"]

    closed = client.post("/api/handoff/close", json=key)
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    [done] = _tickets(client, status="closed")
    assert done["contact"] is None
    again = client.post(f"/admin/handoff/{done['id']}/answer", json={"reply": "Thêm"}, headers=auth(EDITOR))
    assert again.status_code == 409 and again.json()["detail"].startswith("Yêu cầu")


def test_question_is_stored_redacted_and_the_contact_apart_until_the_ticket_is_closed(
        client: TestClient, settings: Settings):
    created = _open(client, contact=CONTACT)
    values = _rows(settings)
    assert not any(ID_NUMBER in v or PHONE in v for v in values)
    engine = create_engine(settings.storage_url())
    try:
        with engine.connect() as connection:
            [question] = connection.execute(select(HandoffTicket.question)).scalars()
            [contact] = connection.execute(select(HandoffContact.contact)).scalars()
        assert "[CCCD]" in question and "[SĐT]" in question and CONTACT not in question
        assert contact == CONTACT
        [ticket] = _tickets(client)
        assert client.post(f"/admin/handoff/{ticket['id']}/close", headers=auth(EDITOR)).status_code == 200
        with engine.connect() as connection:
            assert connection.execute(select(HandoffContact.ticket_id)).all() == []
    finally:
        engine.dispose()
    assert not any("987 654 321" in v for v in _rows(settings))
    assert client.post("/api/handoff/status", json=created).json()["status"] == "closed"


def test_a_communes_team_lists_the_tickets_sent_from_its_area(client: TestClient):
    _open(client, "Đổi địa chỉ trên VNeID ở phường Một thế nào?", area="tinh-a-phuong-mot")
    _open(client, "Làm lại thẻ căn cước ở xã Hai ở đâu?", area="tinh-a-xa-hai")
    _open(client, "Câu hỏi không nói nơi nào")
    r = client.get("/admin/handoff", params={"area": "tinh-a-phuong-mot"}, headers=auth(EDITOR))
    assert r.status_code == 200
    assert [t["question"] for t in r.json()["items"]] == ["Đổi địa chỉ trên VNeID ở phường Một thế nào?"]
    assert len(_tickets(client)) == 3
    assert client.get("/admin/handoff", params={"area": "Phường Một!"}, headers=auth(EDITOR)).status_code == 422


def test_the_code_without_its_secret_reveals_nothing(client: TestClient):
    created = _open(client)
    wrong = client.post("/api/handoff/status", json={"code": created["code"], "secret": "guess" * 8})
    unknown = client.post("/api/handoff/status", json={"code": "ZZZZZZZZ", "secret": created["secret"]})
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json() == unknown.json() and wrong.json()["detail"].startswith("Không tìm thấy")
    assert client.post("/api/handoff/close", json={"code": created["code"], "secret": "x"}).status_code == 404
    assert client.post("/api/handoff/status", json=created).json()["status"] == "open"


def test_no_personal_data_in_exports_or_logs(client: TestClient, caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.DEBUG)
    client.post("/api/chat", json={"question": QUESTION})
    _open(client, contact=CONTACT)
    client.app.state.assistant.writer.flush(timeout=10)  # type: ignore[attr-defined]
    [ticket] = _tickets(client)
    client.post(f"/admin/handoff/{ticket['id']}/answer", json={"reply": "Đến Công an phường."}, headers=auth(EDITOR))
    assert client.post(f"/admin/handoff/{ticket['id']}/draft", headers=auth(EDITOR)).status_code == 201
    exports = [client.get(path, headers=auth(PUBLISHER)).text for path in (
        "/admin/unanswered?format=csv", "/admin/unanswered", "/admin/feedback?format=csv", "/admin/drafts",
        "/admin/audit", "/admin/unanswered/groups", "/metrics")]
    for secret in (ID_NUMBER, PHONE, "987 654 321"):
        assert not any(secret in page for page in exports)
        assert secret not in caplog.text


def test_team_routes_need_an_editor(client: TestClient):
    _open(client)
    assert client.get("/admin/handoff").status_code == 401
    refused = client.get("/admin/handoff", headers=auth(VIEWER))
    assert refused.status_code == 403 and refused.json()["detail"].startswith("Chỉ biên tập viên")
    [ticket] = _tickets(client, PUBLISHER)
    assert client.post(f"/admin/handoff/{ticket['id']}/answer", json={"reply": "x"},
                       headers=auth(VIEWER)).status_code == 403
    assert client.post("/admin/handoff/999999/answer", json={"reply": "x"}, headers=auth(EDITOR)).status_code == 404
    assert client.post("/admin/handoff/0/close", headers=auth(EDITOR)).status_code == 422


def test_the_answer_becomes_a_pending_draft_for_editors(client: TestClient):
    _open(client, "Lệ phí đổi giấy phép lái xe trên Cổng dịch vụ công là bao nhiêu?")
    [ticket] = _tickets(client)
    early = client.post(f"/admin/handoff/{ticket['id']}/draft", headers=auth(EDITOR))
    assert early.status_code == 409 and early.json()["detail"].startswith("Hãy trả lời")
    client.post(f"/admin/handoff/{ticket['id']}/answer", json={"reply": "Lệ phí là 115.000 đồng."},
                headers=auth(EDITOR))
    made = client.post(f"/admin/handoff/{ticket['id']}/draft", headers=auth(EDITOR))
    assert made.status_code == 201
    [draft] = client.get("/admin/drafts", headers=auth(VIEWER)).json()["items"]
    assert draft["id"] == made.json()["draft"]["id"] and draft["author"] == "minh"
    assert draft["entry"]["question"].startswith("Lệ phí đổi giấy phép") and draft["entry"]["answer"].startswith("Lệ")
    [answered] = _tickets(client, status="answered")
    assert answered["draft_id"] == draft["id"]


@pytest.mark.parametrize(("body", "message"), [
    ({"question": "   "}, "Câu hỏi không được để trống"),
    ({"question": "x" * 1001}, "Câu hỏi quá dài"),
    ({"question": "Hỏi", "contact": "y" * 201}, "Thông tin liên hệ không hợp lệ"),
    ({"question": "Hỏi", "contact": "a\u0000b"}, "Thông tin liên hệ không hợp lệ"),
    ({"question": "Hỏi", "area": "../etc"}, "Yêu cầu không hợp lệ"),
    ({"contact": "0912345678"}, "Yêu cầu không hợp lệ"),
])
def test_bad_input_is_a_422_in_vietnamese_first(client: TestClient, body: dict[str, Any], message: str):
    r = client.post("/api/handoff", json=body)
    assert r.status_code == 422 and r.json()["detail"].startswith(message)


def test_storage_down_is_a_503_never_a_500(client: TestClient, monkeypatch: pytest.MonkeyPatch):
    created = _open(client)

    def down(*_: object) -> None:
        raise StorageDown("test")

    monkeypatch.setattr(client.app.state.assistant.storage, "call", down)  # type: ignore[attr-defined]
    for path, body in (("/api/handoff", {"question": "Hỏi"}), ("/api/handoff/status", created),
                       ("/api/handoff/close", created)):
        r = client.post(path, json=body)
        assert r.status_code == 503 and r.json()["detail"].startswith("Hệ thống lưu trữ")
    assert client.get("/admin/handoff", headers=auth(EDITOR)).status_code == 503


def test_opening_tickets_is_rate_limited_and_counted(settings: Settings):
    from app.main import create_app

    limited = settings.model_copy(update={"handoff_rate_limit": "2/hour"})
    with TestClient(create_app(limited), client=("127.0.0.1", 50000)) as client:
        first, second = _open(client), _open(client)
        refused = client.post("/api/handoff", json={"question": "Hỏi lần ba"})
        assert refused.status_code == 429 and refused.json()["detail"].startswith("Bạn đã hỏi quá nhiều")
        assert int(refused.headers["retry-after"]) > 0
        # reading the reply is not held to the tighter limit
        assert client.post("/api/handoff/status", json=first).status_code == 200
        [ticket, _] = _tickets(client)
        client.post(f"/admin/handoff/{ticket['id']}/answer", json={"reply": "Có."}, headers=auth(EDITOR))
        client.post("/api/handoff/close", json=second)
        client.post("/api/handoff/close", json=second)  # closing twice counts once
        metrics = client.get("/metrics").text
    assert 'assistant_handoff_tickets_total{event="opened"} 2.0' in metrics
    assert 'assistant_handoff_tickets_total{event="answered"} 1.0' in metrics
    assert 'assistant_handoff_tickets_total{event="closed"} 1.0' in metrics


def test_a_chat_session_token_links_the_ticket_and_a_forged_one_is_ignored(client: TestClient, settings: Settings):
    token = client.post("/api/chat", json={"question": "Đề án 06 là gì?"}).json()["session_id"]
    _open(client, session_id=token)
    _open(client, session_id="forged.token")
    engine = create_engine(settings.storage_url())
    try:
        with engine.connect() as connection:
            ids = connection.execute(select(HandoffTicket.session_id).order_by(HandoffTicket.id)).scalars().all()
    finally:
        engine.dispose()
    assert ids[0] and ids[0] in token and ids[1] is None


def test_erasing_the_chat_session_erases_its_tickets_and_contacts(client: TestClient, settings: Settings):
    token = client.post("/api/chat", json={"question": "Đề án 06 là gì?"}).json()["session_id"]
    created = _open(client, session_id=token, contact=CONTACT)
    client.app.state.assistant.writer.flush(timeout=10)  # type: ignore[attr-defined]
    assert client.post("/api/session/erase", json={"session_id": token}).json()["deleted"] >= 2
    assert client.post("/api/handoff/status", json=created).status_code == 404
    assert not any("987 654 321" in v or "[CCCD]" in v for v in _rows(settings))


def test_settings_refuse_a_handoff_limit_that_is_not_a_rate():
    with pytest.raises(ValueError, match="rate must look like"):
        Settings(handoff_rate_limit="lots")
    with pytest.raises(ValueError, match="handoff_contact_days"):
        Settings(handoff_contact_days=0)
