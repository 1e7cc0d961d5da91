"""HTTP load from `wrk` (a C load generator that costs the two cores little), every request a distinct question.

The questions are written into a Lua script as ready JSON bodies; each wrk thread takes every `threads`-th one,
so no body is sent twice within a run. The client's CPU share is read from the child's rusage."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

LUA = """
local bodies = {
%s
}
local threads, next_id = %d, 0
setup = function(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
end
init = function(args)
  n = 0
end
request = function()
  local i = (id + threads * n) %% #bodies + 1
  n = n + 1
  return wrk.format("POST", %s, {["Content-Type"] = "application/json"}, bodies[i])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT {\\"requests\\": %%d, \\"duration_us\\": %%d, \\"p50_us\\": %%d, "
    .. "\\"p95_us\\": %%d, \\"p99_us\\": %%d, \\"errors\\": %%d}\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    e.connect + e.read + e.write + e.status + e.timeout))
end
"""


@dataclass(frozen=True)
class WrkResult:
    """One wrk run: requests per second, latency percentiles (ms), failures, and the client's CPU share."""

    clients: int
    requests: int
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int
    client_cpu_share: float


def wrk_available() -> bool:
    """True when the `wrk` binary is on PATH (Debian package `wrk`)."""
    return shutil.which("wrk") is not None


def distinct_bodies(pool: list[str], count: int) -> list[str]:
    """`count` JSON bodies with distinct questions: the pool once, then each again with a numbered variant."""
    out: list[str] = []
    round_ = 0
    while len(out) < count:
        for q in pool:
            text = q if round_ == 0 else f"{q} ({round_})"
            out.append(json.dumps({"question": text}, ensure_ascii=False))
            if len(out) == count:
                break
        round_ += 1
    return out


def write_script(path: Path, bodies: list[str], threads: int, url_path: str = "/api/chat") -> None:
    """The Lua script wrk runs: the bodies as long strings, one per line, each POSTed to `url_path`."""
    lines = ",\n".join(f"[==[{b}]==]" for b in bodies)
    path.write_text(LUA % (lines, threads, json.dumps(url_path)), encoding="utf-8")


def run_wrk(port: int, bodies: list[str], clients: int, seconds: float, workdir: Path,
            path: str = "/api/chat") -> WrkResult:
    """Closed-loop load from `clients` connections for `seconds`, each request a body not sent before, to `path`."""
    threads = min(clients, 2)
    script = workdir / f"wrk-{clients}.lua"
    write_script(script, bodies, threads, path)
    before = os.times()
    run = subprocess.run(["wrk", "-t", str(threads), "-c", str(clients), "-d", f"{seconds:.0f}s", "--timeout", "30s",
                          "-s", str(script), f"http://127.0.0.1:{port}"], capture_output=True, text=True,
                         check=True)
    after = os.times()
    found = re.search(r"^RESULT (\{.*\})$", run.stdout, re.MULTILINE)
    if not found:
        raise RuntimeError(f"wrk printed no result: {run.stdout[-500:]} {run.stderr[-500:]}")
    data = json.loads(found.group(1))
    duration = data["duration_us"] / 1e6
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return WrkResult(clients=clients, requests=data["requests"], rps=data["requests"] / duration if duration else 0.0,
                     p50_ms=data["p50_us"] / 1000, p95_ms=data["p95_us"] / 1000, p99_ms=data["p99_us"] / 1000,
                     errors=data["errors"],
                     client_cpu_share=cpu / (duration * (os.cpu_count() or 1)) if duration else 0.0)
