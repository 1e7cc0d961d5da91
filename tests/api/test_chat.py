from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.privacy.session_token import SessionTokens
from app.settings import Settings


def test_faq_question_is_answered_with_its_sources_as_citations(client: TestClient):
    r = client.post("/api/chat", json={"question": "Đề án 06 là gì?"})
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "answered" and body["answer_type"] == "faq"
    assert body["answer"].startswith("Đề án 06 là đề án")
    assert body["answer"].endswith("[1]")
    assert [c["id"] for c in body["citations"]] == ["qd-06-2022"]
    assert body["citations"][0]["published"] == "2022-01-06"
    assert body["kb_version"] and body["message_id"] and body["session_id"]


def test_question_without_diacritics_finds_the_accented_entry(client: TestClient):
    body = client.post("/api/chat", json={"question": "dang ky dinh danh dien tu muc 2 o dau"}).json()
    assert body["status"] == "answered"
    assert "công an xã" in body["answer"]


def test_english_question_gets_the_english_answer(client: TestClient):
    body = client.post("/api/chat", json={"question": "What is Project 06?"}).json()
    assert body["answer"].startswith("Project 06 develops")


def test_article_question_gets_an_extractive_answer_with_markers(client: TestClient):
    body = client.post("/api/chat", json={"question": "Tỉ lệ người dân dùng dịch vụ công trực tuyến năm 2021"}).json()
    assert body["answer_type"] == "extractive"
    assert "9,51%" in body["answer"] and "[1]" in body["answer"]
    assert body["citations"][0]["id"] == "bai-chuyen-doi-so"
    assert body["citations"][0]["url"] is None


def test_off_topic_question_is_refused_without_citations(client: TestClient):
    body = client.post("/api/chat", json={"question": "Công thức nấu phở bò ngon nhất"}).json()
    assert body["status"] == "no_answer" and body["answer_type"] == "none"
    assert body["citations"] == []
    assert "Tổ công nghệ số cộng đồng" in body["answer"]
    assert 1 <= len(body["suggestions"]) <= 3


def test_follow_up_uses_the_previous_question_of_the_session(client: TestClient):
    first = client.post("/api/chat", json={"question": "Đăng ký định danh điện tử mức 1 thế nào?"}).json()
    assert "mức 1" in first["answer"]
    follow = client.post("/api/chat", json={"question": "còn mức 2 thì sao?",
                                            "session_id": first["session_id"]}).json()
    assert follow["session_id"] == first["session_id"]
    assert "công an xã" in follow["answer"]


def test_empty_question_gets_a_vietnamese_422(client: TestClient):
    r = client.post("/api/chat", json={"question": "   "})
    assert r.status_code == 422
    assert r.json()["detail"].startswith("Câu hỏi không được để trống")


def test_too_long_question_gets_422(client: TestClient):
    r = client.post("/api/chat", json={"question": "a" * 1001})
    assert r.status_code == 422 and "quá dài" in r.json()["detail"]


def test_malformed_json_gets_422(client: TestClient):
    r = client.post("/api/chat", content=b'{"question": ', headers={"content-type": "application/json"})
    assert r.status_code == 422 and "JSON" in r.json()["detail"]


def test_wrong_type_gets_422_not_500(client: TestClient):
    r = client.post("/api/chat", json={"question": 5})
    assert r.status_code == 422 and r.json()["detail"].startswith("Yêu cầu không hợp lệ")


def test_search_returns_ranked_hits_with_scores_and_sources(client: TestClient):
    r = client.post("/api/search", json={"query": "dia chi cong dich vu cong", "k": 3})
    assert r.status_code == 200
    hits = r.json()["hits"]
    assert hits[0]["id"] == "dvc-dia-chi" and hits[0]["rank"] == 1
    assert hits[0]["sources"][0]["url"] == "https://dichvucong.gov.vn"
    assert hits[0]["score"] >= hits[-1]["score"]
    assert len(hits) <= 3


