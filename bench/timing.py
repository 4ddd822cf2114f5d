"""Repeat a measured call and summarise the durations in milliseconds."""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Stats:
    """Median and 95th percentile of repeated durations, in milliseconds."""

    median: float
    p95: float
    samples: int

    @classmethod
    def of(cls, seconds: list[float]) -> Stats:
        ordered = sorted(seconds)
        p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
        return cls(statistics.median(ordered) * 1000, p95 * 1000, len(ordered))


def timed(call: Callable[[], object]) -> float:
    """Run `call` once and return how many seconds it took."""
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def measure(calls: Iterable[Callable[[], object]], warmup: int = 0) -> Stats:
    """Time each call of `calls`, the first `warmup` untimed; the garbage collector stays on, as in production."""
    durations: list[float] = []
    gc.collect()
    for index, call in enumerate(calls):
        duration = timed(call)
        if index >= warmup:
            durations.append(duration)
    return Stats.of(durations)
