"""A client address nobody can forge, against the real `python -m app serve` (uvicorn's own proxy-header
handling off), and IPv6 clients counted per network."""

from __future__ import annotations

import http.client
import json
from pathlib import Path

from tests.robustness.server import serve


def _ask(port: int, forwarded_for: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("POST", "/api/chat", body=json.dumps({"question": "Đề án 06 là gì?"}),
                     headers={"Content-Type": "application/json", "X-Forwarded-For": forwarded_for})
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def test_a_forged_forwarded_for_from_an_untrusted_peer_buys_no_extra_requests(served_kb: dict[str, str],
                                                                              tmp_path: Path) -> None:
    # loopback is not a trusted proxy here: whatever it writes in X-Forwarded-For is not believed
    env = {**served_kb, "RATE_LIMIT": "5/minute", "TRUSTED_PROXIES": ""}
    with serve(env, tmp_path / "server.log") as server:
        forged = [f"203.0.113.{i}" for i in range(6)] + ["not-an-ip", "::1", "10.0.0.1, 198.51.100.7",
                                                         "x" * 200, "2001:db8::1", "1.1.1.1"]
        statuses = [_ask(server.port, hop) for hop in forged]
    assert statuses[:5] == [200] * 5
    assert set(statuses[5:]) == {429}, statuses
