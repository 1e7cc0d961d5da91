"""`python -m bench.throughput`: uncached throughput from wrk at several client counts, for server settings given
as NAME=value pairs (one fresh server per configuration, same questions), printed as one table.

    python -m bench.throughput --clients 1 8 32 --seconds 20 EMBED_BATCH_MAX=1 EMBED_BATCH_MAX=32
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from app.answer.questions import load_questions
from app.settings import ROOT, Settings
from bench.http_load import ServerProcess, run_load
from bench.serving import WRK_BODIES, server_env
from bench.wrk_load import distinct_bodies, run_wrk, wrk_available


def _configs(pairs: list[str]) -> list[dict[str, str]]:
    """'A=1 B=2 A=3' -> one configuration per value, settings given together with ',' ('A=1,B=2')."""
    configs: list[dict[str, str]] = []
    for item in pairs or [""]:
        config = dict(part.split("=", 1) for part in item.split(",") if part)
        configs.append(config)
    return configs


def main(argv: list[str] | None = None) -> int:
    """Run each configuration at each client count and print requests/s, p50 and p99."""
    parser = argparse.ArgumentParser(prog="python -m bench.throughput", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("configs", nargs="*", help="NAME=value[,NAME=value] per configuration")
    args = parser.parse_args(argv)
    if not wrk_available():
        parser.error("wrk is not installed (apt-get install wrk)")
    settings = Settings()
    items = load_questions(ROOT / "tests" / "data" / "questions")
    pool = [i.q for i in items]
    workdir = Path(tempfile.mkdtemp(prefix="throughput-"))
    base = server_env(settings.index_dir.resolve(), settings.knowledge_dir.resolve(), settings.embedder, workdir)
    print(f"load average {os.getloadavg()[0]:.1f} before; {len(pool)} questions, each sent once per run")
    print(f"{'configuration':40} {'clients':>7} {'req/s':>7} {'p50 ms':>8} {'p99 ms':>8} {'client CPU':>10}")
    for n, config in enumerate(_configs(args.configs)):
        env = {**base, **config}
        with ServerProcess(ROOT, env, workdir / f"server-{n}.log") as server:
            server.start()
            run_load(server.port, [(q, "warmup") for q in pool[:5]], 1, 30)
            bodies = distinct_bodies(pool[5:], 3 * WRK_BODIES)
            offset = 0
            for clients in args.clients:
                # every run its own questions: nothing is answered from the cache
                result = run_wrk(server.port, bodies[offset:], clients, args.seconds, workdir)
                offset += result.requests + 1
                label = ",".join(f"{k}={v}" for k, v in config.items()) or "defaults"
                print(f"{label:40} {clients:7d} {result.rps:7.1f} {result.p50_ms:8.1f} {result.p99_ms:8.1f} "
                      f"{result.client_cpu_share:10.1%}" + (f"  {result.errors} errors" if result.errors else ""),
                      flush=True)
            print(f"{'':40} peak RSS {server.peak_rss_mb():.0f} MB")
    print(f"load average {os.getloadavg()[0]:.1f} after")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
