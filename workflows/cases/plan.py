"""The integration plan of a case as kim_case's forms record it: goals, measures per office and their feedback."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.core import clock
from engine.identity import org
from engine.service.task_rule import OPEN_STATES
from engine.store.models import HumanTask, ProcessInstance
from workflows.catalogue import OFFICES_ASKED

PROCESS = "kim_case"
GOAL_FIELDS = ("goal_area", "goal_target", "goal_priority", "further_goals", "measures_due_date", "next_review_date")
FEEDBACK_FIELDS = ("outcome", "reference", "date", "note")  # kim_case names them <office>_<field>
REVIEW_FIELDS = ("review_result", "next_step", "review_note")


@dataclass(frozen=True)
class Measure:
    """What the plan asks of one office and what the office answered."""

    office: str
    measure: str | None
    status: str  # "open", "overdue", "answered", "cancelled", "planned"
    unit_name: str | None
    answered_by: str | None
    answered_at: dt.datetime | None
    feedback: tuple[tuple[str, Any], ...] = ()  # (field id, value) of the office's answer


@dataclass(frozen=True)
class Plan:
    """The case's current integration plan (kim_case keeps the newest values of its forms)."""

    instance_id: int
    goals: tuple[tuple[str, Any], ...]
    measures: tuple[Measure, ...]
    review: tuple[tuple[str, Any], ...] = field(default_factory=tuple)


def plan_instances(session: Session, case_ref: str, tasks: Sequence[HumanTask]) -> list[ProcessInstance]:
    """Return the case's kim_case instances that have tasks among `tasks` (the case's), newest first.

    A plan is made in a task of kim_case, so an instance without one has none: no tasks there, no statement.
    """
    ids = sorted({t.instance_id for t in tasks if t.process_id == PROCESS})
    if not ids:
        return []
    return list(session.scalars(select(ProcessInstance).where(ProcessInstance.id.in_(ids),
                                                              ProcessInstance.case_ref == case_ref)
                                .order_by(ProcessInstance.id.desc())))


def current_plan(session: Session, case_ref: str, tasks: Sequence[HumanTask],
                 load_data: Callable[[ProcessInstance], dict[str, Any]], now: dt.datetime | None = None
                 ) -> Plan | None:
    """Return the plan of the newest kim_case instance that has one, or None before the plan is made.

    `tasks` are every task of the case (the case file has read them); `load_data` gives an instance's current data.
    """
    for instance in plan_instances(session, case_ref, tasks):
        data = load_data(instance)
        if data.get("goal_area") or data.get("goal_target"):
            return _plan(session, instance.id, data, tasks, now or clock.now())
    return None


def _plan(session: Session, instance_id: int, data: dict[str, Any], case_tasks: Sequence[HumanTask],
          now: dt.datetime) -> Plan:
    tasks = sorted((t for t in case_tasks if t.instance_id == instance_id), key=lambda t: (t.created_at, t.id))
    units, people = org.unit_names(session), org.display_names(session)
    measures = [_measure(office, data, tasks, units, people, now) for office in OFFICES_ASKED
                if data.get(f"request_{office}") or data.get(f"measure_{office}")]
    goals = tuple((f, data.get(f)) for f in GOAL_FIELDS if data.get(f) not in (None, ""))
    review = tuple((f, data.get(f)) for f in REVIEW_FIELDS if data.get(f) not in (None, ""))
    return Plan(instance_id, goals, tuple(measures), review)


def _measure(office: str, data: dict[str, Any], tasks: list[HumanTask], units: dict[str, str],
             people: dict[str, str], now: dt.datetime) -> Measure:
    mine = [t for t in tasks if t.element_id in (f"request_{office}", f"request_{office}_reminded",
                                                 f"escalate_{office}")]
    latest = mine[-1] if mine else None
    feedback = tuple((f"{office}_{f}", data.get(f"{office}_{f}")) for f in FEEDBACK_FIELDS
                     if data.get(f"{office}_{f}") not in (None, ""))
    if latest is None:
        status = "planned"
    elif latest.status in OPEN_STATES:
        status = "overdue" if latest.due_at is not None and latest.due_at < now else "open"
    else:
        status = "answered" if latest.status == "completed" else "cancelled"
    answered = latest if latest is not None and latest.status == "completed" else None
    return Measure(office, data.get(f"measure_{office}"), status,
                   units.get(latest.unit or "") if latest is not None else None,
                   people.get(answered.completed_by or "", None) if answered else None,
                   answered.completed_at if answered else None, feedback if answered else ())
