"""'Báo câu trả lời sai': a flag from a hit lands in the editors' queue with the question and the entry cited,
editors resolve it, and the audit log shows both steps."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.editorial.helpers import EDITOR, PUBLISHER, VIEWER, auth


def _audit(client: TestClient) -> list[tuple[str, str, str, str]]:
    items = client.get("/admin/audit", headers=auth(VIEWER)).json()["items"]
    return [(i["who"], i["role"], i["action"], i["entry_id"]) for i in reversed(items)]


def test_a_flag_lands_in_the_editors_queue_with_the_question_and_the_entry(desk: TestClient):
    hit = desk.post("/api/search", json={"query": "địa chỉ cổng dịch vụ công", "k": 3}).json()["hits"][0]
    assert hit["id"] == "dvc-dia-chi"
    body = {"question": "địa chỉ cổng dịch vụ công, gọi giúp 0912345678", "entry_id": hit["id"],
            "reason": "Cổng đã đổi địa chỉ, người dân 079123456789 không vào được"}
    flag = desk.post("/api/helpdesk/flags", json=body, headers=auth(VIEWER))
    assert flag.status_code == 201, flag.text
    queue = desk.get("/api/helpdesk/flags", headers=auth(VIEWER)).json()
    assert queue["count"] == 1
    item = queue["items"][0]
    assert item["question"] == "địa chỉ cổng dịch vụ công, gọi giúp [SĐT]"
    assert item["reason"] == "Cổng đã đổi địa chỉ, người dân [CCCD] không vào được"
    assert (item["entry_id"], item["entry_kind"], item["entry_title"]) == (
        "dvc-dia-chi", "faq", "Địa chỉ Cổng Dịch vụ công quốc gia là gì?")
    assert (item["reporter"], item["status"], item["origin"]) == ("lan", "open", "helpdesk")
    # an article passage can be flagged too (it opens in its file, not as an entry draft)
    passage = desk.post("/api/helpdesk/flags", headers=auth(EDITOR),
                        json={"question": "tỉ lệ dịch vụ công trực tuyến", "entry_id": "bai-chuyen-doi-so#0",
                              "origin": "admin"}).json()["flag"]
    assert passage["reason"] is None
    kinds = {i["entry_id"]: i["entry_kind"] for i in desk.get("/api/helpdesk/flags", headers=auth(VIEWER))
             .json()["items"]}
    assert kinds == {"dvc-dia-chi": "faq", "bai-chuyen-doi-so#0": "article"}
    assert _audit(desk) == [("lan", "viewer", "flag", "dvc-dia-chi"), ("minh", "editor", "flag", "bai-chuyen-doi-so#0")]


def test_editors_resolve_flags_and_viewers_cannot(desk: TestClient):
    assert desk.post("/api/helpdesk/flags", json={"question": "q", "entry_id": "dvc-dia-chi"}).status_code == 401
    assert desk.get("/api/helpdesk/flags").status_code == 401
    flag_id = desk.post("/api/helpdesk/flags", json={"question": "đề án 06 là gì", "entry_id": "da06-la-gi"},
                        headers=auth(VIEWER)).json()["flag"]["id"]
    refused = desk.post(f"/api/helpdesk/flags/{flag_id}/resolve", json={"resolution": "corrected"},
                        headers=auth(VIEWER))
    assert refused.status_code == 403 and refused.json()["detail"].startswith("Chỉ biên tập viên")
    assert desk.post(f"/api/helpdesk/flags/{flag_id}/resolve", json={"resolution": "corrected"}).status_code == 401
    done = desk.post(f"/api/helpdesk/flags/{flag_id}/resolve", json={"resolution": "no_change"}, headers=auth(EDITOR))
    assert done.status_code == 200, done.text
    assert (done.json()["flag"]["status"], done.json()["flag"]["resolved_by"]) == ("resolved", "minh")
    again = desk.post(f"/api/helpdesk/flags/{flag_id}/resolve", json={"resolution": "corrected"},
                      headers=auth(PUBLISHER))
    assert again.status_code == 409 and again.json()["detail"].startswith("Báo sai này đã được xử lý")
    assert desk.post("/api/helpdesk/flags/424242/resolve", json={"resolution": "corrected"},
                     headers=auth(EDITOR)).status_code == 404
    assert desk.get("/api/helpdesk/flags", headers=auth(VIEWER)).json()["count"] == 0
    resolved = desk.get("/api/helpdesk/flags", params={"status": "resolved"}, headers=auth(VIEWER)).json()["items"]
    assert [(f["id"], f["resolution"]) for f in resolved] == [(flag_id, "no_change")]
    assert _audit(desk) == [("lan", "viewer", "flag", "da06-la-gi"), ("minh", "editor", "flag-resolved", "da06-la-gi")]


def test_a_flag_must_name_an_entry_the_knowledge_has_and_a_question(desk: TestClient):
    unknown = desk.post("/api/helpdesk/flags", json={"question": "câu hỏi", "entry_id": "khong-co-muc-nay"},
                        headers=auth(EDITOR))
    assert unknown.status_code == 422 and "khong-co-muc-nay" in unknown.json()["detail"]
    blank = desk.post("/api/helpdesk/flags", json={"question": "   ", "entry_id": "da06-la-gi"}, headers=auth(EDITOR))
    assert blank.status_code == 422 and blank.json()["detail"].startswith("Hãy ghi câu hỏi")
    assert desk.get("/api/helpdesk/flags", params={"status": "all"}, headers=auth(VIEWER)).json()["count"] == 0
