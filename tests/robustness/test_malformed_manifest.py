"""A malformed, unreadable or misplaced manifest.json: the server starts, says why on /readyz (503) and
/admin/index (200), logs it once and not on every poll, and loads the index as soon as the manifest is mended."""

from __future__ import annotations

import errno
import json
import logging
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings

TOKEN = "malformed-manifest-admin-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
QUESTION = {"question": "Đề án 06 là gì?"}


Damage = Callable[[Path, pytest.MonkeyPatch], None]


def _rewrite(change: Callable[[dict[str, Any]], Any]) -> Damage:
    def damage(path: Path, _: pytest.MonkeyPatch) -> None:
        path.write_text(json.dumps(change(json.loads(path.read_text(encoding="utf-8")))), encoding="utf-8")
    return damage


def _write(content: bytes) -> Damage:
    return lambda path, _: path.write_bytes(content)


def _directory(path: Path, _: pytest.MonkeyPatch) -> None:
    path.unlink()
    (path / "v-1").mkdir(parents=True)


def _unreadable(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # chmod 000 does not stop root, so the read itself fails, as it does for another user's file on a volume
    original = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self == path:
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return original(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)


# case -> (damage done to manifest.json, what /readyz must say)
CASES: dict[str, tuple[Damage, str]] = {
    "dim missing": (_rewrite(lambda m: {k: v for k, v in m.items() if k != "dim"}), "field 'dim' is missing"),
    "dim a string": (_rewrite(lambda m: {**m, "dim": "384"}), "field 'dim' is of type str"),
    "checksums a list": (_rewrite(lambda m: {**m, "checksums": list(m["checksums"])}),
                         "field 'checksums' is of type list"),
    "version a number": (_rewrite(lambda m: {**m, "version": 7}), "field 'version' is of type int"),
    "generation a string": (_rewrite(lambda m: {**m, "generation": "2"}), "field 'generation' is of type str"),
    "dir outside the index": (_rewrite(lambda m: {**m, "dir": "../../etc"}), "not a directory inside the index"),
    "a JSON list": (_rewrite(lambda m: [m]), "not a JSON object"),
    "newer format": (_rewrite(lambda m: {**m, "format": 2}), "newer release"),
    "truncated JSON": (_write(b'{"format": 1, "version": "abc'), "corrupted"),
    "not UTF-8": (_write(b'{"format": 1, "version": "\xff\xfe"}'), "corrupted"),
    "empty file": (_write(b""), "corrupted"),
    "a directory": (_directory, "is a directory"),
    "unreadable": (_unreadable, "Permission denied"),
}


def _index_errors(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.getMessage() in {"index not loaded", "manifest poll failed"}]


@pytest.mark.parametrize("case", CASES)
def test_a_server_started_on_a_malformed_manifest_serves_503_with_the_reason_and_logs_it_once(
        small_settings: Settings, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch, case: str):
    manifest = small_settings.index_dir / "manifest.json"
    good = manifest.read_bytes()
    damage, reason = CASES[case]
    damage(manifest, monkeypatch)
    caplog.set_level(logging.INFO)
    settings = small_settings.model_copy(update={"manifest_poll_seconds": 0.05, "admin_token": TOKEN})
    with TestClient(create_app(settings)) as client:
        ready = client.get("/readyz")
        assert ready.status_code == 503 and reason in ready.json()["detail"]
        assert "make index" in ready.json()["detail"] or "--force" in ready.json()["detail"]
        assert client.post("/api/chat", json=QUESTION).status_code == 503
        status = client.get("/admin/index", headers=AUTH)
        assert status.status_code == 200
        assert reason in status.json()["manifest"]["error"] and status.json()["loaded_version"] is None
        time.sleep(0.6)  # a dozen polls
        errors = _index_errors(caplog)
        assert len(errors) == 1 and reason in errors[0].fields["reason"], [  # type: ignore[attr-defined]
            (r.getMessage(), getattr(r, "fields", None)) for r in errors]

        # mended: the next poll loads it, no restart needed
        monkeypatch.undo()
        if manifest.is_dir():
            shutil.rmtree(manifest)
        manifest.write_bytes(good)
        deadline = time.monotonic() + 20
        while client.get("/readyz").status_code != 200:
            assert time.monotonic() < deadline, client.get("/readyz").json()
            time.sleep(0.05)
        assert client.post("/api/chat", json=QUESTION).json()["status"] == "answered"


def test_a_manifest_broken_while_serving_is_reported_once_and_the_loaded_index_serves_on(
        small_settings: Settings, caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.INFO)
    settings = small_settings.model_copy(update={"manifest_poll_seconds": 0.05, "admin_token": TOKEN})
    with TestClient(create_app(settings)) as client:
        loaded = client.get("/readyz").json()["kb_version"]
        manifest = small_settings.index_dir / "manifest.json"
        manifest.unlink()
        manifest.mkdir()
        time.sleep(0.6)
        assert client.get("/readyz").json()["kb_version"] == loaded
        assert client.post("/api/chat", json=QUESTION).json()["status"] == "answered"
        status = client.get("/admin/index", headers=AUTH).json()
        assert "is a directory" in status["manifest"]["error"] and "is a directory" in status["load_error"]
        assert status["loaded_version"] == loaded
        assert len(_index_errors(caplog)) == 1
