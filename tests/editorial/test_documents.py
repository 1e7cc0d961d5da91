"""Documents uploaded on the admin page: read as the ingest command reads them, previewed, published, cited."""

from __future__ import annotations

import base64
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.knowledge.loader import load_knowledge
from app.main import create_app
from app.settings import Settings
from tests.editorial.helpers import ADMIN, EDITOR, PUBLISHER, VIEWER, auth
from tests.editorial.uploads import (
    DECREE_QUESTION,
    GUIDE_QUESTION,
    GUIDE_STEPS,
    GUIDE_TITLE,
    write_decree_docx,
    write_guide_pdf,
)
from tests.ingest.documents import DECREE_NUMBER, write_scanned_pdf


def _upload(client: TestClient, path: Path, token: str = EDITOR, **options: Any) -> Any:
    body = {"file_name": path.name, "content_base64": base64.b64encode(path.read_bytes()).decode(), **options}
    return client.post("/admin/documents", json=body, headers=auth(token))


def _publish(client: TestClient, draft_id: int) -> dict[str, Any]:
    r = client.post(f"/admin/drafts/{draft_id}/publish", headers=auth(PUBLISHER))
    assert r.status_code == 200, r.text
    result: dict[str, Any] = r.json()
    return result


def test_a_decree_uploaded_as_docx_is_cited_by_its_khoan_with_its_status(desk_client: TestClient,
                                                                        editorial: Settings, tmp_path: Path):
    docx_file = write_decree_docx(tmp_path / "nghi-dinh-69.docx")
    r = _upload(desk_client, docx_file, status="in_force", topics=["vneid"])
    assert r.status_code == 201, r.text
    document, draft = r.json()["document"], r.json()["draft"]
    # what the file states is read from it; the status came from the options; nothing is missing
    assert document["article_id"] == "nghi-dinh-69" and document["layout"] == "legal"
    assert document["fields"]["number"] == {"value": DECREE_NUMBER, "from": "file"}
    assert document["fields"]["issued"] == {"value": "2024-07-01", "from": "file"}
    assert document["fields"]["kind"] == {"value": "decree", "from": "file"}
    assert document["fields"]["status"] == {"value": "in_force", "from": "options"}
    assert document["missing"] == [] and document["outcome"] == "added"
    assert document["questions"][:2] == [f"Điều 1 Nghị định {DECREE_NUMBER} quy định gì về tài khoản thử nghiệm?",
                                         f"Điều 2 Nghị định {DECREE_NUMBER} quy định gì về mã xác nhận?"]
    assert (draft["action"], draft["entry_id"], draft["status"]) == ("ingest", "nghi-dinh-69", "pending")
    assert draft["questions"] == document["questions"]
    assert not (editorial.knowledge_dir / "articles" / "nghi-dinh-69.md").exists()

    preview = desk_client.post(f"/admin/drafts/{draft['id']}/preview", json={"questions": [DECREE_QUESTION]},
                               headers=auth(EDITOR)).json()
    assert preview["problems"] == [] and preview["before"][0]["status"] != "answered"
    after = preview["after"][0]
    assert after["status"] == "answered" and after["matched_id"] == "nghi-dinh-69"
    assert (after["cited"], after["cited_status"]) == (f"Điều 12 khoản 2, Nghị định {DECREE_NUMBER}", "in_force")

    review = desk_client.get(f"/admin/drafts/{draft['id']}", headers=auth(VIEWER)).json()
    assert review["before"] == "" and "+++ b/articles/nghi-dinh-69.md" in review["diff"]
    assert f"number: {DECREE_NUMBER}" in review["after"] and "origin: nghi-dinh-69.docx" in review["after"]

    refused = desk_client.post(f"/admin/drafts/{draft['id']}/publish", headers=auth(EDITOR))
    assert refused.status_code == 403 and refused.json()["detail"].startswith("Chỉ người duyệt")
    result = _publish(desk_client, draft["id"])
    assert result["file"] == "nghi-dinh-69.md"
    written = (editorial.knowledge_dir / "articles" / "nghi-dinh-69.md").read_text(encoding="utf-8")
    assert written == review["after"]
    assert load_knowledge(editorial.knowledge_dir).articles["nghi-dinh-69"].status == "in_force"

    chat = desk_client.post("/api/chat", json={"question": DECREE_QUESTION}).json()
    assert chat["status"] == "answered" and "a) Người dùng vi phạm" in chat["answer"]
    cited = chat["citations"][0]
    assert cited["title"] == f"Điều 12 khoản 2, Nghị định {DECREE_NUMBER}"
    assert (cited["status"], cited["published"]) == ("in_force", "2024-07-01")
    items = desk_client.get("/admin/audit", headers=auth(VIEWER)).json()["items"]
    assert [(i["who"], i["action"], i["entry_id"]) for i in reversed(items)] == [
        ("minh", "draft", "nghi-dinh-69"), ("hoa", "publish", "nghi-dinh-69")]


