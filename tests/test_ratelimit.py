import logging
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis

from app.ratelimit import MemoryRateLimiter, RedisRateLimiter, client_address, parse_rate

DEAD_REDIS = "redis://127.0.0.1:1/0"


class FakeClock:
    def __init__(self, now: float = 1_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


# --- memory limiter ---------------------------------------------------------------------------------------

def test_memory_limiter_allows_the_limit_then_refuses():
    clock = FakeClock(1_000_010.0)
    limiter = MemoryRateLimiter(limit=3, window_seconds=60, clock=clock)
    decisions = [limiter.hit("a") for _ in range(4)]
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert [d.remaining for d in decisions] == [2, 1, 0, 0]
    # the minute window holding 1_000_010 runs from 999_960 to 1_000_020
    assert decisions[-1].retry_after == 10
    assert decisions[0].retry_after == 0


def test_memory_limiter_keys_are_independent():
    limiter = MemoryRateLimiter(limit=1, window_seconds=60, clock=FakeClock())
    assert limiter.hit("a").allowed
    assert not limiter.hit("a").allowed
    assert limiter.hit("b").allowed


def test_memory_limiter_resets_with_the_next_window_and_forgets_stale_keys():
    clock = FakeClock()
    limiter = MemoryRateLimiter(limit=1, window_seconds=60, clock=clock)
    for key in ("a", "b", "c"):
        limiter.hit(key)
    assert not limiter.hit("a").allowed
    clock.now += 60
    assert limiter.hit("a").allowed
    assert len(limiter) == 1


def test_memory_limiter_is_bounded_in_keys():
    limiter = MemoryRateLimiter(limit=5, window_seconds=60, clock=FakeClock(), max_keys=100)
    for i in range(1000):
        limiter.hit(f"client-{i}")
    assert len(limiter) == 100


def test_memory_limiter_counts_exactly_under_threads():
    limiter = MemoryRateLimiter(limit=1000, window_seconds=60, clock=FakeClock())
    allowed = []

    def worker() -> None:
        allowed.append(sum(limiter.hit("shared").allowed for _ in range(250)))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(allowed) == 1000


def test_limiters_refuse_nonsense_limits():
    with pytest.raises(ValueError):
        MemoryRateLimiter(limit=0, window_seconds=60)


# --- parse_rate ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30/minute", (30, 60)),
        ("30/min", (30, 60)),
        ("100/hour", (100, 3600)),
        ("5/second", (5, 1)),
        ("30", (30, 60)),
        (" 10 / Minute ", (10, 60)),
        ("1000/day", (1000, 86400)),
        ("20 per minute", (20, 60)),
    ],
)
def test_parse_rate(text, expected):
    assert parse_rate(text) == expected


@pytest.mark.parametrize("text", ["", "abc", "30/fortnight", "0/minute", "-5/minute", "30/", "3.5/minute", "/min"])
def test_parse_rate_refuses_bad_input(text):
    with pytest.raises(ValueError):
        parse_rate(text)


# --- client_address ---------------------------------------------------------------------------------------

PROXIES = ["127.0.0.1", "10.0.0.0/8"]


@pytest.mark.parametrize(
    ("peer", "forwarded_for", "expected"),
    [
        # an untrusted peer cannot choose its address by sending the header itself
        ("203.0.113.9", "1.2.3.4", "203.0.113.9"),
        ("203.0.113.9", None, "203.0.113.9"),
        ("10.0.0.5", "198.51.100.7", "198.51.100.7"),
        ("127.0.0.1", "198.51.100.7", "198.51.100.7"),
        # the client's own "1.1.1.1" is left of the hop our proxy wrote, so it is ignored
        ("10.0.0.5", "1.1.1.1, 198.51.100.7", "198.51.100.7"),
        ("10.0.0.5", "198.51.100.7, 10.0.0.3, 10.0.0.4", "198.51.100.7"),
        ("10.0.0.5", "10.0.0.1, 10.0.0.2", "10.0.0.1"),
        ("10.0.0.5", "198.51.100.7:5555", "198.51.100.7"),
        ("10.0.0.5", "[2001:db8::1]:4711", "2001:db8::1"),
        ("::ffff:10.0.0.5", "198.51.100.7", "198.51.100.7"),
        ("10.0.0.5", "garbage, 198.51.100.7", "198.51.100.7"),
        ("10.0.0.5", "198.51.100.7, garbage", "10.0.0.5"),
        ("10.0.0.5", "not-an-ip", "10.0.0.5"),
        ("10.0.0.5", " , ,", "10.0.0.5"),
        ("10.0.0.5", "", "10.0.0.5"),
        ("testclient", "198.51.100.7", "testclient"),
        (None, "198.51.100.7", "unknown"),
    ],
)
def test_client_address(peer, forwarded_for, expected):
    assert client_address(peer, forwarded_for, PROXIES) == expected


