"""`python -m app serve` with WORKERS > 1: server processes that each listen on the same port with their own
socket (SO_REUSEPORT), so the kernel spreads new connections across them.

uvicorn's own workers share one listening socket, and asyncio accepts every waiting connection in one go: eight
clients that connect together mostly land on one worker (measured: 40 req/s instead of 61 on two workers). A
worker that dies is started again; one that dies at start-up three times running stops the server with an error;
SIGTERM or SIGINT stops every worker the way a single server stops (requests finished, storage drained).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import socket
import time
from multiprocessing.process import BaseProcess
from typing import Any

log = logging.getLogger(__name__)
# a worker that exits sooner than this after its start failed to start (bad index, port taken, ...)
START_SECONDS = 15.0
START_FAILURES = 3
POLL_SECONDS = 0.2


M_ARENA_MAX = -8  # glibc's mallopt parameter
MALLOC_ARENAS = 2


def limit_malloc_arenas(arenas: int = MALLOC_ARENAS) -> bool:
    """Cap glibc's malloc arenas for this server process, unless MALLOC_ARENA_MAX is set already.

    glibc gives each of the threadpool's threads an arena of its own as they allocate at once, and the
    arenas keep what they once held: with the cap a server's peak memory under load was 25 MB lower
    (285 MB against 310 MB). Python's own small objects are allocated under the GIL and do not care.
    Returns False where the C library has no mallopt (not glibc)."""
    if "MALLOC_ARENA_MAX" in os.environ:
        return False
    try:
        import ctypes

        return bool(ctypes.CDLL("libc.so.6").mallopt(M_ARENA_MAX, arenas))
    except (OSError, AttributeError):
        return False


def listen_socket(host: str, port: int) -> socket.socket:
    """A bound TCP socket that other processes can bind to the same address too (SO_REUSEPORT).

    Made as IPPROTO_TCP: the connections it accepts inherit the protocol, and asyncio turns Nagle's algorithm
    off only on those (with protocol 0 every answer waited about 40 ms for a delayed ACK)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


def run_worker(options: dict[str, Any], log_json: bool) -> None:
    """One worker process: its own socket, the app built from the environment like a single server's."""
    import uvicorn

    from app.observability import configure_logging

    configure_logging(log_json)
    limit_malloc_arenas()
    sock = listen_socket(options["host"], options["port"])
    config = uvicorn.Config("app.main:create_app", factory=True, **options)
    uvicorn.Server(config).run(sockets=[sock])


def serve_workers(count: int, options: dict[str, Any], log_json: bool, stop_seconds: float) -> int:
    """Run `count` workers until SIGTERM or SIGINT; the exit code is 1 when workers kept failing to start."""
    # the address is checked once here, so a taken port is one clear error rather than a restart loop
    listen_socket(options["host"], options["port"]).close()
    context = multiprocessing.get_context("spawn")
    stopping = False

    def stop(signum: int, _frame: Any) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    def start() -> tuple[BaseProcess, float]:
        process = context.Process(target=run_worker, args=(options, log_json), name="assistant-worker")
        process.start()
        return process, time.monotonic()

    workers = [start() for _ in range(count)]
    failures = 0
    while not stopping:
        time.sleep(POLL_SECONDS)
        for i, (process, started) in enumerate(workers):
            if process.is_alive() or stopping:
                continue
            failures = failures + 1 if time.monotonic() - started < START_SECONDS else 0
            log.error("worker exited", extra={"fields": {"pid": process.pid, "exit_code": process.exitcode,
                                                         "failures_at_start": failures}})
            if failures >= START_FAILURES:
                stopping = True
                break
            workers[i] = start()
    for process, _ in workers:
        if process.is_alive() and process.pid is not None:
            os.kill(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + stop_seconds
    for process, _ in workers:
        process.join(max(0.0, deadline - time.monotonic()))
        if process.is_alive():
            process.kill()
            process.join()
    return 1 if failures >= START_FAILURES else 0
