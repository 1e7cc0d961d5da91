"""Percentiles of latency samples."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0-100), interpolating linearly between closest ranks (numpy's default)."""
    if not values:
        raise ValueError("percentile of no values")
    if not 0 <= p <= 100:
        raise ValueError(f"percentile must be within 0 and 100, not {p}")
    ordered = sorted(values)
    position = (len(ordered) - 1) * p / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def median(values: Sequence[float]) -> float:
    """The 50th percentile."""
    return percentile(values, 50)


@dataclass(frozen=True)
class Summary:
    """Sample size and tail percentiles of a latency sample, in the sample's unit."""

    n: int
    p50: float
    p95: float
    p99: float


def summarize(values: Sequence[float]) -> Summary:
    """p50, p95 and p99 of a sample."""
    return Summary(len(values), percentile(values, 50), percentile(values, 95), percentile(values, 99))