def test_client_address_refuses_a_bad_proxy_setting():
    with pytest.raises(ValueError):
        client_address("10.0.0.5", "198.51.100.7", ["10.0.0.0/33"])


# --- Redis ------------------------------------------------------------------------------------------------

@pytest.fixture
def prefix(redis_url) -> Iterator[str]:
    prefix = f"test-ratelimit:{uuid.uuid4().hex}:"
    yield prefix
    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(f"{prefix}*"))
    if keys:
        client.delete(*keys)
    client.close()


def make_limiter(url: str, prefix: str, limit: int = 3, **kwargs) -> RedisRateLimiter:
    fallback = MemoryRateLimiter(limit=limit, window_seconds=60)
    return RedisRateLimiter(url, limit=limit, window_seconds=60, fallback=fallback, prefix=prefix, **kwargs)


def test_replicas_share_counts_through_redis(redis_url, prefix):
    clock = FakeClock(1_000_010.0)
    first = make_limiter(redis_url, prefix, clock=clock)
    second = make_limiter(redis_url, prefix, clock=clock)
    assert first.hit("client").allowed
    assert second.hit("client").allowed
    assert first.hit("client").remaining == 0
    refused = second.hit("client")
    assert not refused.allowed and refused.retry_after == 10
    assert second.hit("other").allowed
    clock.now += 60
    assert first.hit("client").allowed
    assert first.faults == second.faults == 0
    assert first.fallback.hit("client").remaining == 2  # nothing went to memory


def test_unreachable_redis_falls_back_to_memory_and_warns_once(caplog):
    limiter = make_limiter(DEAD_REDIS, "unused:", limit=2, retry_interval=0)
    with caplog.at_level(logging.WARNING, logger="app.ratelimit"):
        decisions = [limiter.hit("client") for _ in range(3)]
    assert [d.allowed for d in decisions] == [True, True, False]
    assert limiter.faults == 3
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 1


def test_after_a_fault_redis_is_rested_for_a_while():
    limiter = make_limiter(DEAD_REDIS, "unused:", retry_interval=60)
    for _ in range(5):
        limiter.hit("client")
    assert limiter.faults == 1


