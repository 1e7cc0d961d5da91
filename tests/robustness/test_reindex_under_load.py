"""Reindexing a live server while clients keep asking: no failed request, no answer mixing two versions."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

from tests.robustness.load import LoadResult, Request, run_load
from tests.robustness.server import ADMIN_TOKEN, Server, serve

QUESTION = "Địa chỉ Cổng Dịch vụ công quốc gia là gì?"
ORIGINAL = "Địa chỉ là dichvucong.gov.vn."
# no edit is a substring of another, so an answer names exactly one version
EDITS = ("Địa chỉ là dichvucong.gov.vn, bản sửa thứ nhất.", "Địa chỉ Cổng là dichvucong.gov.vn, bản hai.",
         "Cổng nằm ở dichvucong.gov.vn (bản ba).", "Địa chỉ là dichvucong.gov.vn, phiên bản bốn.")
CITATION = " [1]"  # the FAQ cites one source
# how long one reindex may take before the test gives up: a liveness bound, not a speed check. A reindex fits
# the answerability model on every dev question that matches the small knowledge base (three fold orders),
# while four clients keep both cores busy; once the question set grew to 1,525 dev questions one reindex took
# 121-126 s on a 2-core machine (it had been given 120).
REINDEX_DEADLINE_SECONDS = 360


def _ask(_: int, __: int) -> Request:
    return Request("POST", "/api/chat", {"question": QUESTION})


def _reindex(server: Server) -> tuple[str, float]:
    """Start a reindex, wait until it is done; the version it loaded and when that was seen."""
    status, _ = server.request("POST", "/admin/reindex", token=ADMIN_TOKEN)
    assert status == 202
    deadline = time.monotonic() + REINDEX_DEADLINE_SECONDS
    while time.monotonic() < deadline:
        _, body = server.request("GET", "/admin/index", token=ADMIN_TOKEN)
        state = body["reindex"]["state"]
        if state == "done":
            return body["loaded_version"], time.perf_counter()
        assert state == "running", body["reindex"]
        time.sleep(0.05)
    raise AssertionError(f"reindex did not finish in {REINDEX_DEADLINE_SECONDS} s")


def test_answers_come_from_exactly_one_live_version_while_reindexing(served_kb: dict[str, str], tmp_path: Path):
    faq = Path(served_kb["KNOWLEDGE_DIR"]) / "faq" / "faq.yaml"
    env = {**served_kb, "MANIFEST_POLL_SECONDS": "0.5"}
    seen: list[tuple[float, str, str]] = []  # (request start, kb_version, answer)
    lock = threading.Lock()

    def record(_: Request, status: int, body: bytes, started: float) -> str | None:
        if status != 200:
            return f"HTTP {status}: {body[:200]!r}"
        reply = json.loads(body)
        with lock:
            seen.append((started, reply["kb_version"], reply["answer"]))
        return None

    with serve(env, tmp_path / "server.log") as server:
        _, ready = server.request("GET", "/readyz")
        versions = {ready["kb_version"]: ORIGINAL}
        order = [ready["kb_version"]]
        live_since = {ready["kb_version"]: 0.0}
        stop = threading.Event()
        outcome: list[LoadResult] = []
        clients = threading.Thread(target=lambda: outcome.append(
            run_load(server.host, server.port, 4, stop=stop, make_request=_ask, check=record)))
        clients.start()
        try:
            time.sleep(1)
            previous = ORIGINAL
            for text in EDITS:
                faq.write_text(faq.read_text(encoding="utf-8").replace(previous, text), encoding="utf-8")
                previous = text
                version, seen_at = _reindex(server)
                assert version not in versions, "a reindex after an edit must make a new version"
                versions[version] = text
                order.append(version)
                live_since[version] = seen_at
                time.sleep(0.5)
            time.sleep(1)
        finally:
            stop.set()
            clients.join()
    result = outcome[0]

    assert not result.errors, f"{len(result.errors)} failed requests, first: {result.errors[:5]}"
    assert len(seen) > 50, "the clients asked too little to tell anything"
    unknown = {v for _, v, _ in seen if v not in versions}
    assert not unknown, f"answers from versions that were never live: {unknown}"
    mixed = [(v, a) for _, v, a in seen if a != versions[v] + CITATION]
    assert not mixed, f"{len(mixed)} answers do not match their version's FAQ text, first: {mixed[:3]}"
    # once a reindex reported done, no request started after that is answered from an older version
    stale = [(started, v) for started, v, _ in seen
             if any(started > since and order.index(v) < order.index(later) for later, since in live_since.items())]
    assert not stale, f"{len(stale)} answers from a superseded version after the swap: {stale[:3]}"
    assert {v for _, v, _ in seen} == set(versions), "every version should have served some answers"
