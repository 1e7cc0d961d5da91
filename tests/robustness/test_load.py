"""Bounded loopback load on a real server process: no request may fail; latencies and memory are reported."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.robustness.load import MemorySampler, run_load
from tests.robustness.server import serve

CLIENTS = 32


def _seconds(default: float) -> float:
    return float(os.environ.get("LOAD_SECONDS") or default)


def _load(served_kb: dict[str, str], tmp_path: Path, seconds: float, sample_every: float) -> None:
    with serve(served_kb, tmp_path / "server.log") as server, \
            MemorySampler(server.rss_kib, sample_every) as memory:
        result = run_load(server.host, server.port, CLIENTS, seconds=seconds)
        alive = server.process.poll() is None
    print(f"\nload: {result.summary()}\n{memory.summary()}")
    assert alive, f"server died under load:\n{server.log_tail()}"
    assert result.requests > CLIENTS, "the load generator sent almost nothing"
    assert not result.errors, f"{len(result.errors)} failed requests, first: {result.errors[:5]}"


def test_32_clients_get_no_errors(served_kb: dict[str, str], tmp_path: Path):
    full = os.environ.get("RUN_LONG") == "1" or os.environ.get("CI", "").lower() == "true"
    _load(served_kb, tmp_path, _seconds(60 if full else 10), sample_every=1)


@pytest.mark.long
def test_soak_memory_slope(served_kb: dict[str, str], tmp_path: Path):
    _load(served_kb, tmp_path, _seconds(600), sample_every=5)
