"""The desk's session log through the API: what was helped with, the report by date range, no personal data."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any

from fastapi.testclient import TestClient

from app.helpdesk import log
from app.storage import Store
from tests.editorial.helpers import EDITOR, VIEWER, auth
from tests.privacy.test_obfuscation import full_width, survives

PHONE = "0912345678"
CITIZEN_ID = "079123456789"


def _start(client: TestClient, token: str) -> int:
    r = client.post("/api/helpdesk/sessions", headers=auth(token))
    assert r.status_code == 201, r.text
    session_id: int = r.json()["session"]["id"]
    return session_id


def _item(client: TestClient, token: str, session_id: int, **body: Any) -> dict[str, Any]:
    r = client.post(f"/api/helpdesk/sessions/{session_id}/items", json=body, headers=auth(token))
    assert r.status_code == 201, r.text
    out: dict[str, Any] = r.json()
    return out


def _csv(client: TestClient, path: str, **params: str) -> tuple[str, list[dict[str, str]]]:
    r = client.get(path, params={**params, "format": "csv"}, headers=auth(VIEWER))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv"), r.text
    text = r.text.lstrip("\ufeff")
    return text, list(csv.DictReader(io.StringIO(text)))


def _exports(client: TestClient) -> str:
    """Every export of the desk's log, JSON and CSV, as one text."""
    parts = [client.get(path, params={"format": fmt}, headers=auth(VIEWER)).text
             for path in ("/api/helpdesk/items", "/api/helpdesk/report") for fmt in ("json", "csv")]
    return "\n".join(parts)


def test_a_team_counts_residents_helped_per_topic_outcome_and_member(desk: TestClient):
    first = _start(desk, EDITOR)
    _item(desk, EDITOR, first, topic="vneid", outcome="resolved")
    # the hit used names the entry; its topic is recorded with it
    used = _item(desk, EDITOR, first, entry_id="dvc-dia-chi", outcome="referred")["item"]
    assert (used["topic"], used["entry_id"], used["topic_label"]) == ("cong-dvc", "dvc-dia-chi", "Cổng Dịch vụ công")
    ended = desk.post(f"/api/helpdesk/sessions/{first}/end", headers=auth(EDITOR)).json()["session"]
    assert ended["ended_at"] and [i["outcome"] for i in ended["items"]] == ["resolved", "referred"]
    second = _start(desk, EDITOR)
    _item(desk, EDITOR, second, topic="vneid", outcome="not_resolved")
    third = _start(desk, VIEWER)
    _item(desk, VIEWER, third, topic="vneid", outcome="resolved")
    _item(desk, VIEWER, third, topic="vneid", outcome="resolved")
    _start(desk, VIEWER)  # a session with nothing recorded helped no one yet

    report = desk.get("/api/helpdesk/report", headers=auth(VIEWER)).json()
    assert (report["residents"], report["items"]) == (3, 5)
    assert report["by_outcome"] == {"resolved": 3, "referred": 1, "not_resolved": 1}
    topics = {t["topic"]: t for t in report["by_topic"]}
    assert [t["topic"] for t in report["by_topic"]] == ["vneid", "cong-dvc"]  # most residents first
    assert topics["vneid"] == {"topic": "vneid", "label": "VNeID, định danh điện tử", "residents": 3, "items": 4,
                               "resolved": 3, "referred": 0, "not_resolved": 1}
    assert {m["member"]: (m["residents"], m["items"]) for m in report["by_member"]} == {"minh": (2, 3),
                                                                                      "lan": (1, 2)}
    _, rows = _csv(desk, "/api/helpdesk/report")
    assert {(r["member"], r["topic"], r["outcome"], r["residents"], r["items"]) for r in rows} == {
        ("minh", "vneid", "resolved", "1", "1"), ("minh", "cong-dvc", "referred", "1", "1"),
        ("minh", "vneid", "not_resolved", "1", "1"), ("lan", "vneid", "resolved", "1", "2")}
    _, items = _csv(desk, "/api/helpdesk/items")
    assert len(items) == 5 and set(items[0]) >= {"created_at", "member", "topic", "outcome", "note"}


def test_the_export_counts_only_the_days_asked(desk: TestClient):
    storage = desk.app.state.assistant.storage  # type: ignore[attr-defined]
    ict = dt.timezone(dt.timedelta(hours=7))

    def helped(at: dt.datetime, topic: str) -> None:
        def work(store: Store) -> None:
            session = log.start_session(store, "minh", now=at)
            log.record_item(store, session.id, "minh", topic, None, "resolved", None, now=at)
        storage.call(work)

    helped(dt.datetime(2026, 10, 31, 23, 59, tzinfo=dt.UTC), "can-cuoc")
    helped(dt.datetime(2026, 11, 1, 0, 0, tzinfo=dt.UTC), "vneid")
    helped(dt.datetime(2026, 11, 15, 12, 0, tzinfo=dt.UTC), "vneid")
    # 06:30 in Vietnam on 1 December is still 30 November in UTC, the day the report counts it on
    helped(dt.datetime(2026, 12, 1, 6, 30, tzinfo=ict), "thu-tuc")
    helped(dt.datetime(2026, 12, 1, 7, 0, tzinfo=ict), "an-toan")

    def count(**params: str) -> dict[str, int]:
        report = desk.get("/api/helpdesk/report", params=params, headers=auth(VIEWER)).json()
        return {t["topic"]: t["residents"] for t in report["by_topic"]}

    assert count(since="2026-11-01", until="2026-11-30") == {"vneid": 2, "thu-tuc": 1}
    assert count(until="2026-10-31") == {"can-cuoc": 1}
    assert count(since="2026-12-01") == {"an-toan": 1}
    assert count() == {"vneid": 2, "can-cuoc": 1, "thu-tuc": 1, "an-toan": 1}
    _, rows = _csv(desk, "/api/helpdesk/report", since="2026-11-01", until="2026-11-30")
    assert sorted((r["topic"], r["items"]) for r in rows) == [("thu-tuc", "1"), ("vneid", "2")]
    text, _ = _csv(desk, "/api/helpdesk/report", since="2027-01-01")
    assert text.splitlines() == ["member,topic,topic_label,outcome,residents,items"]  # a header even when empty
    bad = desk.get("/api/helpdesk/report", params={"since": "hôm qua"}, headers=auth(VIEWER))
    assert bad.status_code == 422 and bad.json()["detail"].startswith("Yêu cầu không hợp lệ")


