"""The editors' loop through the API: roles, checks, preview, publication, reindex, audit, review list."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient

from app.knowledge.loader import load_knowledge
from app.settings import Settings
from tests.editorial.helpers import ADMIN, ANSWER, EDITOR, GROUP, PUBLISHER, VIEWER, auth


def _entry(client: TestClient, questions: list[str], **fields: Any) -> dict[str, Any]:
    entry = client.post("/admin/drafts/prefill", json={"questions": questions}, headers=auth(EDITOR)).json()["entry"]
    return {**entry, "answer": ANSWER, "sources": ["qd-06-2022"], "topics": ["can-cuoc"], **fields}


def _audit(client: TestClient) -> list[tuple[str, str, str, str]]:
    items = client.get("/admin/audit", headers=auth(VIEWER)).json()["items"]
    return [(i["who"], i["role"], i["action"], i["entry_id"]) for i in reversed(items)]


def _ask(client: TestClient, questions: list[str]) -> None:
    for q in questions:
        client.post("/api/chat", json={"question": q})
    client.app.state.assistant.writer.flush(timeout=10)  # type: ignore[attr-defined]


def test_tokens_name_their_holders_and_roles(desk_client: TestClient):
    assert desk_client.get("/admin/me", headers=auth(ADMIN)).json() == {"name": "admin", "role": "publisher"}
    assert desk_client.get("/admin/me", headers=auth(VIEWER)).json() == {"name": "lan", "role": "viewer"}
    assert desk_client.get("/admin/me", headers=auth("not-a-token-at-all-0000")).status_code == 401
    with pytest.raises(ValueError, match="at least 16"):
        Settings(admin_tokens="ai:editor:short")
    with pytest.raises(ValueError, match="viewer, editor, publisher"):
        Settings(admin_tokens="ai:owner:long-enough-token-000")


def test_viewers_read_editors_draft_publishers_publish(desk_client: TestClient, editorial: Settings):
    body = {"action": "add", "entry": _entry(desk_client, GROUP), "questions": GROUP}
    assert desk_client.get("/admin/drafts", headers=auth(VIEWER)).status_code == 200
    refused = desk_client.post("/admin/drafts", json=body, headers=auth(VIEWER))
    assert refused.status_code == 403 and refused.json()["detail"].startswith("Chỉ biên tập viên")
    assert desk_client.post("/admin/preview", json=body, headers=auth(VIEWER)).status_code == 403
    assert desk_client.post("/admin/reindex", headers=auth(EDITOR)).status_code == 403
    draft = desk_client.post("/admin/drafts", json=body, headers=auth(EDITOR))
    assert draft.status_code == 201, draft.text
    draft_id = draft.json()["draft"]["id"]
    for token in (VIEWER, EDITOR):
        r = desk_client.post(f"/admin/drafts/{draft_id}/publish", headers=auth(token))
        assert r.status_code == 403 and r.json()["detail"].startswith("Chỉ người duyệt"), r.text
    assert not (editorial.knowledge_dir / "faq" / "editor-drafts.yaml").exists()
    assert _audit(desk_client) == [("minh", "editor", "draft", "le-phi-cap-the-can-cuoc-lan-dau")]


def test_a_draft_failing_check_kb_is_saved_but_not_published(desk_client: TestClient, editorial: Settings):
    entry = _entry(desk_client, GROUP)
    del entry["review_by"]
    before = (editorial.knowledge_dir / "faq" / "faq.yaml").read_text(encoding="utf-8")
    preview = desk_client.post("/admin/preview", json={"action": "add", "entry": entry, "questions": GROUP},
                               headers=auth(EDITOR)).json()
    assert any("needs a review_by date" in p for p in preview["problems"]) and preview["after"] == []
    draft_id = desk_client.post("/admin/drafts", json={"action": "add", "entry": entry, "questions": GROUP},
                                headers=auth(EDITOR)).json()["draft"]["id"]
    r = desk_client.post(f"/admin/drafts/{draft_id}/publish", headers=auth(PUBLISHER))
    detail = r.json()["detail"]
    assert r.status_code == 422
    assert detail.startswith("Bản nháp chưa đạt kiểm tra") and "needs a review_by date" in detail
    assert not (editorial.knowledge_dir / "faq" / "editor-drafts.yaml").exists()
    assert (editorial.knowledge_dir / "faq" / "faq.yaml").read_text(encoding="utf-8") == before
    # a draft that is not even a FAQ entry is not saved
    bad = desk_client.post("/admin/drafts", json={"action": "add", "entry": {**entry, "phrasings": []}},
                           headers=auth(EDITOR))
    assert bad.status_code == 422 and "phrasings" in bad.json()["detail"]
    assert [a[2] for a in _audit(desk_client)] == ["draft"]


def test_from_a_group_to_published_entry_answering_its_questions(desk_client: TestClient, editorial: Settings):
    _ask(desk_client, GROUP)
    groups = desk_client.get("/admin/unanswered/groups", headers=auth(VIEWER)).json()["groups"]
    group = next(g for g in groups if GROUP[0] in g["questions"])
    entry = _entry(desk_client, group["questions"])
    assert entry["question"] in GROUP and set(entry["phrasings"]) | {entry["question"]} == set(group["questions"])
    entry["phrasings"] += ["miễn lệ phí căn cước", "làm căn cước lần đầu có mất tiền không", "phí làm CCCD"]
    body = {"action": "add", "entry": entry, "questions": group["questions"]}

    preview = desk_client.post("/admin/preview", json=body, headers=auth(EDITOR)).json()
    assert preview["problems"] == []
    assert all(o["status"] != "answered" for o in preview["before"])
    assert [(o["status"], o["matched_id"]) for o in preview["after"]] == [("answered", entry["id"])] * len(
        group["questions"])

    draft_id = desk_client.post("/admin/drafts", json=body, headers=auth(EDITOR)).json()["draft"]["id"]
    pending = desk_client.get("/admin/drafts", headers=auth(VIEWER)).json()["items"]
    assert [d["id"] for d in pending] == [draft_id]
    review = desk_client.get(f"/admin/drafts/{draft_id}", headers=auth(PUBLISHER)).json()
    assert review["before"] == "" and f"- id: {entry['id']}" in review["after"] and "+  answer:" in review["diff"]

    published = desk_client.post(f"/admin/drafts/{draft_id}/publish", headers=auth(PUBLISHER))
    assert published.status_code == 200, published.text
    result = published.json()
    assert [(o["status"], o["matched_id"]) for o in result["after"]] == [("answered", entry["id"])] * len(
        group["questions"])
    live = desk_client.get("/admin/index", headers=auth(VIEWER)).json()["loaded_version"]
    assert result["index_version"] == live
    chat = desk_client.post("/api/chat", json={"question": GROUP[0]}).json()
    assert chat["status"] == "answered" and "miễn lệ phí" in chat["answer"]

    # the entry is in the designated file, as the loader's model dumps it, and the base loads
    written = editorial.knowledge_dir / "faq" / "editor-drafts.yaml"
    assert yaml.safe_load(written.read_text(encoding="utf-8"))[0]["answer"] == ANSWER
    assert load_knowledge(editorial.knowledge_dir).faqs[entry["id"]].sources == ["qd-06-2022"]
    assert desk_client.get("/admin/drafts", headers=auth(VIEWER)).json()["items"] == []
    items = desk_client.get("/admin/audit", headers=auth(VIEWER)).json()["items"]
    assert [(i["who"], i["role"], i["action"], i["index_version"]) for i in reversed(items)] == [
        ("minh", "editor", "draft", None), ("hoa", "publisher", "publish", live)]
    again = desk_client.post(f"/admin/drafts/{draft_id}/publish", headers=auth(PUBLISHER))
    assert again.status_code == 409


def _blocks(text: str) -> dict[str, str]:
    """Each entry's lines of a FAQ file, by id."""
    return {b.split("\n", 1)[0]: b for b in text.split("\n- id: ")[1:]}


