"""What starting an instance needs to know, however it is started (API, message, timer)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class StartRequest:
    """A request to start one instance of a process."""

    process_id: str
    data: dict[str, Any] = field(default_factory=dict)
    business_key: str | None = None
    case_ref: str | None = None
    version: int | None = None
    parent_id: int | None = None
    start_message: tuple | None = None  # (name, payload, correlation) for a message start event
    timer_start: bool = False  # the start job already waited for the timer start event
