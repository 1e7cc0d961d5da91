"""`python -m bench [--quick] [--skip-large]`: measure the service on this machine and print one table."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from app.answer.questions import load_questions
from app.index.embedder import load_embedder
from app.index.store import load_index
from app.service import Assistant, index_is_current, retrieval_config
from app.settings import ROOT, Settings
from bench.index_compare import index_compare_rows
from bench.inprocess import DenseBaseline, bare_embedding_seconds, cached_chat_seconds, compare_with_baseline
from bench.peers import peer_rows
from bench.profile import profile_level, profile_rows
from bench.report import Row, format_table, to_json, write_json
from bench.scaling import SizeResult, measure_size
from bench.serving import CONFIGS, DEFAULT_CONFIG, LevelResult, LoadPlan, measure_level, pick_pool, server_env
from bench.stats import median, percentile
from bench.wrk_load import wrk_available

SLICES = ("accented", "no_diacritics", "abbrev_typo", "english", "followup")


@dataclass(frozen=True)
class Plan:
    """How many samples each part of the benchmark takes."""

    embed_questions: int
    probe_questions: int
    compare_questions: int | None  # None: every in-domain dev question
    cache_questions: int
    cache_calls: int
    levels: tuple[int, ...]
    load: LoadPlan
    factors: tuple[int, ...]
    sample_size: int
    search_queries: int
    embed_budget_seconds: float
    profile_levels: tuple[int, ...] = (1, 8)
    profile_seconds: float = 15


FULL = Plan(embed_questions=200, probe_questions=40, compare_questions=None, cache_questions=20, cache_calls=2000,
            levels=(1, 8, 32),
            load=LoadPlan(warmup_requests=5, uncached_requests=150, cached_requests=5000, cached_seconds=8,
                          mix_fresh=60, phase_seconds=30),
            factors=(1, 10, 100), sample_size=128, search_queries=60, embed_budget_seconds=120)
QUICK = Plan(embed_questions=30, probe_questions=10, compare_questions=30, cache_questions=5, cache_calls=200,
             levels=(1, 8),
             load=LoadPlan(warmup_requests=2, uncached_requests=16, cached_requests=300, cached_seconds=2,
                           mix_fresh=8, phase_seconds=10),
             factors=(1, 3), sample_size=16, search_queries=10, embed_budget_seconds=0, profile_levels=(8,),
             profile_seconds=4)


def log(message: str) -> None:
    """Progress on stderr, so stdout carries only the table."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def cpu_model() -> str:
    """The CPU's model name, when /proc/cpuinfo gives one."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def level_rows(levels: list[LevelResult]) -> list[Row]:
    """Latency and throughput rows of each concurrency level."""
    rows = []
    for lv in levels:
        section = f"http {lv.config}, {lv.clients} client{'s' if lv.clients > 1 else ''}"
        u, c = lv.uncached, lv.cached
        rows += [
            Row(section, "uncached p50 / p95 / p99", (u.p50, u.p95, u.p99), "ms", f"n={u.n} first-time questions"),
            Row(section, "cached p50 / p95 / p99", (c.p50, c.p95, c.p99), "ms", f"n={c.n} repeats"),
            Row(section, "mix p50 uncached / cached", (lv.mix_uncached.p50, lv.mix_cached.p50), "ms",
                f"half repeats, n={lv.mix_uncached.n}+{lv.mix_cached.n}"),
            Row(section, "throughput uncached / cached / mix", (lv.uncached_rps, lv.cached_rps, lv.mix_rps), "req/s",
                f"{lv.errors} failed requests"),
        ]
    return rows


def scaling_rows(levels: list[LevelResult]) -> list[Row]:
    """Whether throughput rises with load: each level against one client, and its tail against its median."""
    rows = []
    for config in dict.fromkeys(lv.config for lv in levels):
        mine = [lv for lv in levels if lv.config == config]
        single = next((lv for lv in mine if lv.clients == 1), None)
        for lv in mine:
            if lv.clients == 1 or single is None:
                continue
            rows += [Row("scaling", f"{config}: throughput {lv.clients} clients / 1 client",
                         (lv.uncached_rps / single.uncached_rps,), "ratio", "goal >= 1.5"),
                     Row("scaling", f"{config}: p99 / p50 at {lv.clients} clients",
                         (lv.uncached.p99 / lv.uncached.p50,), "ratio",
                         f"goal <= 2; load from {lv.client}, client CPU {lv.client_cpu_share:.1%} of the machine")]
    return rows


def ratio_rows(levels: list[LevelResult], cores: int) -> list[Row]:
    """The ratios the service is judged on: uncached latency and throughput against the embedding floor.

    Each level is compared with the bare embedding time measured just before its load.
    """
    rows = []
    for lv in levels:
        if lv.config != DEFAULT_CONFIG:
            continue
        bare = lv.bare_embedding_ms
        if lv.clients == 1:
            rows += [Row("ratios", "uncached p50 (1 client) / bare embedding p50", (lv.uncached.p50 / bare,), "ratio",
                         f"goal <= 1.3; bare p50 {bare:.1f} ms measured just before"),
                     Row("ratios", "cached p50 / uncached p50 (1 client)", (lv.cached.p50 / lv.uncached.p50,),
                         "ratio", "over HTTP")]
            continue
        rows.append(Row("ratios", f"uncached throughput ({lv.clients} clients) / embedding-bound limit",
                        (lv.uncached_rps * bare / 1000,), "ratio",
                        f"limit = 1 / bare = {1000 / bare:.1f} req/s (bare {bare:.1f} ms just before): "
                        f"embeddings one at a time, each on all {cores} cores (OpenMP)"))
    return rows


def server_rows(levels: list[LevelResult]) -> list[Row]:
    """Cold start and peak memory of the server processes, per configuration."""
    rows = []
    for config in dict.fromkeys(lv.config for lv in levels):
        mine = [lv for lv in levels if lv.config == config]
        colds = [lv.cold_start_seconds for lv in mine]
        rows += [Row("server", f"{config}: cold start p50 / max (spawn -> /readyz 200)", (median(colds), max(colds)),
                     "s", f"{len(colds)} starts, one per level"),
                 Row("server", f"{config}: peak RSS (VmHWM) of its largest process",
                     (max(lv.peak_rss_mb for lv in mine),), "MB", "read after its load run; with workers, one worker")]
    return rows


def size_rows(sizes: list[SizeResult], skipped_large: bool) -> list[Row]:
    """The growth curve of build and search time."""
    rows = []
    for s in sizes:
        section = f"index {s.factor}x"
        how = (f"real build, embedding {s.embed_seconds:.0f} s of it (sample predicted "
               f"{s.sample_ms_per_text * s.texts / 1000:.0f} s)" if s.method == "real" else
               f"SAMPLED: build with HashEmbedder vectors + {s.texts:,} texts x {s.sample_ms_per_text:.1f} ms "
               f"(real embedding time of a random sample)")
        rows += [Row(section, f"build ({s.units:,} units, {s.sentences:,} sentences)", (s.build_seconds,), "s", how),
                 Row(section, "Retriever.search p50 / p95", (s.search_ms_p50, s.search_ms_p95), "ms",
                     f"query embedding excluded{'' if s.method == 'real' else ', hash vectors'}; "
                     f"load {s.load_seconds:.1f} s (index + BM25)")]
    if skipped_large:
        rows.append(Row("index 100x", "skipped (--skip-large)", (), "", ""))
    return rows


def run(plan: Plan, settings: Settings, workdir: Path, questions_path: Path,
        skip_large: bool) -> tuple[list[Row], dict[str, Any]]:
    """Every measurement, in an order that keeps them from overlapping."""
    cores = os.cpu_count() or 1
    items = load_questions(questions_path)
    dev = [i for i in items if i.split == "dev"]
    in_domain = [i for i in dev if i.expect][: plan.compare_questions]
    embedder = load_embedder(settings.embedder, settings.embed_threads)
    rows: list[Row] = []
    raw: dict[str, Any] = {}

    log(f"bare embedding of {plan.embed_questions} dev questions")
    bare = [s * 1000 for s in bare_embedding_seconds(embedder, [i.q for i in dev[: plan.embed_questions]])]
    bare_ms = median(bare)
    raw["bare_embedding_ms"] = {"n": len(bare), "p50": bare_ms, "p95": percentile(bare, 95)}
    rows.append(Row("embedding", "bare query embedding p50 / p95", (bare_ms, percentile(bare, 95)), "ms",
                    f"n={len(bare)} dev questions, one embed_queries call each, {embedder.name}"))

    log(f"ours against the dense-only baseline on {len(in_domain)} dev questions")
    assistant = Assistant(settings, embedder)
    if assistant.composer is None:
        raise SystemExit(assistant.load_error)
    comparison = compare_with_baseline(assistant, DenseBaseline(load_index(settings.index_dir), embedder), in_domain)
    ours_ms = median(comparison.latencies["ours"]) * 1000
    base_ms = median(comparison.latencies["dense-only"]) * 1000
    rows.append(Row("quality", "Recall@5 dev, ours / dense-only",
                    (comparison.recall("ours"), comparison.recall("dense-only")), "recall",
                    f"n={len(in_domain)}; dense-only: IndexFlatIP over unit vectors, raw question"))
    for name in SLICES:
        n = len(comparison.hits["ours"][name])
        if n:
            rows.append(Row("quality", f"  {name}", (comparison.recall("ours", name),
                                                      comparison.recall("dense-only", name)), "recall", f"n={n}"))
    rows.append(Row("quality", "retrieval p50, ours / dense-only", (ours_ms, base_ms), "ms",
                    "ours: app.evaluate.ranked_ids; dense-only: embedding + FAISS"))
    raw["quality"] = {system: {"recall@5": comparison.recall(system), "median_ms": median(lat) * 1000,
                               "slices": {s: comparison.recall(system, s) for s in comparison.hits[system]}}
                      for system, lat in comparison.latencies.items()}

    log(f"cached Assistant.chat, {plan.cache_calls} calls")
    cached = [s * 1e6 for s in cached_chat_seconds(assistant, [i.q for i in dev[: plan.cache_questions]],
                                                    plan.cache_calls)]
    raw["cached_chat_us"] = {"n": len(cached), "p50": median(cached), "p95": percentile(cached, 95)}
    rows.append(Row("answer cache", "repeated question, Assistant.chat p50 / p95", (median(cached),
                                                                                   percentile(cached, 95)), "µs",
                    f"n={len(cached)} calls in process, {plan.cache_questions} questions"))
    queries = [assistant.composer.prepare(i.q) for i in dev[: plan.search_queries]]
    query_vectors = embedder.embed_queries([q.dense_text for q in queries])
    del assistant

    levels = []
    env = server_env(settings.index_dir.resolve(), settings.knowledge_dir.resolve(), settings.embedder, workdir)
    pool = pick_pool([i.q for i in items] + [i.prev for i in items if i.prev])

    def probe() -> float:
        return median(bare_embedding_seconds(embedder, [i.q for i in dev[: plan.probe_questions]])) * 1000

    for config in CONFIGS:
        for clients in plan.levels:
            log(f"HTTP load, {config}, {clients} clients")
            levels.append(measure_level(clients, plan.load, pool, workdir, ROOT, env, probe, config))
    raw["http"] = [asdict(lv) for lv in levels]
    rows += level_rows(levels) + ratio_rows(levels, cores) + scaling_rows(levels) + server_rows(levels)

    profiles = []
    for clients in plan.profile_levels:
        log(f"profile of the default server under wrk, {clients} clients")
        profiles.append(profile_level(clients, pool, ROOT, env, workdir, plan.profile_seconds)
                        if wrk_available() else None)
    raw["profile"] = [asdict(p) for p in profiles if p is not None]
    rows += profile_rows(profiles)

    sizes = []
    for factor in plan.factors:
        log(f"index build and search, {factor}x")
        sizes.append(measure_size(factor, settings.knowledge_dir, workdir, embedder, retrieval_config(settings),
                                  queries, query_vectors, plan.embed_budget_seconds, plan.sample_size))
    raw["index_sizes"] = [asdict(s) for s in sizes]
    rows += size_rows(sizes, skip_large)
    log("BM25 and FAISS index types against exact search")
    rows += index_compare_rows(settings, embedder, factors=tuple(f for f in plan.factors if f > 1))
    raw["cores"] = cores
    return rows, raw


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print the table, write it as JSON."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small samples (about a minute), for smoke tests")
    parser.add_argument("--skip-large", action="store_true", help="skip the 100x knowledge base")
    parser.add_argument("--embed-budget", type=float, default=None,
                        help="seconds of real embedding allowed per index build before it is sampled "
                             f"(default {FULL.embed_budget_seconds:.0f}, --quick {QUICK.embed_budget_seconds:.0f})")
    parser.add_argument("--questions", type=Path, default=ROOT / "tests" / "data" / "questions")
    parser.add_argument("--output", type=Path, default=ROOT / "bench-results" / "latest.json")
    args = parser.parse_args(argv)

    plan = QUICK if args.quick else FULL
    if args.skip_large:
        plan = replace(plan, factors=tuple(f for f in plan.factors if f < 100))
    if args.embed_budget is not None:
        plan = replace(plan, embed_budget_seconds=args.embed_budget)
    settings = Settings()
    if not index_is_current(settings, load_embedder(settings.embedder, settings.embed_threads).name):
        print(f"the index in {settings.index_dir} is missing or stale: run `make index`", file=sys.stderr)
        return 1

    load_before = os.getloadavg()[0]
    if load_before > 0.5:
        log(f"load average {load_before:.1f}: other work shares this machine, figures will be noisy")
    started = time.perf_counter()
    workdir = Path(tempfile.mkdtemp(prefix="bench-"))
    rows, raw = run(plan, settings, workdir, args.questions, args.skip_large)
    log("peers: Haystack and txtai beside ours")
    dev = [i for i in load_questions(args.questions) if i.split == "dev"]
    peers_table, raw["peers"] = peer_rows(settings, dev, workdir, tuple(c for c in plan.levels if c > 1), args.quick)
    rows += peers_table
    runtime = time.perf_counter() - started
    failed = sum(lv["errors"] for lv in raw["http"])
    if failed:
        log(f"server logs kept in {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)

    cores = os.cpu_count() or 1
    meta = {"date": dt.datetime.now().isoformat(timespec="seconds"), "cores": cores, "cpu": cpu_model(),
            "python": platform.python_version(), "embedder": settings.embedder, "quick": args.quick,
            "runtime_seconds": round(runtime, 1), "load_average_before": load_before,
            "load_average_after": os.getloadavg()[0]}
    title = (f"bench {'--quick ' if args.quick else ''}{meta['date']}: {cores} cores {meta['cpu']}, "
             f"embedder {settings.embedder}, one run, {runtime / 60:.1f} min, load average "
             f"{meta['load_average_before']:.1f} before / {meta['load_average_after']:.1f} after")
    print(format_table(rows, title))
    write_json(to_json(title, rows, meta, raw), args.output)
    print(f"written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
