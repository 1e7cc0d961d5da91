"""Prometheus metrics and structured JSON logs (never with personal data: questions are not logged)."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

# the closed label set of assistant_handoff_tickets
HANDOFF_EVENTS = ("opened", "answered", "closed")


class _Callbacks(Collector):
    """Exposes counters kept elsewhere (storage writer, rate limiter, cache, index) at scrape time."""

    def __init__(self, read: Callable[[], dict[str, float]], index_version: Callable[[], str | None]):
        self._read = read
        self._index_version = index_version

    def collect(self) -> Iterable[CounterMetricFamily | GaugeMetricFamily]:
        values = self._read()
        for name in ("storage_faults", "storage_opens", "rate_limit_backend_faults", "answer_cache_hits",
                     "answer_cache_misses"):
            yield CounterMetricFamily(f"assistant_{name}", name.replace("_", " "), value=values.get(name, 0.0))
        yield GaugeMetricFamily("assistant_storage_up", "1 when the database is open, 0 while degraded",
                                value=values.get("storage_up", 0.0))
        yield GaugeMetricFamily("assistant_storage_pending", "conversation writes queued for the database",
                                value=values.get("storage_pending", 0.0))
        info = GaugeMetricFamily("assistant_index_info", "Loaded index version (value 1)", labels=["version"])
        version = self._index_version()
        if version:
            info.add_metric([version], 1.0)
        yield info
        yield GaugeMetricFamily("assistant_index_ready", "1 when an index is loaded", value=1.0 if version else 0.0)


class Metrics:
    """One registry per app, so several apps (tests, replicas in one process) never share counters."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("assistant_http_requests", "HTTP requests", ["route", "method", "status"],
                                registry=self.registry)
        self.latency = Histogram("assistant_http_request_seconds", "HTTP request latency", ["route"],
                                 buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
                                 registry=self.registry)
        self.answers = Counter("assistant_answers", "Answers by type and status", ["answer_type", "status"],
                               registry=self.registry)
        self.no_answer_rate = Gauge("assistant_no_answer_rate", "Share of answers that were no_answer",
                                    registry=self.registry)
        self.rate_limited = Counter("assistant_rate_limited", "Requests refused with 429", registry=self.registry)
        self.handoff = Counter("assistant_handoff_tickets", "Hand-off tickets opened, answered and closed",
                               ["event"], registry=self.registry)
        for event in HANDOFF_EVENTS:
            self.handoff.labels(event)
        self._answered = 0
        self._unanswered = 0

    def watch(self, read: Callable[[], dict[str, float]], index_version: Callable[[], str | None]) -> None:
        """Register the callbacks that report counters owned by other parts."""
        self.registry.register(_Callbacks(read, index_version))

    def count_answer(self, answer_type: str, status: str = "answered") -> None:
        """Count one answer and update the no-answer rate (partial answers count as not answered)."""
        self.answers.labels(answer_type, status).inc()
        if status != "answered":
            self._unanswered += 1
        else:
            self._answered += 1
        self.no_answer_rate.set(self._unanswered / (self._answered + self._unanswered))


class JsonFormatter(logging.Formatter):
    """One JSON object per line; extra fields passed with `extra={"fields": {...}}` are merged in."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + "Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info).splitlines()[-1]
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(json_logs: bool) -> None:
    """Send logs to stderr, as JSON lines when asked."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if json_logs else logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
