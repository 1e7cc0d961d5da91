"""The HTTP part of the benchmark: one fresh server per concurrency level, uncached, cached and mixed load."""

from __future__ import annotations

import itertools
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench.http_load import LoadResult, ServerProcess, run_load
from bench.stats import Summary, summarize


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


def _ms(result: LoadResult, label: str) -> Summary:
    return summarize([s * 1000 for s in result.latencies[label]] or [float("nan")])


def server_env(index_dir: Path, knowledge_dir: Path, embedder: str, data_dir: Path) -> dict[str, str]:
    """Settings of a benchmark server: the same index and embedder as in process, no rate limit, no polling."""
    return {"INDEX_DIR": str(index_dir), "KNOWLEDGE_DIR": str(knowledge_dir), "EMBEDDER": embedder,
            "DATA_DIR": str(data_dir), "RATE_LIMIT": "1000000/minute", "LOG_JSON": "false",
            "MANIFEST_POLL_SECONDS": "0"}


def measure_level(clients: int, plan: LoadPlan, pool: list[str], workdir: Path, project: Path,
                  env: dict[str, str], bare_probe: Callable[[], float]) -> LevelResult:
    """Start a server, warm it up, then time first-time questions, repeats of them, and a half-and-half mix.

    The cache starts empty in each server, so every level sees the same first-time questions.
    `bare_probe` measures the bare embedding time (ms) while the server idles, just before the load,
    so a ratio to it compares figures taken under the same background load of a shared machine.
    """
    warmup = pool[: plan.warmup_requests]
    fresh = pool[plan.warmup_requests: plan.warmup_requests + plan.uncached_requests]
    extra = pool[plan.warmup_requests + plan.uncached_requests:][: plan.mix_fresh]
    data_dir = Path(tempfile.mkdtemp(prefix=f"data-{clients}-", dir=workdir))
    with ServerProcess(project, {**env, "DATA_DIR": str(data_dir)}, workdir / f"server-{clients}.log") as server:
        cold = server.start()
        run_load(server.port, [(q, "warmup") for q in warmup], 1, plan.phase_seconds)
        bare_ms = bare_probe()
        uncached = run_load(server.port, [(q, "uncached") for q in fresh], clients, plan.phase_seconds)
        answered = uncached.answered or warmup
        repeats = list(itertools.islice(itertools.cycle(answered), plan.cached_requests))
        cached = run_load(server.port, [(q, "cached") for q in repeats], clients, plan.cached_seconds)
        # repeats of questions already answered are certain cache hits; the fresh ones certain misses
        mix = [pair for f, r in zip(extra, itertools.cycle(answered), strict=False)
               for pair in ((f, "uncached"), (r, "cached"))]
        mixed = run_load(server.port, mix, clients, plan.phase_seconds)
        rss = server.peak_rss_mb()
    errors = uncached.errors + cached.errors + mixed.errors
    if errors:
        print(f"[bench] {errors} failed requests at {clients} clients: see {workdir}", file=sys.stderr)
    return LevelResult(clients, bare_ms, cold, rss, _ms(uncached, "uncached"), _ms(cached, "cached"),
                       _ms(mixed, "uncached"), _ms(mixed, "cached"), uncached.throughput, cached.throughput,
                       mixed.throughput, errors)
