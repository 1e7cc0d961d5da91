"""The HTTP part of the benchmark: one fresh server per concurrency level, uncached, cached and mixed load."""

from __future__ import annotations

import itertools
import json
import random
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app.answer.cache import cache_key
from bench.http_load import LoadResult, ServerProcess, run_load
from bench.stats import Summary, summarize
from bench.wrk_load import WrkResult, distinct_bodies, run_wrk, wrk_available

DEFAULT_CONFIG = "1 process"
# the server configurations `make bench` loads: the default, and the one README recommends for throughput
WORKERS_CONFIG = "2 workers x 1 thread"
CONFIGS: dict[str, dict[str, str]] = {DEFAULT_CONFIG: {},
                                      WORKERS_CONFIG: {"WORKERS": "2", "EMBED_THREADS": "1", "EMBED_INSTANCES": "1"}}
# enough distinct questions that no wrk run sends one twice (about 60 req/s for 30 s at most here)
WRK_BODIES = 4000


@dataclass(frozen=True)
class LoadPlan:
    """How much load each concurrency level gets."""

    warmup_requests: int
    uncached_requests: int
    cached_requests: int
    cached_seconds: float
    mix_fresh: int
    phase_seconds: float


@dataclass(frozen=True)
class LevelResult:
    """One concurrency level against one fresh server process (latencies in ms)."""

    clients: int
    bare_embedding_ms: float
    cold_start_seconds: float
    peak_rss_mb: float
    uncached: Summary
    cached: Summary
    mix_uncached: Summary
    mix_cached: Summary
    uncached_rps: float
    cached_rps: float
    mix_rps: float
    errors: int
    # who generated the load of the uncached and cached phases, and the share of the machine's CPU it used
    client: str = "python"
    client_cpu_share: float = float("nan")
    config: str = DEFAULT_CONFIG


def _ms(result: LoadResult, label: str) -> Summary:
    return summarize([s * 1000 for s in result.latencies[label]] or [float("nan")])


def pick_pool(questions: list[str], seed: int = 7) -> list[str]:
    """Distinct questions (by answer-cache key, so none is a cache hit of another) in a fixed random order."""
    seen: dict[str, str] = {}
    for q in questions:
        seen.setdefault(cache_key(q, "")[0], q)
    pool = list(seen.values())
    random.Random(seed).shuffle(pool)
    return pool


def server_env(index_dir: Path, knowledge_dir: Path, embedder: str, data_dir: Path) -> dict[str, str]:
    """Settings of a benchmark server: the same index and embedder as in process, no rate limit, no polling."""
    return {"INDEX_DIR": str(index_dir), "KNOWLEDGE_DIR": str(knowledge_dir), "EMBEDDER": embedder,
            "DATA_DIR": str(data_dir), "RATE_LIMIT": "1000000/minute", "LOG_JSON": "false",
            "MANIFEST_POLL_SECONDS": "0"}


def measure_level(clients: int, plan: LoadPlan, pool: list[str], workdir: Path, project: Path,
                  env: dict[str, str], bare_probe: Callable[[], float], config: str = DEFAULT_CONFIG) -> LevelResult:
    """Start a server, warm it up, then time first-time questions, repeats of them, and a half-and-half mix.

    The cache starts empty in each server, so every level sees the same first-time questions.
    `bare_probe` measures the bare embedding time (ms) while the server idles, just before the load,
    so a ratio to it compares figures taken under the same background load of a shared machine.
    """
    warmup = pool[: plan.warmup_requests]
    data_dir = Path(tempfile.mkdtemp(prefix=f"data-{clients}-", dir=workdir))
    log_path = workdir / f"server-{len(list(workdir.glob('server-*.log')))}-{clients}.log"
    with ServerProcess(project, {**env, **CONFIGS[config], "DATA_DIR": str(data_dir)}, log_path) as server:
        cold = server.start()
        run_load(server.port, [(q, "warmup") for q in warmup], 1, plan.phase_seconds)
        bare_ms = bare_probe()
        phases = (_wrk_phases if wrk_available() else _python_phases)(server.port, clients, plan,
                                                                       pool[plan.warmup_requests:], workdir, warmup)
        answered = phases.answered or warmup
        # repeats of questions already answered are certain cache hits; the fresh ones certain misses
        mix = [pair for f, r in zip(phases.fresh, itertools.cycle(answered), strict=False)
               for pair in ((f, "uncached"), (r, "cached"))]
        mixed = run_load(server.port, mix, clients, plan.phase_seconds)
        rss = server.peak_rss_mb()
    errors = phases.errors + mixed.errors
    if errors:
        print(f"[bench] {errors} failed requests at {clients} clients: see {workdir}", file=sys.stderr)
    return LevelResult(clients, bare_ms, cold, rss, phases.uncached, phases.cached, _ms(mixed, "uncached"),
                       _ms(mixed, "cached"), phases.uncached_rps, phases.cached_rps, mixed.throughput, errors,
                       phases.client, phases.client_cpu_share, config)


@dataclass(frozen=True)
class _Phases:
    """The uncached and cached phases of one level, the questions they answered, and fresh ones for the mix."""

    uncached: Summary
    cached: Summary
    uncached_rps: float
    cached_rps: float
    errors: int
    answered: list[str]
    fresh: list[str]
    client: str
    client_cpu_share: float = float("nan")


def _python_phases(port: int, clients: int, plan: LoadPlan, pool: list[str], workdir: Path,
                   warmup: list[str]) -> _Phases:
    """Both phases from Python client threads (when wrk is not installed); `warmup` was answered already."""
    fresh, extra = pool[: plan.uncached_requests], pool[plan.uncached_requests:][: plan.mix_fresh]
    uncached = run_load(port, [(q, "uncached") for q in fresh], clients, plan.phase_seconds)
    repeats = list(itertools.islice(itertools.cycle(uncached.answered or warmup), plan.cached_requests))
    cached = run_load(port, [(q, "cached") for q in repeats], clients, plan.cached_seconds)
    return _Phases(_ms(uncached, "uncached"), _ms(cached, "cached"), uncached.throughput, cached.throughput,
                   uncached.errors + cached.errors, uncached.answered, extra, "python")


def _wrk_phases(port: int, clients: int, plan: LoadPlan, pool: list[str], workdir: Path,
                _warmup: list[str]) -> _Phases:
    """Both phases from wrk: every question new, then the same questions again."""
    bodies = distinct_bodies(pool, WRK_BODIES + plan.mix_fresh)
    uncached = run_wrk(port, bodies[:WRK_BODIES], clients, plan.phase_seconds, workdir)
    # the first `requests` bodies were all answered once: sent again, every one is a cache hit
    sent = bodies[: max(1, uncached.requests)]
    cached = run_wrk(port, sent, clients, plan.cached_seconds, workdir)

    def questions(chosen: list[str]) -> list[str]:
        return [json.loads(b)["question"] for b in chosen]

    return _Phases(_summary(uncached), _summary(cached), uncached.rps, cached.rps, uncached.errors + cached.errors,
                   questions(sent), questions(bodies[WRK_BODIES:]), "wrk", uncached.client_cpu_share)


def _summary(result: WrkResult) -> Summary:
    return Summary(result.requests, result.p50_ms, result.p95_ms, result.p99_ms)
