"""An index build killed half-way (SIGKILL: no cleanup runs) leaves the live index loadable and serving."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.index.store import load_index, read_manifest
from app.main import create_app
from app.settings import ROOT, Settings
from tests.robustness.pause_at import POINTS

OLD_ANSWER = "Địa chỉ là dichvucong.gov.vn."
NEW_ANSWER = "Địa chỉ của Cổng là dichvucong.gov.vn."


def _index_command(settings: Settings, log: Path, pause_at: str | None = None) -> subprocess.Popen[bytes]:
    """`python -m app index` over the settings' directories (stopping itself at `pause_at`, if given)."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "KNOWLEDGE_DIR": str(settings.knowledge_dir),
           "INDEX_DIR": str(settings.index_dir), "DATA_DIR": str(settings.data_dir)}
    command = ["-m", "app", "index"] if pause_at is None else ["-m", "tests.robustness.pause_at", pause_at, "index"]
    with log.open("wb") as out:
        return subprocess.Popen([sys.executable, *command], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


def _wait_until_stopped(process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the build ended ({process.returncode}) without reaching the point:\n"
                                 f"{log.read_text()}")
        state = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        if state == "T":
            return
        time.sleep(0.02)
    process.kill()
    raise AssertionError(f"the build did not reach the point in 120 s:\n{log.read_text()}")


@pytest.mark.parametrize("point", POINTS)
def test_a_build_killed_mid_way_leaves_the_old_index_serving(small_settings: Settings, tmp_path: Path, point: str):
    index_dir = small_settings.index_dir
    old = read_manifest(index_dir)
    faq = small_settings.knowledge_dir / "faq" / "faq.yaml"
    faq.write_text(faq.read_text(encoding="utf-8").replace(OLD_ANSWER, NEW_ANSWER), encoding="utf-8")

    log = tmp_path / "index-killed.log"
    process = _index_command(small_settings, log, pause_at=point)
    _wait_until_stopped(process, log)
    process.send_signal(signal.SIGKILL)
    assert process.wait(timeout=30) == -signal.SIGKILL
    debris = {p.name for p in index_dir.iterdir()} - {old["dir"], "manifest.json"}
    assert debris, "the kill should have left the half-done build behind"

    assert read_manifest(index_dir) == old
    assert load_index(index_dir).version == old["version"]
    with TestClient(create_app(small_settings)) as client:
        ready = client.get("/readyz")
        assert ready.status_code == 200 and ready.json()["kb_version"] == old["version"]
        reply = client.post("/api/chat", json={"question": "Địa chỉ Cổng Dịch vụ công quốc gia là gì?"})
        assert reply.status_code == 200 and reply.json()["kb_version"] == old["version"]
        assert reply.json()["answer"].startswith(OLD_ANSWER)

    # the debris of the killed build does not stop the next one
    again = tmp_path / "index-again.log"
    assert _index_command(small_settings, again).wait(timeout=300) == 0, again.read_text()
    rebuilt = load_index(index_dir)
    assert rebuilt.version != old["version"]
    assert NEW_ANSWER in {u.text for u in rebuilt.units} and OLD_ANSWER not in {u.text for u in rebuilt.units}