def test_feedback_is_stored_for_a_known_message(client: TestClient):
    msg = client.post("/api/chat", json={"question": "Đề án 06 là gì?"}).json()["message_id"]
    assert client.post("/api/feedback", json={"message_id": msg, "helpful": True}).status_code == 204
    assistant = client.app.state.assistant  # type: ignore[attr-defined]
    assistant.writer.flush(timeout=10)
    rows = assistant.store.list_feedback()
    assert [(r.message_id, r.helpful, r.question) for r in rows] == [(msg, True, "Đề án 06 là gì?")]
    assert client.post("/api/feedback", json={"message_id": "nope", "helpful": False}).status_code == 404


def test_health_ready_and_openapi(client: TestClient):
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").status_code == 200
    assert "/api/chat" in client.get("/openapi.json").json()["paths"]


def test_without_an_index_chat_is_503_and_says_run_make_index(tmp_path: Path):
    settings = Settings(knowledge_dir=tmp_path / "kb", index_dir=tmp_path / "none", data_dir=tmp_path / "var")
    with TestClient(create_app(settings)) as c:
        assert c.get("/healthz").status_code == 200
        assert c.get("/readyz").status_code == 503
        r = c.post("/api/chat", json={"question": "Đề án 06 là gì?"})
        assert r.status_code == 503 and "make index" in r.json()["detail"]


def test_server_refuses_an_index_built_with_another_embedder(small_settings: Settings):
    other = small_settings.model_copy(update={"embedder": "hash"})
    with TestClient(create_app(other)) as c:
        r = c.get("/readyz")
        assert r.status_code == 503 and "make index" in r.json()["detail"]


def test_an_entry_that_says_it_has_no_information_is_a_partial_answer_not_an_answer(client: TestClient):
    body = client.post("/api/chat", json={"question": "Số tổng đài hỗ trợ định danh điện tử là số nào?"}).json()
    assert body["status"] == "partial" and body["related_id"] == "vneid-tong-dai"
    assert body["citations"] == []
    assert "chưa có thông tin" in body["answer"] and "công an xã" in body["answer"]
    assert body["suggestions"][0] == "Tổng đài hỗ trợ tài khoản định danh điện tử là số nào?"


def test_a_question_that_stands_alone_is_not_read_as_a_follow_up(client: TestClient):
    first = client.post("/api/chat", json={"question": "Đăng ký định danh điện tử mức 1 thế nào?"}).json()
    assistant = client.app.state.assistant  # type: ignore[attr-defined]
    session = first["session_id"]
    assert assistant.context_for("còn mức 2 thì sao?", session) is not None
    assert assistant.context_for("Tổng đài hỗ trợ VNeID là số nào", session) is None


def test_an_extractive_answer_never_quotes_a_sentence_about_another_country(client: TestClient):
    question = "Tỉ lệ người dân Singapore dùng dịch vụ công trực tuyến năm 2021"
    body = client.post("/api/chat", json={"question": question}).json()
    assert "9,51%" not in body["answer"]
    assert body["status"] != "answered"


FOLLOW_UP = "còn mức 2 thì sao?"


def _resident_session(client: TestClient) -> str:
    body = client.post("/api/chat", json={"question": "Đăng ký định danh điện tử mức 1 thế nào?"}).json()
    return str(body["session_id"])


def test_a_session_token_is_issued_by_the_server_not_chosen_by_the_client(client: TestClient):
    chosen = "my-own-session-name"
    body = client.post("/api/chat", json={"question": "Đề án 06 là gì?", "session_id": chosen}).json()
    assert body["session_id"] != chosen
    session_id, _, signature = body["session_id"].partition(".")
    assert len(session_id) == 32 and signature
    again = client.post("/api/chat", json={"question": "Đề án 06 là gì?", "session_id": body["session_id"]}).json()
    assert again["session_id"] == body["session_id"]


