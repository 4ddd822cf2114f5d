"""What the case file reads beyond the case row: the timeline, completed forms and the integration plan."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import get_locale
from sqlalchemy.orm import Session

from engine import Actor, HumanTask, available_to, org
from web.security import services
from web.staff.case_access import form_fields, readable
from web.staff.labels import office_name
from workflows.cases.plan import Plan, current_plan
from workflows.cases.timeline import CaseRecords, TimelineEntry, case_timeline


def _involves(actor: Actor, task: HumanTask) -> bool:
    """Tell whether the task is of the actor's units (or office, without unit) or was claimed or done by them."""
    return (task.unit in actor.units or task.claimed_by == actor.name or task.completed_by == actor.name
            or (task.unit is None and task.office in actor.offices))


def entries(session: Session, case_ref: str, records: CaseRecords, actor: Actor, *, full: bool
            ) -> list[TimelineEntry]:
    """Return timeline entries, newest first; offices without full access see only their processes."""
    lines = case_timeline(session, case_ref, str(get_locale()), records)
    if not full:
        mine = {t.instance_id for t in records.tasks if _involves(actor, t)}
        lines = [e for e in lines if e.instance_id in mine]
    return list(reversed(lines))


@dataclass(frozen=True)
class DoneTask:
    """A completed task of the case the user may open read-only."""

    id: str
    name: str
    unit_name: str
    completed_at: dt.datetime | None


def readable_tasks(session: Session, tasks: list[HumanTask], actor: Actor, *, full: bool) -> list[DoneTask]:
    """Return the case's completed tasks the user may read (newest first): all for the full view, else their unit's."""
    units = org.unit_names(session)
    done = sorted((t for t in tasks if t.status == "completed"), key=lambda t: t.id)
    done.sort(key=lambda t: t.completed_at.timestamp() if t.completed_at else float("-inf"), reverse=True)
    return [DoneTask(t.id, t.name, units.get(t.unit or "") or office_name(t.office), t.completed_at) for t in done
            if full or t.completed_by == actor.name or available_to(actor, t)]


@dataclass(frozen=True)
class PlanView:
    """The integration plan in the forms' words: (label, value) rows and one row per office's measure."""

    goals: list[tuple[str, str]]
    measures: list[dict]
    review: list[tuple[str, str]]


def plan_section(session: Session, case_ref: str, tasks: list[HumanTask]) -> PlanView | None:
    """Return the case's integration plan as people read it, or None before the plan is made.

    `tasks` are every task of the case: the plan's measures are derived from them.
    """
    engine = services().engine
    plan = current_plan(session, case_ref, tasks, lambda instance: engine.show_in(session, instance).data)
    return None if plan is None else _shown(plan, form_fields())


def _shown(plan: Plan, catalogue: dict) -> PlanView:
    def rows(pairs) -> list[tuple[str, str]]:
        return [(catalogue[k].label, readable(catalogue[k], v)) for k, v in pairs if k in catalogue]

    measures = [{"office": m.office, "measure": m.measure, "status": m.status, "unit_name": m.unit_name,
                 "answered_by": m.answered_by, "answered_at": m.answered_at, "feedback": rows(m.feedback)}
                for m in plan.measures]
    return PlanView(rows(plan.goals), measures, rows(plan.review))
