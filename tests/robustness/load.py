"""A small loopback load generator: N threads, each on its own keep-alive connection, for a while.

Also samples a process's resident memory and fits a line through it, for the soak run.
"""

from __future__ import annotations

import http.client
import json
import math
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# Questions residents type: accented, without diacritics, English, abbreviations, off-topic.
QUESTIONS = (
    "Đề án 06 là gì?",
    "de an 06 nghia la gi",
    "What is Project 06?",
    "Địa chỉ Cổng Dịch vụ công quốc gia là gì?",
    "web dvc quốc gia",
    "dang ky dinh danh muc 2 o dau",
    "Tài khoản định danh điện tử mức 1 đăng ký thế nào?",
    "ĐDĐT mức 2 đăng ký",
    "Tỉ lệ người dân dùng dịch vụ công trực tuyến năm 2021 là bao nhiêu?",
    "Giá vàng hôm nay bao nhiêu?",
)


@dataclass(frozen=True)
class Request:
    """One HTTP request a client sends."""

    method: str
    path: str
    body: dict[str, Any] | None = None


# Checks one response; returns what is wrong with it, or None.
Check = Callable[[Request, int, bytes, float], str | None]


def mixed_request(client: int, n: int) -> Request:
    """Mostly chat, some help-desk search; every third question is new, so the answer cache cannot serve it."""
    question = QUESTIONS[(client + n) % len(QUESTIONS)]
    if n % 3 == 2:
        question = f"{question} ({client}-{n})"
    if n % 8 == 7:
        return Request("POST", "/api/search", {"query": question, "k": 5})
    return Request("POST", "/api/chat", {"question": question})


def expect_200(_: Request, status: int, body: bytes, __: float) -> str | None:
    """Every request must succeed."""
    return None if status == 200 else f"HTTP {status}: {body[:200]!r}"


@dataclass
class LoadResult:
    """What the clients saw."""

    clients: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return len(self.latencies) + len(self.errors)

    @property
    def error_rate(self) -> float:
        return len(self.errors) / self.requests if self.requests else 0.0

    def percentile(self, p: float) -> float:
        """The p-th percentile latency in milliseconds (nearest rank)."""
        ordered = sorted(self.latencies)
        if not ordered:
            return math.nan
        return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))] * 1000

    def summary(self) -> str:
        return (f"{self.clients} clients, {self.seconds:.0f} s: {self.requests} requests "
                f"({self.requests / self.seconds:.1f}/s), errors {len(self.errors)} ({self.error_rate:.2%}), "
                f"p50 {self.percentile(50):.1f} ms, p95 {self.percentile(95):.1f} ms, "
                f"p99 {self.percentile(99):.1f} ms")


def run_load(host: str, port: int, clients: int, seconds: float | None = None, stop: threading.Event | None = None,
             make_request: Callable[[int, int], Request] = mixed_request, check: Check = expect_200,
             timeout: float = 30) -> LoadResult:
    """Run `clients` threads until `seconds` pass or `stop` is set; each records latency or an error."""
    if seconds is None and stop is None:
        raise ValueError("give seconds or a stop event")
    stop = stop or threading.Event()
    lock = threading.Lock()
    result = LoadResult(clients, 0.0)

    def client(number: int) -> None:
        conn = http.client.HTTPConnection(host, port, timeout=timeout)
        n = 0
        while not stop.is_set():
            request = make_request(number, n)
            n += 1
            body = None if request.body is None else json.dumps(request.body).encode()
            started = time.perf_counter()
            try:
                conn.request(request.method, request.path, body=body,
                             headers={"Content-Type": "application/json"})
                response = conn.getresponse()
                data = response.read()
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=timeout)
                with lock:
                    result.errors.append(f"{request.method} {request.path}: {type(exc).__name__}: {exc}")
                continue
            elapsed = time.perf_counter() - started
            problem = check(request, response.status, data, started)
            with lock:
                if problem is None:
                    result.latencies.append(elapsed)
                else:
                    result.errors.append(f"{request.method} {request.path}: {problem}")
        conn.close()

    threads = [threading.Thread(target=client, args=(i,), name=f"load-{i}", daemon=True) for i in range(clients)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    if seconds is not None:
        stop.wait(seconds)
        stop.set()
    for t in threads:
        t.join(timeout + 5)
    result.seconds = time.perf_counter() - began
    return result


class MemorySampler:
    """Samples a value (a process's RSS in KiB) every `interval` seconds on a background thread."""

    def __init__(self, read_kib: Callable[[], int], interval: float):
        self._read = read_kib
        self._interval = interval
        self._stop = threading.Event()
        self.samples: list[tuple[float, int]] = []
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        began = time.monotonic()
        while True:
            try:
                self.samples.append((time.monotonic() - began, self._read()))
            except (OSError, RuntimeError):
                return  # the process is gone
            if self._stop.wait(self._interval):
                return

    def slope_mib_per_minute(self, warmup_fraction: float = 0.1) -> float:
        """Least-squares slope of RSS over time after the warm-up, in MiB per minute."""
        kept = self.samples[int(len(self.samples) * warmup_fraction):]
        if len(kept) < 2:
            return math.nan
        times, kib = zip(*kept, strict=True)
        slope, _ = statistics.linear_regression(times, kib)
        return slope * 60 / 1024

    def summary(self) -> str:
        if not self.samples:
            return "RSS: no samples"
        first, last = self.samples[0][1] / 1024, self.samples[-1][1] / 1024
        peak = max(kib for _, kib in self.samples) / 1024
        return (f"RSS {first:.0f} -> {last:.0f} MiB (peak {peak:.0f}), {len(self.samples)} samples, "
                f"slope after warm-up {self.slope_mib_per_minute():+.2f} MiB/min")