class Listener:
    """A loopback TCP server standing in for a Redis peer; `serve` handles each connection on its own thread."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        self.url = f"redis://127.0.0.1:{self._listener.getsockname()[1]}/0"
        self._stopped = False
        self._open: list[socket.socket] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._stopped:
            try:
                conn, _ = self._listener.accept()
            except (TimeoutError, OSError):
                continue
            with self._lock:
                self._open.append(conn)
            threading.Thread(target=self.serve, args=(conn,), daemon=True).start()

    def serve(self, conn: socket.socket) -> None:
        raise NotImplementedError

    def close_connections(self) -> None:
        with self._lock:
            for sock in self._open:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()
            self._open.clear()

    def stop(self) -> None:
        self.close_connections()
        self._stopped = True
        self._listener.close()


class Outage(Listener):
    """A TCP relay in front of Redis that the test can cut and restore, standing in for a Redis outage."""

    def __init__(self, target_url: str):
        target = urlsplit(target_url)
        self._target = (target.hostname or "127.0.0.1", target.port or 6379)
        self._up = True
        super().__init__()
        # the target's credentials and database: through the relay the limiter counts the same keys
        credentials = target.netloc.rpartition("@")[0]
        relay = urlsplit(self.url).netloc
        self.url = urlunsplit(target._replace(netloc=f"{credentials}@{relay}" if credentials else relay))

    def serve(self, conn: socket.socket) -> None:
        if not self._up:
            conn.close()
            return
        upstream = socket.create_connection(self._target)
        with self._lock:
            self._open.append(upstream)
        threading.Thread(target=self._pump, args=(conn, upstream), daemon=True).start()
        self._pump(upstream, conn)

    @staticmethod
    def _pump(source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            source.close()
            target.close()

    def cut(self) -> None:
        self._up = False
        self.close_connections()

    def restore(self) -> None:
        self._up = True


def test_limiter_recovers_when_redis_comes_back(redis_url, prefix, caplog):
    outage = Outage(redis_url)
    clock = FakeClock()
    limiter = make_limiter(outage.url, prefix, limit=10, retry_interval=0, clock=clock)
    witness = make_limiter(redis_url, prefix, limit=10, clock=clock)
    try:
        with caplog.at_level(logging.INFO, logger="app.ratelimit"):
            assert limiter.hit("client").remaining == 9
            outage.cut()
            assert limiter.hit("client").allowed
            assert limiter.hit("client").allowed
            assert limiter.faults == 2
            outage.restore()
            assert limiter.hit("client").remaining == 8  # counted in Redis again
            assert witness.hit("client").remaining == 7
            outage.cut()
            limiter.hit("client")
        warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
        assert len(warnings) == 2  # one per outage
        assert any("reachable again" in r.getMessage() for r in caplog.records)
    finally:
        limiter.close()
        witness.close()
        outage.stop()


def test_one_ipv6_network_shares_one_budget():
    from app.ratelimit import rate_limit_key

    a = rate_limit_key("2001:db8:1:2::1", 64)
    b = rate_limit_key("2001:db8:1:2:ffff:ffff:ffff:fffe", 64)
    assert a == b == "2001:db8:1:2::/64"
    assert rate_limit_key("2001:db8:1:3::1", 64) != a
    assert rate_limit_key("2001:db8:1:3::1", 128) == "2001:db8:1:3::1/128"
    assert rate_limit_key("203.0.113.9", 64) == "203.0.113.9"


# --- a Redis peer that misbehaves ---------------------------------------------------------------------------

class FakeRedis(Listener):
    """A peer on the Redis port that answers `+OK` to every command ("ok") or accepts and never answers ("silent")."""

    def __init__(self, mode: str):
        self.mode = mode
        super().__init__()

    def serve(self, conn: socket.socket) -> None:
        try:
            while data := conn.recv(65536):
                if self.mode == "ok":
                    # one reply per command: each starts with an array header line ("*3"), keys never with "*"
                    commands = sum(line.startswith(b"*") for line in data.split(b"\r\n"))
                    conn.sendall(b"+OK\r\n" * commands)
        except OSError:
            pass


TIMEOUT = 0.2  # RedisRateLimiter's default socket timeouts
# what one request may spend in the limiter: the timeout, with room for a loaded machine; an unbounded wait is
# what this guards against
LIMITER_BUDGET = 3 * TIMEOUT


@pytest.mark.parametrize("mode", ["ok", "silent"])
def test_a_redis_peer_answering_garbage_or_nothing_falls_back_to_memory(mode, caplog):
    peer = FakeRedis(mode)
    limiter = make_limiter(peer.url, "unused:", limit=2, retry_interval=0, timeout=TIMEOUT)
    try:
        with caplog.at_level(logging.WARNING, logger="app.ratelimit"):
            decisions = [limiter.hit("client") for _ in range(3)]
        # counted in memory: a garbage "count" is neither believed nor allowed to refuse everyone
        assert [d.allowed for d in decisions] == [True, True, False]
        assert limiter.faults == 3
        assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 1
    finally:
        limiter.close()
        peer.stop()


@pytest.mark.parametrize("mode", ["ok", "silent"])
def test_every_question_is_answered_while_redis_answers_garbage_or_hangs(mode, small_settings, monkeypatch):
    from fastapi.testclient import TestClient

    from app.main import create_app

    peer = FakeRedis(mode)
    try:
        with TestClient(create_app(small_settings.model_copy(update={"redis_url": peer.url}))) as c:
            limiter = c.app.state.rate_limiter  # type: ignore[attr-defined]
            spent: list[float] = []
            hit = limiter.hit

            def timed_hit(key: str):
                started = time.perf_counter()
                try:
                    return hit(key)
                finally:
                    spent.append(time.perf_counter() - started)

            monkeypatch.setattr(limiter, "hit", timed_hit)

            def ask_all(count: int) -> list[int]:
                return [c.post("/api/chat", json={"question": "Đề án 06 là gì?"}).status_code for _ in range(count)]

            assert ask_all(4) == [200] * 4
            assert limiter.faults == 1  # then rested: the next requests count in memory at once
            time.sleep(limiter._retry_interval + 0.05)
            assert ask_all(4) == [200] * 4
            faults = c.get("/metrics").text
        assert "assistant_rate_limit_backend_faults_total 2.0" in faults
        assert max(spent) < LIMITER_BUDGET, spent
    finally:
        peer.stop()
