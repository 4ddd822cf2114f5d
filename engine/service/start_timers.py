"""Timer start events: a deployed process with one gets a durable start job; firing it starts an instance."""

from __future__ import annotations

import datetime as dt

from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.task import TaskState
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.core import clock
from engine.store.models import DefinitionVersion, Job

PAST = dt.timedelta(seconds=1)


def timer_starts(spec) -> list[tuple[str, TimerEventDefinition]]:
    """Return (element id, timer definition) of every timer start event of a process."""
    return [(ts.bpmn_id or ts.name, ts.event_definition) for ts in spec.task_specs.values()
            if isinstance(ts, StartEvent) and isinstance(ts.event_definition, TimerEventDefinition)]


def first_due(definition: TimerEventDefinition, script_engine, now: dt.datetime) -> tuple[dt.datetime, dict]:
    """Return when a timer start first fires and what later cycles need to know."""
    value = script_engine.environment.evaluate(definition.expression, {})
    if isinstance(definition, CycleTimerEventDefinition):
        cycles, start, interval = TimerEventDefinition.parse_iso_recurring_interval(value)
        return start, {"cycles": cycles, "interval": interval.total_seconds()}
    if isinstance(definition, DurationTimerEventDefinition):
        parsed = TimerEventDefinition.parse_iso_duration(value)
        return now + TimerEventDefinition.get_timedelta_from_start(parsed, now), {}
    if isinstance(definition, TimeDateEventDefinition):
        return clock.parse_iso(str(value)), {}
    raise ValueError(f"unknown timer type {type(definition).__name__}")


def schedule(session: Session, version: DefinitionVersion, spec, script_engine) -> None:
    """Replace the pending start jobs of the process with those of this version."""
    for old in session.scalars(select(Job).where(Job.kind == "start", Job.status == "pending",
                                                 Job.process_id == version.process_id)):
        old.status, old.done_at = "cancelled", clock.now()
    now = clock.now()
    for element_id, definition in timer_starts(spec):
        due, payload = first_due(definition, script_engine, now)
        session.add(Job(kind="start", process_id=version.process_id, instance_id=None, task_id="",
                        element_id=element_id, due_at=due, status="pending", created_at=now, payload=payload))


def release_start_event(workflow) -> None:
    """Let the timer start event of a new workflow fire once, now: the job already waited for it."""
    for task in workflow.get_tasks(state=TaskState.NOT_FINISHED_MASK):
        if isinstance(task.task_spec, StartEvent) and isinstance(task.task_spec.event_definition,
                                                                  TimerEventDefinition):
            past = (clock.now() - PAST).isoformat()
            if isinstance(task.task_spec.event_definition, CycleTimerEventDefinition):
                task.internal_data["event_value"] = {"cycles": 1, "next": past, "duration": 0}
            else:
                task.internal_data["event_value"] = past
    workflow.do_engine_steps()
    workflow.refresh_timers()
    workflow.do_engine_steps()
    workflow.refresh_timers()  # a cycle timer completes once its last cycle has produced its branch


def next_job(job: Job) -> Job | None:
    """Return the follow-up job of a cycle timer start, or None when the cycle is exhausted."""
    cycles = (job.payload or {}).get("cycles", 0)
    if cycles in (0, 1):
        return None
    interval = dt.timedelta(seconds=job.payload["interval"])
    return Job(kind="start", process_id=job.process_id, instance_id=None, task_id="", element_id=job.element_id,
               due_at=job.due_at + interval, status="pending", created_at=clock.now(),
               payload={**job.payload, "cycles": cycles - 1 if cycles > 0 else -1})