def test_editing_and_retiring_touch_only_that_entry(desk_client: TestClient, editorial: Settings):
    faq = editorial.knowledge_dir / "faq" / "faq.yaml"
    before = faq.read_text(encoding="utf-8")
    original = desk_client.get("/admin/entries/vneid-muc-1", headers=auth(VIEWER)).json()["entry"]
    edited = {**original, "answer": "Bạn tự đăng ký mức 1 trên ứng dụng VNeID, cần số điện thoại chính chủ."}
    draft = desk_client.post("/admin/drafts", json={"action": "edit", "entry_id": "vneid-muc-1", "entry": edited},
                             headers=auth(EDITOR)).json()["draft"]
    diff = desk_client.get(f"/admin/drafts/{draft['id']}", headers=auth(PUBLISHER)).json()["diff"]
    assert "-  answer: Bạn tự đăng ký mức 1 trên ứng dụng VNeID." in diff and "+  answer: Bạn tự" in diff
    assert desk_client.post(f"/admin/drafts/{draft['id']}/publish", headers=auth(PUBLISHER)).status_code == 200
    kb = load_knowledge(editorial.knowledge_dir)
    assert kb.faqs["vneid-muc-1"].answer == edited["answer"] and len(kb.faqs) == 5
    # only that entry's lines changed: the hand-written ones stay as typed
    after = _blocks(faq.read_text(encoding="utf-8"))
    assert after.pop("vneid-muc-1") != (old := _blocks(before)).pop("vneid-muc-1") and after == old

    retire = desk_client.post("/admin/drafts", json={"action": "retire", "entry_id": "dvc-dia-chi"},
                              headers=auth(EDITOR)).json()["draft"]
    r = desk_client.post(f"/admin/drafts/{retire['id']}/publish", headers=auth(ADMIN))
    assert r.status_code == 200, r.text
    kb = load_knowledge(editorial.knowledge_dir)
    assert "dvc-dia-chi" not in kb.faqs and set(kb.faqs) == {"da06-la-gi", "vneid-muc-2", "vneid-muc-1",
                                                              "vneid-tong-dai"}
    assert "dvc-dia-chi" not in desk_client.app.state.assistant.composer.knowledge.faqs  # type: ignore[attr-defined]
    assert "dichvucong.gov.vn" not in faq.read_text(encoding="utf-8")
    assert [a[1:] for a in _audit(desk_client)] == [
        ("editor", "draft", "vneid-muc-1"), ("publisher", "publish", "vneid-muc-1"),
        ("editor", "draft", "dvc-dia-chi"), ("publisher", "retire", "dvc-dia-chi")]


def test_entries_past_their_review_date_are_listed(desk_client: TestClient):
    items = desk_client.get("/admin/review", headers=auth(VIEWER)).json()["items"]
    assert [(i["id"], i["review_by"]) for i in items] == [("da06-la-gi", "2026-11-23")]
    sources = desk_client.get("/admin/sources", headers=auth(VIEWER)).json()["items"]
    assert {s["id"] for s in sources} >= {"qd-06-2022", "cong-dvcqg"}


def test_questions_are_redacted_before_a_draft_holds_them(desk_client: TestClient):
    asked = ["Số điện thoại của tôi là 0912 345 678, lệ phí căn cước bao nhiêu?"]
    entry = desk_client.post("/admin/drafts/prefill", json={"questions": asked}, headers=auth(EDITOR)).json()["entry"]
    assert "345 678" not in entry["question"] and "[SĐT]" in entry["question"]
    body = {"action": "add", "entry": _entry(desk_client, GROUP), "questions": asked}
    draft = desk_client.post("/admin/drafts", json=body, headers=auth(EDITOR)).json()["draft"]
    assert draft["questions"] == [entry["question"]]
