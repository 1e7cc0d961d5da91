"""Two replicas on one index volume: an older image's build attempt, or an older manifest written over the
live one, changes nothing either replica serves; a deliberate rollback (`--force`) reaches both."""

from __future__ import annotations

import json
import logging
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.__main__ import INDEX_REFUSED, main
from app.index.store import read_manifest
from app.main import create_app
from app.settings import Settings

OLD_ANSWER = "Địa chỉ là dichvucong.gov.vn."
NEW_ANSWER = "Địa chỉ của Cổng là dichvucong.gov.vn."
QUESTION = {"question": "Địa chỉ Cổng Dịch vụ công quốc gia là gì?"}
TOKEN = "generations-admin-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def _index(monkeypatch: pytest.MonkeyPatch, knowledge: Path, settings: Settings, *flags: str) -> int:
    """`python -m app index [flags]` as an image whose knowledge/ is `knowledge` runs it on the shared volume."""
    for name, value in (("KNOWLEDGE_DIR", knowledge), ("INDEX_DIR", settings.index_dir),
                        ("DATA_DIR", settings.data_dir), ("ANSWERABILITY_QUESTIONS", "")):
        monkeypatch.setenv(name, str(value))
    return main(["index", *flags])


def _replica(settings: Settings) -> TestClient:
    return TestClient(create_app(settings.model_copy(update={"manifest_poll_seconds": 0.1, "admin_token": TOKEN})))


def _answer(replica: TestClient) -> tuple[int, str]:
    """The generation a replica serves and the start of its answer about the portal's address."""
    reply = replica.post("/api/chat", json=QUESTION)
    assert reply.status_code == 200, reply.text
    generation = replica.get("/admin/index", headers=AUTH).json()["loaded_generation"]
    return generation, reply.json()["answer"].split(" [")[0]


def _eventually(check: Callable[[], bool], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "not reached in time"
        time.sleep(0.1)


@pytest.fixture()
def new_image_knowledge(small_settings: Settings, tmp_path: Path) -> Path:
    """The knowledge/ of a newer image: the fixture's knowledge base with one answer reworded."""
    kb = tmp_path / "new-image" / "knowledge"
    shutil.copytree(small_settings.knowledge_dir, kb)
    faq = kb / "faq" / "faq.yaml"
    faq.write_text(faq.read_text(encoding="utf-8").replace(OLD_ANSWER, NEW_ANSWER), encoding="utf-8")
    return kb


def test_an_older_image_build_attempt_does_not_change_what_either_replica_serves(
        small_settings: Settings, new_image_knowledge: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]):
    old_image_knowledge = small_settings.knowledge_dir  # what the fixture's generation 1 was built from
    with _replica(small_settings) as first, _replica(small_settings) as second:
        assert _answer(first) == _answer(second) == (1, OLD_ANSWER)
        # the newer image's reindex Job publishes its knowledge: generation 2, which both replicas load
        assert _index(monkeypatch, new_image_knowledge, small_settings) == 0
        _eventually(lambda: _answer(first) == _answer(second) == (2, NEW_ANSWER))
        live = (small_settings.index_dir / "manifest.json").read_bytes()
        capsys.readouterr()

        # a pod of the older image starts and runs its `--if-stale` build over its own knowledge/
        assert _index(monkeypatch, old_image_knowledge, small_settings, "--if-stale") == INDEX_REFUSED
        refusal = capsys.readouterr().err
        assert "other knowledge" in refusal and "nothing changed" in refusal and "generation 2" in refusal
        # the older image's Job, applied by mistake: its knowledge was replaced by generation 2, so it is refused too
        assert _index(monkeypatch, old_image_knowledge, small_settings) == INDEX_REFUSED
        assert "take the answers back" in capsys.readouterr().err
        assert (small_settings.index_dir / "manifest.json").read_bytes() == live
        time.sleep(1)  # ten polls of each replica
        assert _answer(first) == _answer(second) == (2, NEW_ANSWER)

        # a deliberate rollback is a new generation, and both replicas follow it
        assert _index(monkeypatch, old_image_knowledge, small_settings, "--force") == 0
        _eventually(lambda: _answer(first) == _answer(second) == (3, OLD_ANSWER))


def test_a_replica_does_not_go_back_to_an_older_generation_written_over_the_live_one(
        small_settings: Settings, new_image_knowledge: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture):
    # what an image from before generations existed writes (its build checks nothing): a manifest without one,
    # here generation 1's manifest put back over generation 2's
    older = {k: v for k, v in read_manifest(small_settings.index_dir).items() if k != "generation"}
    assert _index(monkeypatch, new_image_knowledge, small_settings) == 0
    caplog.set_level(logging.INFO)
    with _replica(small_settings) as first, _replica(small_settings) as second:
        assert _answer(first) == _answer(second) == (2, NEW_ANSWER)
        (small_settings.index_dir / "manifest.json").write_text(json.dumps(older), encoding="utf-8")
        time.sleep(1)  # ten polls of each replica
        for replica in (first, second):
            assert _answer(replica) == (2, NEW_ANSWER)
            status = replica.get("/admin/index", headers=AUTH).json()
            assert status["manifest"]["generation"] == 0 and status["loaded_generation"] == 2
            assert "older than generation 2" in status["load_error"]
            assert replica.get("/readyz").status_code == 200
    refusals = [r for r in caplog.records if r.getMessage() == "index not loaded"
                and "older than generation 2" in r.fields["reason"]]  # type: ignore[attr-defined]
    assert len(refusals) == 2, "logged once by each replica, not on every poll"