def test_a_note_with_an_id_number_or_phone_is_stored_redacted_and_never_exported(desk: TestClient):
    session_id = _start(desk, EDITOR)
    body = _item(desk, EDITOR, session_id, topic="can-cuoc", outcome="referred",
                 note=f"Cô đọc CCCD {CITIZEN_ID} và sđt {PHONE}, hồ sơ số 4821 7730 91 chưa xong")
    assert body["note_redacted"] is True
    note = body["item"]["note"]
    assert "[CCCD]" in note and "[SĐT]" in note and "[SỐ]" in note and "chưa xong" in note
    assert not re.search(r"\d{6}", re.sub(r"\D", "", note))
    plain = _item(desk, EDITOR, session_id, topic="vneid", outcome="resolved", note="  hướng dẫn   cài VNeID  ")
    assert plain["note_redacted"] is False and plain["item"]["note"] == "hướng dẫn cài VNeID"
    # the same numbers written around the filters
    for written in (full_width(PHONE), " ".join(CITIZEN_ID), "không chín một hai ba bốn năm sáu bảy tám",
                    "0912\u200b345678", f"số điện thoại: {PHONE[:4]}.{PHONE[4:7]}.{PHONE[7:]}"):
        assert _item(desk, EDITOR, session_id, topic="vneid", outcome="resolved", note=written)["note_redacted"]
    store: Store = desk.app.state.assistant.store  # type: ignore[attr-defined]
    with store.engine.connect() as conn:
        stored = " ".join(n for (n,) in conn.exec_driver_sql("select note from helpdesk_items") if n)
    exported = _exports(desk)
    assert "[CCCD]" in exported and "cài VNeID" in exported  # the export does carry the (redacted) notes
    for text in (stored, exported):
        for number in (PHONE, CITIZEN_ID, "0912345678", "4821773091"):
            assert not survives(number, text), (number, text)
    too_long = desk.post(f"/api/helpdesk/sessions/{session_id}/items", headers=auth(EDITOR),
                         json={"topic": "vneid", "outcome": "resolved", "note": "x" * 201})
    assert too_long.status_code == 422 and "note" in too_long.json()["detail"]


def test_each_member_records_only_in_their_own_open_session(desk: TestClient):
    assert desk.post("/api/helpdesk/sessions").status_code == 401
    assert desk.get("/api/helpdesk/report").status_code == 401
    assert desk.get("/api/helpdesk/items", headers=auth("not-a-token-at-all-0000")).status_code == 401
    topics = desk.get("/api/helpdesk/topics").json()  # the form's lists need no token
    assert {"id": "vneid", "label": "VNeID, định danh điện tử"} in topics["topics"]
    assert topics["topics"][-1]["id"] == "khac" and len(topics["outcomes"]) == 3
    mine = _start(desk, EDITOR)
    item = {"topic": "vneid", "outcome": "resolved"}
    theirs = desk.post(f"/api/helpdesk/sessions/{mine}/items", json=item, headers=auth(VIEWER))
    assert theirs.status_code == 404
    assert desk.get(f"/api/helpdesk/sessions/{mine}", headers=auth(VIEWER)).status_code == 404
    assert desk.get("/api/helpdesk/sessions/999999", headers=auth(EDITOR)).status_code == 404
    unknown = desk.post(f"/api/helpdesk/sessions/{mine}/items", json={**item, "topic": "bong-da"},
                        headers=auth(EDITOR))
    assert unknown.status_code == 422 and unknown.json()["detail"].startswith("Hãy chọn một chủ đề")
    missing = desk.post(f"/api/helpdesk/sessions/{mine}/items", json={"entry_id": "khong-co", "outcome": "resolved"},
                        headers=auth(EDITOR))
    assert missing.status_code == 422 and "khong-co" in missing.json()["detail"]
    wrong = desk.post(f"/api/helpdesk/sessions/{mine}/items", json={**item, "outcome": "done"}, headers=auth(EDITOR))
    assert wrong.status_code == 422
    desk.post(f"/api/helpdesk/sessions/{mine}/end", headers=auth(EDITOR))
    late = desk.post(f"/api/helpdesk/sessions/{mine}/items", json=item, headers=auth(EDITOR))
    assert late.status_code == 409 and late.json()["detail"].startswith("Phiên hỗ trợ này đã kết thúc")
    assert desk.get(f"/api/helpdesk/sessions/{mine}", headers=auth(EDITOR)).json()["session"]["items"] == []
