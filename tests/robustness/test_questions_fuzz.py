"""Any question text, through the whole stack: an answer or a 422, never a 500."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from app.main import create_app
from app.settings import Settings

VIETNAMESE = "aăâđeêioôơuưyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ\u0300\u0301\u0323 ?.0"


@pytest.fixture(scope="module")
def client(small_kb_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    root = tmp_path_factory.mktemp("questions")
    for name in ("knowledge", "index"):
        shutil.copytree(small_kb_template / name, root / name)
    settings_ = Settings(knowledge_dir=root / "knowledge", index_dir=root / "index", data_dir=root / "var",
                         rate_limit="1000000/minute", manifest_poll_seconds=0)
    with TestClient(create_app(settings_), raise_server_exceptions=False) as c:
        yield c


questions = st.one_of(st.text(max_size=1100), st.text(st.sampled_from(VIETNAMESE), max_size=60))


def _ask(client: TestClient, question: str, session: str | None) -> str | None:
    """Ask within a session; the session token to send next (the server's, once it has issued one)."""
    reply = client.post("/api/chat", json={"question": question, "session_id": session})
    assert reply.status_code in (200, 422), reply.text
    if reply.status_code == 200:
        assert reply.json()["status"] in ("answered", "partial", "no_answer")
        return str(reply.json()["session_id"])
    return session


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(question=questions)
@example(question="\x00\u202e\ufeff")
def test_any_question_gets_an_answer_or_a_422(client: TestClient, question: str):
    _ask(client, question, None)
    search = client.post("/api/search", json={"query": question})
    assert search.status_code in (200, 422), search.text


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(conversation=st.lists(st.one_of(questions, st.sampled_from(["Đề án 06 là gì?", "còn mức 2 thì sao?"])),
                             min_size=1, max_size=4))
@example(conversation=["Đề án 06 là gì?", "?"])
def test_any_conversation_gets_answers_or_422s(client: TestClient, conversation: list[str]):
    session: str | None = None
    for question in conversation:
        session = _ask(client, question, session)


def test_a_lone_surrogate_in_a_question_gets_a_422(client: TestClient):
    reply = client.post("/api/chat", content=b'{"question": "\\ud800 \\u0111\\u0103ng k\\u00fd"}',
                        headers={"Content-Type": "application/json"})
    assert reply.status_code == 422
