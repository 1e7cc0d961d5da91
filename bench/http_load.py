"""A real server process on loopback, and closed-loop HTTP load against it from client threads."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

READY_POLL_SECONDS = 0.02


def free_port() -> int:
    """A TCP port nobody listens on at the moment, on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def peak_rss_mb(pid: int) -> float:
    """Peak resident memory (VmHWM) of a live process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for process {pid}")


def children(pid: int) -> list[int]:
    """The live child processes of a process (uvicorn's workers under its supervisor)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        found += [int(c) for c in task.read_text().split()]
    return found


class ServerProcess:
    """`python -m app serve` (or another module's server, `command`) as a subprocess on a free loopback port,
    stopped on exit. The server must answer GET /readyz with 200 once it is ready."""

    def __init__(self, workdir: Path, env: dict[str, str], log_path: Path,
                 command: Sequence[str] = ("-m", "app", "serve")):
        self.workdir = workdir
        self.command = list(command)
        self.port = free_port()
        self.env = {**os.environ, **env, "HOST": "127.0.0.1", "PORT": str(self.port)}
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 300) -> float:
        """Start the server and wait for /readyz 200; returns the cold-start time in seconds."""
        log = self.log_path.open("wb")
        started = time.perf_counter()
        self.process = subprocess.Popen([sys.executable, *self.command], cwd=self.workdir, env=self.env,
                                        stdout=log, stderr=subprocess.STDOUT)
        log.close()
        while time.perf_counter() - started < timeout:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}: see {self.log_path}")
            if self._ready():
                return time.perf_counter() - started
            time.sleep(READY_POLL_SECONDS)
        raise RuntimeError(f"server not ready after {timeout} s: see {self.log_path}")

    def _ready(self) -> bool:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        try:
            conn.request("GET", "/readyz")
            return conn.getresponse().status == 200
        except OSError:
            return False
        finally:
            conn.close()

    def peak_rss_mb(self) -> float:
        """Peak resident memory of the server so far: of its largest process (with WORKERS, a worker)."""
        if self.process is None:
            raise RuntimeError("server not started")
        return max(peak_rss_mb(pid) for pid in [self.process.pid, *children(self.process.pid)])

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after 20 s)."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def __enter__(self) -> ServerProcess:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()


@dataclass
class LoadResult:
    """Latencies (seconds) per request label, the questions answered, failures, and how long the run took."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    answered: list[str] = field(default_factory=list)
    errors: int = 0
    wall_seconds: float = 0.0

    @property
    def completed(self) -> int:
        """Requests answered with 200."""
        return sum(len(v) for v in self.latencies.values())

    @property
    def throughput(self) -> float:
        """Answered requests per second over the whole run."""
        return self.completed / self.wall_seconds if self.wall_seconds > 0 else 0.0


def run_load(port: int, requests: Sequence[tuple[str, str]], clients: int, time_limit: float) -> LoadResult:
    """Send (question, label) requests to /api/chat from `clients` threads, each on its own keep-alive connection.

    Closed loop: each client sends its next request when the previous answer has arrived. No request
    starts after `time_limit` seconds.
    """
    result = LoadResult()
    lock = threading.Lock()
    position = 0
    started = time.perf_counter()
    deadline = started + time_limit
    last_end = started

    def take() -> tuple[str, str] | None:
        nonlocal position
        with lock:
            if position >= len(requests) or time.perf_counter() > deadline:
                return None
            position += 1
            return requests[position - 1]

    def client() -> None:
        nonlocal last_end
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        while (item := take()) is not None:
            question, label = item
            body = json.dumps({"question": question}).encode()
            begin = time.perf_counter()
            try:
                conn.request("POST", "/api/chat", body, {"Content-Type": "application/json"})
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                conn.close()
                ok = False
            end = time.perf_counter()
            with lock:
                if ok:
                    result.latencies[label].append(end - begin)
                    result.answered.append(question)
                else:
                    result.errors += 1
                last_end = max(last_end, end)
        conn.close()

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.wall_seconds = last_end - started
    return result