def test_a_pdf_guide_is_quoted_step_by_step_and_a_new_version_replaces_it(desk_client: TestClient,
                                                                         editorial: Settings, tmp_path: Path):
    guide = write_guide_pdf(tmp_path / "huong-dan-ly-lich-tu-phap.pdf")
    r = _upload(desk_client, guide, publisher="Sở Tư pháp tỉnh Mẫu", topics=["thu-tuc"],
                questions=[GUIDE_QUESTION])
    assert r.status_code == 201, r.text
    document, draft = r.json()["document"], r.json()["draft"]
    assert document["title"] == GUIDE_TITLE and document["layout"] == "steps"
    assert document["fields"]["published"] == {"value": "2025-03-15", "from": "file"}
    assert document["fields"]["publisher"] == {"value": "Sở Tư pháp tỉnh Mẫu", "from": "options"}
    assert draft["questions"] == [GUIDE_QUESTION]
    _publish(desk_client, draft["id"])
    chat = desk_client.post("/api/chat", json={"question": GUIDE_QUESTION}).json()
    assert chat["status"] == "answered", chat
    positions = [chat["answer"].find(step) for step in GUIDE_STEPS]
    assert -1 not in positions and positions == sorted(positions)
    assert (chat["citations"][0]["title"], chat["citations"][0]["published"]) == (GUIDE_TITLE, "2025-03-15")

    # the same file again changes nothing; a changed one replaces its passages
    again = _upload(desk_client, guide, publisher="Sở Tư pháp tỉnh Mẫu", topics=["thu-tuc"])
    assert again.status_code == 200 and again.json()["draft"] is None
    assert again.json()["document"]["outcome"] == "unchanged"
    new_step = "Bước 4: Nộp lệ phí qua ứng dụng ngân hàng và nhận phiếu lý lịch tư pháp mẫu tại nhà."
    write_guide_pdf(guide, GUIDE_STEPS[:3] + [new_step])
    changed = _upload(desk_client, guide, publisher="Sở Tư pháp tỉnh Mẫu", topics=["thu-tuc"])
    assert changed.status_code == 201 and changed.json()["document"]["outcome"] == "replaced"
    diff = desk_client.get(f"/admin/drafts/{changed.json()['draft']['id']}", headers=auth(PUBLISHER)).json()["diff"]
    assert "\n-Bước 4: Nộp lệ phí trực tuyến" in diff and f"\n+{new_step}\n" in diff
    _publish(desk_client, changed.json()["draft"]["id"])
    chat = desk_client.post("/api/chat", json={"question": GUIDE_QUESTION}).json()
    assert "ứng dụng ngân hàng" in chat["answer"] and "Nộp lệ phí trực tuyến" not in chat["answer"]

    # an ingested article is retired like an entry: its file goes, the index forgets it
    retire = desk_client.post("/admin/drafts", json={"action": "retire", "entry_id": "huong-dan-ly-lich-tu-phap"},
                              headers=auth(EDITOR))
    assert retire.status_code == 201, retire.text
    _publish(desk_client, retire.json()["draft"]["id"])
    assert not (editorial.knowledge_dir / "articles" / "huong-dan-ly-lich-tu-phap.md").exists()
    chat = desk_client.post("/api/chat", json={"question": GUIDE_QUESTION}).json()
    assert all(c["id"] != "huong-dan-ly-lich-tu-phap" for c in chat["citations"])


