"""A real `python -m app serve` process on a free loopback port, for tests that need one."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.settings import ROOT

ADMIN_TOKEN = "robustness-admin-token"
STARTUP_SECONDS = 120


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """A running server: its process, address and log file."""

    process: subprocess.Popen[bytes]
    host: str
    port: int
    log_path: Path

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def request(self, method: str, path: str, body: Any = None, token: str | None = None,
                timeout: float = 30) -> tuple[int, Any]:
        """One request on a fresh connection; returns the status and the decoded JSON body (or None)."""
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        try:
            conn.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
            response = conn.getresponse()
            raw = response.read()
        finally:
            conn.close()
        try:
            return response.status, json.loads(raw) if raw else None
        except ValueError:
            return response.status, raw.decode("utf-8", "replace")

    def rss_kib(self) -> int:
        """Resident set size of the server process, from /proc."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise RuntimeError(f"no VmRSS for pid {self.process.pid}")

    def log_tail(self, lines: int = 40) -> str:
        """The end of the server's log, for failure messages."""
        return "\n".join(self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


@contextmanager
def serve(env: dict[str, str], log_path: Path) -> Iterator[Server]:
    """Start the server with `env` over the usual environment, wait until /readyz is 200, stop it at the end."""
    port = free_port()
    full_env = {
        **os.environ, "HF_HUB_OFFLINE": "1", "DATABASE_URL": "", "REDIS_URL": "", "ADMIN_TOKEN": ADMIN_TOKEN,
        "RATE_LIMIT": "1000000/minute", **env, "HOST": "127.0.0.1", "PORT": str(port),
    }
    with log_path.open("wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "app", "serve"], cwd=ROOT, env=full_env,
                                   stdout=log, stderr=subprocess.STDOUT)
    server = Server(process, "127.0.0.1", port, log_path)
    try:
        _wait_ready(server)
        yield server
    finally:
        _stop(process)


def _wait_ready(server: Server) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"server exited with {server.process.returncode}:\n{server.log_tail()}")
        try:
            if server.request("GET", "/readyz", timeout=2)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server not ready after {STARTUP_SECONDS} s:\n{server.log_tail()}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
