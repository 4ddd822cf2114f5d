"""The registration API through which workflows/ plugs KIM specifics into the generic engine."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Select
from sqlalchemy.orm import Session


@dataclass
class InstanceContext:
    """What routing and listeners may know about an instance while the engine works on it."""

    session: Session
    instance_id: int
    process_id: str
    case_ref: str | None
    business_key: str | None
    data: dict[str, Any]


@dataclass
class ServiceCall:
    """One service-task invocation: the handler reads `data` and returns updates to merge."""

    context: InstanceContext
    element_id: str
    topic: str
    data: dict[str, Any]


ServiceHandler = Callable[[ServiceCall], dict[str, Any] | None]
UnitResolver = Callable[[str, InstanceContext], str | None]
AreaResolver = Callable[[InstanceContext], str | None]
# (the task's extensions: camunda properties and kimflow facts, its resolved unit, the context) -> usernames
CandidateResolver = Callable[[dict[str, Any], str | None, InstanceContext], list[str]]
Listener = Callable[[str, InstanceContext, dict[str, Any]], None]

class PersonDirectory(Protocol):
    """Who a business reference (e.g. a case number) stands for: search by name, names for a page."""

    def matching(self, text: str) -> Select:
        """Return a query of the references whose person matches `text`."""
        ...

    def names(self, session: Session, refs: set[str]) -> dict[str, str]:
        """Return the display name of each reference that has one."""
        ...


@dataclass(frozen=True)
class PeriodicTask:
    """Work the worker does every `every` seconds and before each `worker --once` run."""

    name: str
    every: float
    run: Callable[[Any, dt.datetime | None], dict[str, Any]]  # (engine, now) -> figures for the output


EVENTS = ("instance_started", "instance_completed", "task_created", "task_completed", "task_cancelled",
          "instance_error", "message_correlated")


@dataclass
class Extensions:
    """Everything outside the engine that processes may call or that may observe the engine."""

    script_functions: dict[str, Callable[..., Any]] = field(default_factory=dict)
    service_handlers: dict[str, ServiceHandler] = field(default_factory=dict)
    offices: set[str] | None = None
    unit_resolver: UnitResolver | None = None
    area_resolver: AreaResolver | None = None
    candidate_resolver: CandidateResolver | None = None  # extra candidate users of a new human task
    listeners: dict[str, list[Listener]] = field(default_factory=lambda: defaultdict(list))
    people: PersonDirectory | None = None  # inbox search by person name, names beside references
    periodic: list[PeriodicTask] = field(default_factory=list)
    migrations: list[Path] = field(default_factory=list)  # further Alembic version folders (own tables)

    def script_function(self, name: str | None = None) -> Callable:
        """Expose a function to scripts, conditions and DMN cells under `name`."""

        def register(fn: Callable) -> Callable:
            self.script_functions[name or fn.__name__] = fn
            return fn

        return register

    def service_handler(self, topic: str) -> Callable[[ServiceHandler], ServiceHandler]:
        """Register the Python handler that performs service tasks with this topic."""

        def register(fn: ServiceHandler) -> ServiceHandler:
            self.service_handlers[topic] = fn
            return fn

        return register

    def on(self, event: str, listener: Listener) -> None:
        """Call `listener(event, context, payload)` inside the engine's transaction."""
        if event not in EVENTS:
            raise ValueError(f"unknown engine event {event!r}; known: {', '.join(EVENTS)}")
        self.listeners[event].append(listener)

    def emit(self, event: str, context: InstanceContext, payload: dict[str, Any]) -> None:
        for listener in self.listeners.get(event, ()):
            listener(event, context, payload)
