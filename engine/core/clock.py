"""Injectable time: tests and the worker's --now see the same clock as SpiffWorkflow's timers."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_frozen: ContextVar[_dt.datetime | None] = ContextVar("kimflow_now", default=None)


def now() -> _dt.datetime:
    """Return the current time, timezone-aware UTC (or the frozen time)."""
    return _frozen.get() or _dt.datetime.now(_dt.UTC)


@contextmanager
def frozen(at: _dt.datetime) -> Iterator[_dt.datetime]:
    """Let everything inside the block see `at` as the current time."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=_dt.UTC)
    token = _frozen.set(at)
    try:
        yield at
    finally:
        _frozen.reset(token)


class _ClockDatetime(_dt.datetime):
    """datetime whose now() honours the frozen clock (installed into SpiffWorkflow's timer module)."""

    @classmethod
    def now(cls, tz=None):  # type: ignore[override]
        current = _frozen.get()
        if current is None:
            return _dt.datetime.now(tz)
        return current.astimezone(tz) if tz else current.replace(tzinfo=None)


def install() -> None:
    """Route SpiffWorkflow's timer arithmetic through this clock."""
    from SpiffWorkflow.bpmn.specs.event_definitions import timer

    timer.datetime = _ClockDatetime  # type: ignore[attr-defined]


def parse_iso(text: str) -> _dt.datetime:
    """Parse an ISO 8601 timestamp; naive values are taken as UTC."""
    value = _dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=_dt.UTC)
