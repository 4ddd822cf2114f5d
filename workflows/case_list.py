"""The case list of case management ("Meine Fälle", "Fälle der Einheit"): one page of the cases an actor may open.

The page query is a UNION with one branch per visibility condition (an area of the responsible case management, a
consent, a task), each seeking its index and stopping after the page's rows; "only overdue" and "Meine Fälle" let
the task and opened_by indexes drive and check visibility per row. What a row shows beyond the case (stage, next
deadline, overdue work, last activity) is read for the page's 50 cases alone, by the indexes on human_task,
kim_deadline and audit_event.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, false, func, or_, select, union
from sqlalchemy.orm import Session

from engine.core import clock
from engine.core.actors import Actor
from engine.core.localtime import local_date
from engine.service.task_rule import OPEN_STATES
from engine.store import audit
from engine.store.models import AuditEvent, HumanTask
from workflows.cases.models import Case, Deadline
from workflows.cases.visibility import Route, actor_routes, named_case_refs, rows_within, visible_conditions

SCOPES = ("unit", "mine")
SORTS: dict[str, tuple[Any, ...]] = {"-opened": (Case.id.desc(),), "opened": (Case.id.asc(),),
                                     "case_ref": (Case.case_ref.asc(),)}
STATUSES = ("open", "closed")
PER_PAGE = 50
COUNT_CAP = 1000  # counting 30,000 visible cases costs more than the page; the list shows "1.000+"


@dataclass
class CaseFilter:
    """What the list shows: whose cases, which status and municipality, only overdue ones, in which order."""

    scope: str = "unit"
    status: str | None = "open"
    area: str | None = None
    overdue: bool = False
    sort: str = "-opened"
    page: int = 1


@dataclass(frozen=True)
class CaseRow:
    """One case as the list shows it; the name only where the actor may see it."""

    case_ref: str
    name: str | None
    area: str | None
    status: str
    opened_at: dt.datetime
    stage: str | None
    next_deadline: dt.date | None
    deadline_label: str | None
    deadline_overdue: bool
    overdue_tasks: int
    last_activity: dt.datetime | None


@dataclass
class CasePage:
    """One page of the list with its (capped) total."""

    rows: list[CaseRow] = field(default_factory=list)
    total: int = 0
    capped: bool = False
    page: int = 1
    per_page: int = PER_PAGE

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _open_task_refs(*conditions) -> Select:
    return select(HumanTask.case_ref).where(HumanTask.status.in_(OPEN_STATES), HumanTask.case_ref.is_not(None),
                                            *conditions)


def _filtered(actor: Actor, flt: CaseFilter, now: dt.datetime) -> Select:
    """Return the list's filters on kim_case, without visibility and order."""
    query = select(Case)
    if flt.scope == "mine":
        # One IN per task index (claimant, assignee): an OR inside one subquery read every open task.
        query = query.where(or_(Case.opened_by == actor.name,
                                Case.case_ref.in_(_open_task_refs(HumanTask.claimed_by == actor.name)),
                                Case.case_ref.in_(_open_task_refs(HumanTask.assignee == actor.name))))
    if flt.status in STATUSES:
        query = query.where(Case.status == flt.status)
    if flt.area:
        query = query.where(Case.area == flt.area)
    if flt.overdue:
        query = query.where(Case.case_ref.in_(_open_task_refs(HumanTask.due_at < now)))
    return query


def _first(query: Select, conditions: list[ColumnElement[bool]], order: tuple[Any, ...], count: int) -> Select:
    """Return the ids of the first `count` rows of the query in `order` that meet one of the conditions.

    Each branch stops after `count` rows of its own index range, so a page never reads the whole visible set.
    """
    branches = [select(part.c.id) for part in (
        query.with_only_columns(Case.id).where(condition).order_by(*order).limit(count).subquery()
        for condition in conditions)]
    if not branches:
        return select(Case.id).where(false())
    return branches[0] if len(branches) == 1 else select(union(*branches).subquery().c.id)


def case_page(session: Session, actor: Actor, flt: CaseFilter, now: dt.datetime | None = None) -> CasePage:
    """Return one page of the case list; reading it is audited (codes only)."""
    now = now or clock.now()
    page = max(1, flt.page)
    order = SORTS.get(flt.sort, SORTS["-opened"])
    # "Only overdue" and "Meine Fälle" pick few cases through their indexes (tasks, opened_by): they drive, and
    # visibility is checked per row.
    seek = not (flt.overdue or flt.scope == "mine")
    routes = actor_routes(session, actor)  # the page's visibility and its names ask the same routing
    query, conditions = _filtered(actor, flt, now), visible_conditions(session, actor, now, seek=seek, routes=routes)
    skip = (page - 1) * PER_PAGE
    if conditions is None or not seek:
        query = rows_within(query, conditions)
        shown, counted = query, query.with_only_columns(Case.id).limit(COUNT_CAP + 1)
    else:
        shown = select(Case).where(Case.id.in_(_first(query, conditions, order, skip + PER_PAGE)))
        counted = _first(query, conditions, (Case.id,), COUNT_CAP + 1)
    cases = list(session.scalars(shown.order_by(*order).limit(PER_PAGE).offset(skip)))
    total = session.scalar(select(func.count()).select_from(counted.subquery())) or 0
    rows = _rows(session, actor, cases, now, routes)
    audit.record(session, actor.name, "case_list_viewed", scope=flt.scope, results=len(rows),
                 names_shown=sum(1 for r in rows if r.name))
    return CasePage(rows, min(total, COUNT_CAP), total > COUNT_CAP, page)


def _rows(session: Session, actor: Actor, cases: list[Case], now: dt.datetime, routes: list[Route]) -> list[CaseRow]:
    refs = [c.case_ref for c in cases]
    if not refs:
        return []
    named = set(session.scalars(named_case_refs(session, actor, now, routes=routes).where(Case.case_ref.in_(refs))))
    stages: dict[str, str] = {}
    overdue: dict[str, int] = {}
    for ref, name, due in session.execute(
            select(HumanTask.case_ref, HumanTask.name, HumanTask.due_at)
            .where(HumanTask.case_ref.in_(refs), HumanTask.status.in_(OPEN_STATES))
            .order_by(HumanTask.created_at, HumanTask.id)):
        if ref is None:
            continue
        stages.setdefault(ref, name)
        if due is not None and due < now:
            overdue[ref] = overdue.get(ref, 0) + 1
    deadlines: dict[str, tuple[dt.date, str]] = {}
    for ref, due_on, label in session.execute(
            select(Deadline.case_ref, Deadline.due_on, Deadline.label)
            .where(Deadline.case_ref.in_(refs), Deadline.done_at.is_(None)).order_by(Deadline.due_on)):
        deadlines.setdefault(ref, (due_on, label))
    activity = dict(session.execute(select(AuditEvent.case_ref, func.max(AuditEvent.at))
                                    .where(AuditEvent.case_ref.in_(refs)).group_by(AuditEvent.case_ref)).all())
    today = local_date(now)
    return [CaseRow(c.case_ref, _name(c) if c.case_ref in named else None, c.area, c.status, c.opened_at,
                    stages.get(c.case_ref), *(_deadline(deadlines.get(c.case_ref), today)),
                    overdue.get(c.case_ref, 0), activity.get(c.case_ref)) for c in cases]


def _name(case: Case) -> str:
    return ", ".join(p for p in (case.family_name, case.given_name) if p)


def _deadline(entry: tuple[dt.date, str] | None, today: dt.date) -> tuple[dt.date | None, str | None, bool]:
    if entry is None:
        return None, None, False
    return entry[0], entry[1], entry[0] < today