def test_someone_holding_another_residents_session_id_never_gets_its_context(client: TestClient):
    token = _resident_session(client)
    session_id = token.partition(".")[0]
    foreign = SessionTokens("another-replica-key-" + "x" * 32).sign(session_id)
    assistant = client.app.state.assistant  # type: ignore[attr-defined]
    for forged in (session_id, f"{session_id}.{'A' * 22}", f"{session_id}.", foreign, token + "x", "x" * 5000):
        assert assistant.context_for(FOLLOW_UP, forged) is None
        r = client.post("/api/chat", json={"question": FOLLOW_UP, "session_id": forged})
        assert r.status_code == 200, r.text
        fresh = r.json()["session_id"]
        assert fresh != token and fresh.partition(".")[0] != session_id  # a new session, never the named one
    # the resident's own session is untouched by all of that
    follow = client.post("/api/chat", json={"question": FOLLOW_UP, "session_id": token}).json()
    assert follow["session_id"] == token and "công an xã" in follow["answer"]


def test_search_by_get_is_refused_with_a_pointer_to_post(client: TestClient):
    r = client.get("/api/search", params={"q": "số CCCD 001203004567", "k": 3})
    assert r.status_code == 405 and r.headers["allow"] == "POST"
    detail = r.json()["detail"]
    assert detail.startswith("Hãy tìm kiếm bằng POST /api/search") and "001203004567" not in detail
    assert "/api/search" in client.get("/openapi.json").json()["paths"]
    assert set(client.get("/openapi.json").json()["paths"]["/api/search"]) == {"post"}


@pytest.mark.parametrize(("body", "start"), [
    ({"query": "   "}, "Câu hỏi không được để trống"),
    ({"query": "a" * 1001}, "Câu hỏi quá dài"),
    ({"query": "vneid", "k": 0}, "Yêu cầu không hợp lệ (k)"),
    ({"query": "vneid", "k": 51}, "Yêu cầu không hợp lệ (k)"),
    ({"query": "vneid", "k": "năm"}, "Yêu cầu không hợp lệ (k)"),
    ({"query": 5}, "Yêu cầu không hợp lệ (query)"),
    ({"q": "vneid"}, "Yêu cầu không hợp lệ (query)"),
    ([], "Yêu cầu không hợp lệ"),
    (None, "Yêu cầu không hợp lệ"),
])
def test_bad_search_bodies_get_a_vietnamese_422_never_a_500(client: TestClient, body: object, start: str):
    r = client.post("/api/search", json=body)
    assert r.status_code == 422, r.text
    assert r.json()["detail"].startswith(start)


def test_malformed_search_json_gets_a_vietnamese_422(client: TestClient):
    r = client.post("/api/search", content=b'{"query": ', headers={"content-type": "application/json"})
    assert r.status_code == 422 and r.json()["detail"].startswith("Dữ liệu gửi lên không phải JSON hợp lệ")
    r = client.post("/api/search", content=b"\xff\xfe", headers={"content-type": "application/json"})
    assert r.status_code == 422 and " / " in r.json()["detail"]


def test_a_resident_erases_their_own_conversation_with_their_token(tmp_path: Path, small_settings: Settings):
    with TestClient(create_app(small_settings.model_copy(update={"data_dir": tmp_path / "var"}))) as c:
        first = c.post("/api/chat", json={"question": "Đề án 06 là gì?"}).json()
        c.post("/api/chat", json={"question": "Giá vàng hôm nay?", "session_id": first["session_id"]})
        other = c.post("/api/chat", json={"question": "Đề án 06 là gì?"}).json()
        assistant = c.app.state.assistant  # type: ignore[attr-defined]
        assert assistant.writer.flush(timeout=10)
        bare_id = first["session_id"].split(".")[0]
        refused = c.post("/api/session/erase", json={"session_id": bare_id})
        assert refused.status_code == 404 and refused.json()["detail"].startswith("Không tìm thấy phiên")
        erased = c.post("/api/session/erase", json={"session_id": first["session_id"]})
        assert erased.status_code == 200 and erased.json()["deleted"] >= 3  # two conversations and an unanswered
        with assistant.store.engine.connect() as conn:
            left = [r[0] for r in conn.exec_driver_sql("select session_id from conversations")]
        assert left == [other["session_id"].split(".")[0]]
        assert c.post("/api/session/erase", json={"session_id": first["session_id"]}).json()["deleted"] == 0