def test_a_date_neither_stated_nor_given_is_reported_missing(desk_client: TestClient, tmp_path: Path):
    guide = write_guide_pdf(tmp_path / "huong-dan-khong-ngay.pdf", dated=False)
    # as `base64` on the command line writes it, wrapped in lines
    body = {"file_name": guide.name, "content_base64": base64.encodebytes(guide.read_bytes()).decode(),
            "topics": ["thu-tuc"]}
    r = desk_client.post("/admin/documents", json=body, headers=auth(EDITOR))
    assert r.status_code == 201, r.text
    document = r.json()["document"]
    assert document["missing"] == ["published"] and document["fields"]["published"] == {"value": None,
                                                                                          "from": None}
    after = desk_client.get(f"/admin/drafts/{r.json()['draft']['id']}", headers=auth(VIEWER)).json()["after"]
    assert "published: null" in after


@pytest.fixture()
def small_upload_client(editorial: Settings) -> Iterator[TestClient]:
    """The editors' app with a 4 KB upload limit."""
    with TestClient(create_app(editorial.model_copy(update={"admin_upload_max_bytes": 4096}))) as c:
        yield c


def test_uploads_that_cannot_be_read_get_a_vietnamese_4xx(desk_client: TestClient, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch):
    guide = write_guide_pdf(tmp_path / "huong-dan.pdf")
    viewer = _upload(desk_client, guide, token=VIEWER)
    assert viewer.status_code == 403 and viewer.json()["detail"].startswith("Chỉ biên tập viên")
    bad = desk_client.post("/admin/documents", json={"file_name": "a.pdf", "content_base64": "không phải@@"},
                           headers=auth(EDITOR))
    assert bad.status_code == 422 and bad.json()["detail"].startswith("Nội dung tệp không phải base64")
    table = tmp_path / "bang-tinh.xlsx"
    table.write_bytes(b"PK\x03\x04 not really a spreadsheet")
    unsupported = _upload(desk_client, table)
    assert unsupported.status_code == 415 and unsupported.json()["detail"].startswith("Định dạng tệp không")
    scanned = _upload(desk_client, write_scanned_pdf(tmp_path / "ban-quet.pdf", tmp_path))
    assert scanned.status_code == 422
    assert scanned.json()["detail"].startswith("Không nạp được tài liệu: tệp PDF không có lớp chữ")
    assert "ban-quet.pdf: the PDF has no text layer" in scanned.json()["detail"]
    broken = tmp_path / "hong.docx"
    broken.write_bytes(b"this is no zip file")
    assert _upload(desk_client, broken).status_code == 422
    no_extension = desk_client.post("/admin/documents", json={"file_name": "..", "content_base64": "YWJj"},
                                     headers=auth(EDITOR))
    assert no_extension.status_code == 422 and "phần mở rộng" in no_extension.json()["detail"]
    # a server without the `ingest` extra says so, rather than failing
    decree = write_decree_docx(tmp_path / "nghi-dinh.docx")
    monkeypatch.setitem(sys.modules, "docx", None)
    missing = _upload(desk_client, decree)
    assert missing.status_code == 501 and missing.json()["detail"].startswith("Máy chủ chưa cài bộ đọc")
    assert desk_client.get("/admin/drafts", headers=auth(ADMIN)).json()["items"] == []


def test_an_oversized_upload_gets_413_with_the_limit(small_upload_client: TestClient, tmp_path: Path):
    guide = write_guide_pdf(tmp_path / "huong-dan.pdf")
    assert guide.stat().st_size > 4096
    r = _upload(small_upload_client, guide)
    assert r.status_code == 413 and r.json()["detail"].startswith("Tệp quá lớn: tối đa 4 KB. / ")
    huge = {"file_name": "lon.pdf", "content_base64": "A" * 200_000}
    r = small_upload_client.post("/admin/documents", json=huge, headers=auth(EDITOR))
    assert r.status_code == 413 and r.json()["detail"].startswith("Yêu cầu quá lớn")
