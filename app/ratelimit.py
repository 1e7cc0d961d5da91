"""Per-client rate limiting ("30 questions a minute"), in memory or shared between replicas through Redis."""

from __future__ import annotations

import ipaddress
import logging
import math
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

log = logging.getLogger(__name__)

Clock = Callable[[], float]
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class Decision:
    """Whether one request may go ahead, and when to try again if not."""

    allowed: bool
    retry_after: int
    remaining: int


class RateLimiter(Protocol):
    """Counts requests per key in fixed windows."""

    def hit(self, key: str) -> Decision:
        """Count one request for `key` and decide whether it is allowed."""
        ...


def _decide(count: int, limit: int, window: int, now: float, window_seconds: int) -> Decision:
    """The decision for the `count`-th request in window number `window`."""
    if count <= limit:
        return Decision(allowed=True, retry_after=0, remaining=limit - count)
    # at least one second: "Retry-After: 0" invites an immediate retry that is refused again
    retry_after = max(1, math.ceil((window + 1) * window_seconds - now))
    return Decision(allowed=False, retry_after=retry_after, remaining=0)


class MemoryRateLimiter:
    """Fixed-window counts in this process; memory is bounded to the keys seen in the current window."""

    def __init__(self, limit: int, window_seconds: int, clock: Clock = time.monotonic, max_keys: int = 100_000):
        if limit < 1 or window_seconds < 1:
            raise ValueError("limit and window_seconds must be at least 1")
        self.limit = limit
        self.window_seconds = window_seconds
        self._clock = clock
        self._max_keys = max_keys
        self._counts: OrderedDict[str, tuple[int, int]] = OrderedDict()
        self._swept_window = -1
        self._lock = threading.Lock()

    def hit(self, key: str) -> Decision:
        """Count one request for `key` in the current window."""
        now = self._clock()
        window = int(now // self.window_seconds)
        with self._lock:
            if window != self._swept_window:
                # every count from an earlier window is stale at once, so one sweep per window is enough
                self._counts = OrderedDict((k, v) for k, v in self._counts.items() if v[0] == window)
                self._swept_window = window
            seen_window, count = self._counts.get(key, (window, 0))
            count = count + 1 if seen_window == window else 1
            self._counts[key] = (window, count)
            self._counts.move_to_end(key)
            while len(self._counts) > self._max_keys:
                # a flood of distinct keys must not exhaust memory; the least recently seen key is forgotten
                self._counts.popitem(last=False)
        return _decide(count, self.limit, window, now, self.window_seconds)

    def __len__(self) -> int:
        """Number of keys currently tracked."""
        return len(self._counts)


class RedisRateLimiter:
    """Fixed-window counts in Redis, so replicas share them; falls back to memory while Redis is unreachable.

    `faults` counts failed Redis calls: unreachable, silent past `timeout`, or answering something that is
    not a count. After a failure Redis is not tried again for `retry_interval` seconds, so an outage costs
    at most one short timeout per interval rather than one per request.
    """

    def __init__(
        self,
        url: str,
        limit: int,
        window_seconds: int,
        fallback: MemoryRateLimiter,
        prefix: str = "ratelimit:",
        timeout: float = 0.2,
        retry_interval: float = 1.0,
        clock: Clock = time.time,
    ):
        if limit < 1 or window_seconds < 1:
            raise ValueError("limit and window_seconds must be at least 1")
        self.limit = limit
        self.window_seconds = window_seconds
        self.fallback = fallback
        self.faults = 0
        self._prefix = prefix
        self._retry_interval = retry_interval
        # wall-clock time, so every replica agrees on the window number
        self._clock = clock
        # redis-py retries with backoff by default; a rate limiter must answer fast or not at all
        self._client = redis.Redis.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout, retry=Retry(NoBackoff(), 0)
        )
        self._down = False
        self._next_attempt = 0.0
        self._lock = threading.Lock()

    def hit(self, key: str) -> Decision:
        """Count one request for `key` in Redis, or in the fallback while Redis is unreachable."""
        now = self._clock()
        with self._lock:
            resting = self._down and time.monotonic() < self._next_attempt
        if resting:
            return self.fallback.hit(key)
        window = int(now // self.window_seconds)
        redis_key = f"{self._prefix}{key}:{window}"
        try:
            pipe = self._client.pipeline(transaction=True)
            pipe.incr(redis_key)
            # the key names its window, so it only has to outlive that window
            pipe.expire(redis_key, self.window_seconds + 1)
            count = _count(pipe.execute())
        except Exception as exc:  # whatever the peer did (silence, garbage, a broken handshake), count here
            self._record_fault(exc)
            # a connection that read garbage is out of step with its peer: the next attempt starts afresh
            self._client.connection_pool.disconnect(inuse_connections=False)
            return self.fallback.hit(key)
        with self._lock:
            if self._down:
                self._down = False
                log.info("Redis rate limiter is reachable again; counts are shared across replicas")
        return _decide(count, self.limit, window, now, self.window_seconds)

    def _record_fault(self, exc: Exception) -> None:
        with self._lock:
            self.faults += 1
            self._next_attempt = time.monotonic() + self._retry_interval
            if not self._down:
                self._down = True
                log.warning("Redis rate limiter unreachable or not answering as Redis (%s: %s); counting in this "
                            "process until it returns", type(exc).__name__, exc)

    def close(self) -> None:
        """Close the Redis connections."""
        self._client.close()


def _count(replies: object) -> int:
    """The INCR count from the transaction's two replies; ValueError for anything a Redis server would not send."""
    if not isinstance(replies, list) or len(replies) != 2:
        raise ValueError(f"unexpected reply from Redis: {type(replies).__name__}")
    count = replies[0]
    # bool is an int too; a count below 1 cannot follow an INCR
    if type(count) is not int or count < 1:
        raise ValueError("unexpected count from Redis")
    return count


_UNITS = {
    "s": 1, "sec": 1, "second": 1, "seconds": 1,
    "m": 60, "min": 60, "minute": 60, "minutes": 60,
    "h": 3600, "hr": 3600, "hour": 3600, "hours": 3600,
    "d": 86400, "day": 86400, "days": 86400,
}
_RATE_RE = re.compile(r"\s*(\d+)\s*(?:(?:/|per)\s*([a-z]+))?\s*", re.IGNORECASE)


def parse_rate(text: str) -> tuple[int, int]:
    """"30/minute", "100/hour", "5/second" or a bare "30" (per minute) -> (limit, window_seconds)."""
    match = _RATE_RE.fullmatch(text)
    unit = (match.group(2) or "minute").lower() if match else ""
    if not match or unit not in _UNITS:
        raise ValueError(f"rate must look like '30/minute', '100/hour' or '5/second', not {text!r}")
    limit = int(match.group(1))
    if limit < 1:
        raise ValueError(f"rate limit must be at least 1, not {text!r}")
    return limit, _UNITS[unit]


@lru_cache(maxsize=32)
def _networks(trusted_proxies: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    """Parse trusted proxies once; a bad entry is a configuration error and raises ValueError."""
    return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in trusted_proxies)


def _parse_ip(value: str) -> IPAddress | None:
    """An address from a header or peer value ("1.2.3.4", "1.2.3.4:5678", "[::1]:80"), or None."""
    value = value.strip()
    if value.startswith("[") and "]" in value:
        value = value[1:value.index("]")]
    elif value.count(":") == 1:
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    # "::ffff:10.0.0.1" is an IPv4 peer seen through a dual-stack socket
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _is_trusted(address: IPAddress, networks: tuple[IPNetwork, ...]) -> bool:
    return any(address.version == net.version and address in net for net in networks)


def rate_limit_key(address: str, ipv6_prefix: int) -> str:
    """What a client is counted as: its IPv4 address, or its IPv6 network (one device can hold a whole
    /64, so counting per address would give it billions of budgets)."""
    ip = _parse_ip(address)
    if isinstance(ip, ipaddress.IPv6Address):
        return str(ipaddress.ip_network(f"{ip}/{ipv6_prefix}", strict=False))
    return address


def client_address(peer: str | None, forwarded_for: str | None, trusted_proxies: list[str]) -> str:
    """The client's address: the peer, or behind trusted proxies the right-most untrusted X-Forwarded-For hop.

    Proxies append the address they received from, so only the hops our own proxies wrote can be believed;
    everything left of the first untrusted hop may be made up by the client. Garbage falls back to the peer.
    """
    if not peer:
        return "unknown"
    networks = _networks(tuple(trusted_proxies))
    peer_ip = _parse_ip(peer)
    if peer_ip is None or not _is_trusted(peer_ip, networks) or not forwarded_for:
        return str(peer_ip) if peer_ip is not None else peer
    hops = [hop for hop in forwarded_for.split(",") if hop.strip()]
    client = peer_ip
    for hop in reversed(hops):
        address = _parse_ip(hop)
        if address is None:
            # a hop our proxy wrote cannot be garbage, so the header is not to be believed
            return str(peer_ip)
        client = address
        if not _is_trusted(address, networks):
            break
    return str(client)
