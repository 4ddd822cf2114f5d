"""Bounds on one FEEL evaluation: designer-written loops must not hold a request or a worker.

One budget per top-level evaluation (nested evaluations share it): at most MAX_STEPS loop steps and
MAX_SECONDS of wall time; numeric ranges longer than MAX_RANGE are refused before they are built.
Exceeding a bound raises FeelLimitExceeded, which the entry point turns into null plus a warning.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from contextvars import ContextVar

MAX_STEPS = 1_000_000
MAX_RANGE = 100_000
MAX_SECONDS = 1.0
_CHECK_EVERY = 1024  # reading the clock every step would cost more than most loop bodies

_budget: ContextVar[list | None] = ContextVar("feel_budget", default=None)


class FeelLimitExceeded(Exception):
    """An evaluation went past its loop or time bound."""


@contextmanager
def budget():
    """Open a budget for a top-level evaluation; nested evaluations spend from the one already open."""
    if _budget.get() is not None:
        yield
        return
    token = _budget.set([MAX_STEPS, time.monotonic() + MAX_SECONDS])
    try:
        yield
    finally:
        _budget.reset(token)


def step() -> None:
    """Spend one loop step; raise when the evaluation is over its bounds."""
    current = _budget.get()
    if current is None:
        return
    current[0] -= 1
    if current[0] < 0:
        raise FeelLimitExceeded(f"more than {MAX_STEPS} loop steps")
    if current[0] % _CHECK_EVERY == 0 and time.monotonic() > current[1]:
        raise FeelLimitExceeded(f"longer than {MAX_SECONDS:g} s")


def check_range(size: int) -> None:
    """Refuse a numeric range too long to build."""
    if size > MAX_RANGE:
        raise FeelLimitExceeded(f"range of {size} numbers (at most {MAX_RANGE})")
