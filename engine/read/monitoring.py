"""Management read side: instance lists with filters, one instance's history, and incidents.

Lists read only the narrow columns of `process_instance` and `human_task` (never the state JSON); the
detail page reads one instance's state JSON as plain JSON to mark the path taken.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from SpiffWorkflow.task import TaskState
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from engine.core import clock
from engine.core.errors import NotFound
from engine.identity.models import Unit
from engine.read.lists import Page
from engine.store.models import (
    AuditEvent,
    DefinitionVersion,
    HumanTask,
    Incident,
    Job,
    MessageSubscription,
    ProcessInstance,
)

LIST_COUNT_CAP = 10_000

OPEN = ("open", "claimed")
LIST_COLUMNS = (ProcessInstance.id, ProcessInstance.process_id, ProcessInstance.version, ProcessInstance.status,
                ProcessInstance.business_key, ProcessInstance.case_ref, ProcessInstance.area,
                ProcessInstance.started_at, ProcessInstance.ended_at, ProcessInstance.error_element)
SORTS = {
    # Ids grow with the start: "-id" (the default) is "newest first" without sorting the whole table.
    "-id": (ProcessInstance.id.desc(),),
    "-started": (ProcessInstance.started_at.desc(), ProcessInstance.id.desc()),
    "started": (ProcessInstance.started_at.asc(), ProcessInstance.id.asc()),
    "id": (ProcessInstance.id.asc(),),
}
ADMIN_ACTIONS = ("instance_suspended", "instance_resumed", "instance_cancelled", "instance_retried", "task_skipped",
                 "data_corrected", "task_delegated", "incident")


@dataclass
class InstanceFilter:
    """The filters of the instance list, as the management screens offer them."""

    process_id: str | None = None
    version: int | None = None
    status: str | None = None
    area: str | None = None
    unit: str | None = None  # instances with an open task in this unit
    started_from: dt.datetime | None = None
    started_to: dt.datetime | None = None
    overdue: bool = False  # instances with an open task past its due date
    search: str | None = None  # business key or case number, exact or as a prefix
    sort: str = "-id"


@dataclass(frozen=True)
class InstanceRow:
    """One line of the instance list."""

    id: int
    process_id: str
    version: int
    status: str
    business_key: str | None
    case_ref: str | None
    area: str | None
    started_at: dt.datetime
    ended_at: dt.datetime | None
    error_element: str | None


def _filtered(query, flt: InstanceFilter, now: dt.datetime):
    pi = ProcessInstance
    conditions = [column == value for column, value in ((pi.process_id, flt.process_id), (pi.version, flt.version),
                                                         (pi.status, flt.status), (pi.area, flt.area))
                  if value not in (None, "")]
    if flt.started_from is not None:
        conditions.append(pi.started_at >= flt.started_from)
    if flt.started_to is not None:
        conditions.append(pi.started_at < flt.started_to)
    if flt.search:
        # Prefix ranges instead of LIKE, so both databases use the indexes on business key and case number.
        text = flt.search.strip()
        conditions.append(or_(and_(pi.business_key >= text, pi.business_key < text + "\uffff"),
                              and_(pi.case_ref >= text, pi.case_ref < text + "\uffff")))
    # Open tasks are few compared with instances: select their instance ids through the task indexes.
    if flt.unit:
        conditions.append(pi.id.in_(select(HumanTask.instance_id).where(
            HumanTask.unit == flt.unit, HumanTask.status.in_(OPEN))))
    if flt.overdue:
        # Overdue tasks can be a large share of all tasks: test each listed instance through the
        # (instance_id, status) index instead of collecting every overdue task first.
        conditions.append(select(HumanTask.id).where(
            HumanTask.instance_id == pi.id, HumanTask.status.in_(OPEN), HumanTask.due_at < now).exists())
    return query.where(and_(*conditions)) if conditions else query


def instance_list(session: Session, flt: InstanceFilter | None = None, *, limit: int = 50, offset: int = 0,
                  now: dt.datetime | None = None) -> Page:
    """Return one page of instances matching the filter, with the total count."""
    flt = flt or InstanceFilter()
    now = now or clock.now()
    # Counting stops past LIST_COUNT_CAP: a broad filter at 100k instances would otherwise count for longer
    # than the page takes; the list shows "10000+".
    matching = _filtered(select(ProcessInstance.id), flt, now).limit(LIST_COUNT_CAP + 1).subquery()
    counted = session.scalar(select(func.count()).select_from(matching)) or 0
    total, capped = min(counted, LIST_COUNT_CAP), counted > LIST_COUNT_CAP
    query = _filtered(select(*LIST_COLUMNS), flt, now).order_by(*SORTS.get(flt.sort, SORTS["-id"]))
    rows = [InstanceRow(*row) for row in session.execute(query.limit(limit).offset(offset))]
    return Page(rows, total, limit, offset, capped)


@dataclass(frozen=True)
class TaskLine:
    """One human task in an instance's history: who, when, how long."""

    id: str
    element_id: str
    name: str
    office: str | None
    unit: str | None
    status: str
    created_at: dt.datetime
    claimed_by: str | None
    completed_by: str | None
    completed_at: dt.datetime | None
    due_at: dt.datetime | None

    @property
    def hours(self) -> float | None:
        if self.completed_at is None:
            return None
        return round((self.completed_at - self.created_at).total_seconds() / 3600, 1)


@dataclass(frozen=True)
class ActionLine:
    """One administrative action on an instance, with the reason kept beside the audit line."""

    at: dt.datetime
    actor: str
    action: str
    details: dict[str, Any]


@dataclass
class InstanceDetail:
    """Everything the instance page shows, except process data (that goes through the engine)."""

    instance: InstanceRow
    definition_version_id: int
    error_message: str | None
    tasks: list[TaskLine] = field(default_factory=list)
    timers: list[tuple[str, dt.datetime]] = field(default_factory=list)
    messages: list[tuple[str, str]] = field(default_factory=list)
    incidents: list[Incident] = field(default_factory=list)
    actions: list[ActionLine] = field(default_factory=list)
    path: dict[str, str] = field(default_factory=dict)  # element id -> completed / active / failed


def instance_detail(session: Session, instance_id: int) -> InstanceDetail:
    """Return an instance's task history, pending timers and messages, incidents and path taken."""
    row = session.get(ProcessInstance, instance_id)
    if row is None:
        raise NotFound(f"Vorgang {instance_id} gibt es nicht")
    detail = InstanceDetail(InstanceRow(*(getattr(row, c.key) for c in LIST_COLUMNS)), row.definition_version_id,
                            row.error_message)
    tasks = session.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id)
                            .order_by(HumanTask.created_at, HumanTask.id))
    detail.tasks = [TaskLine(t.id, t.element_id, t.name, t.office, t.unit, t.status, t.created_at, t.claimed_by,
                             t.completed_by, t.completed_at, t.due_at) for t in tasks]
    detail.timers = [(e, due) for e, due in session.execute(select(Job.element_id, Job.due_at).where(
        Job.instance_id == instance_id, Job.status == "pending").order_by(Job.due_at))]
    detail.messages = [(e, name) for e, name in session.execute(select(
        MessageSubscription.element_id, MessageSubscription.message_name)
        .where(MessageSubscription.instance_id == instance_id))]
    detail.incidents = list(session.scalars(select(Incident).where(Incident.instance_id == instance_id)
                                            .order_by(Incident.created_at.desc())))
    reasons = {(r.get("action"), r.get("at")): r.get("reason") for r in (row.summary or {}).get("admin_reasons", [])}
    detail.actions = [ActionLine(e.at, e.actor, e.action, {**(e.details or {}),
                                                           "reason": reasons.get((e.action, e.at.isoformat()))})
                      for e in session.scalars(select(AuditEvent).where(
                          AuditEvent.instance_id == instance_id, AuditEvent.action.in_(ADMIN_ACTIONS))
                          .order_by(AuditEvent.at.desc()).limit(100))]
    detail.path = path_taken(row.state)
    return detail


def path_taken(state: str) -> dict[str, str]:
    """Mark every element of a serialized instance as completed, active or failed (failed wins)."""
    try:
        dct = json.loads(state or "{}")
    except ValueError:
        return {}
    marks: dict[str, str] = {}
    rank = {"completed": 1, "active": 2, "failed": 3}
    for tasks in [dct.get("tasks", {})] + [sub.get("tasks", {}) for sub in dct.get("subprocesses", {}).values()]:
        for task in tasks.values():
            mark = _mark(task.get("state", 0))
            name = task.get("task_spec")
            if mark and name and rank[mark] > rank.get(marks.get(name, ""), 0):
                marks[name] = mark
    return marks


def _mark(state: int) -> str | None:
    if state & TaskState.ERROR:
        return "failed"
    if state & (TaskState.READY | TaskState.WAITING | TaskState.STARTED):
        return "active"
    if state & TaskState.COMPLETED:
        return "completed"
    return None


@dataclass(frozen=True)
class IncidentRow:
    """One incident with the instance it belongs to."""

    id: int
    instance_id: int
    process_id: str
    version: int
    business_key: str | None
    element_id: str | None
    kind: str
    message: str
    created_at: dt.datetime
    resolved_at: dt.datetime | None
    resolved_by: str | None


def incident_list(session: Session, *, open_only: bool = True, limit: int = 200, process_id: str | None = None,
                  element_id: str | None = None, since: dt.datetime | None = None) -> list[IncidentRow]:
    """Return incidents, newest first, with their instance's process and business key, optionally filtered."""
    query = (select(Incident.id, Incident.instance_id, ProcessInstance.process_id, ProcessInstance.version,
                    ProcessInstance.business_key, Incident.element_id, Incident.kind, Incident.message,
                    Incident.created_at, Incident.resolved_at, Incident.resolved_by)
             .join(ProcessInstance, ProcessInstance.id == Incident.instance_id)
             .order_by(Incident.created_at.desc(), Incident.id.desc()).limit(limit))
    if open_only:
        query = query.where(Incident.resolved_at.is_(None))
    if process_id:
        query = query.where(ProcessInstance.process_id == process_id)
    if element_id:
        query = query.where(Incident.element_id == element_id)
    if since is not None:
        query = query.where(Incident.created_at >= since)
    return [IncidentRow(*row) for row in session.execute(query)]


@dataclass(frozen=True)
class JobRow:
    """A timer or start job that failed at least once, with its retry count."""

    id: int
    instance_id: int | None
    process_id: str | None
    element_id: str
    kind: str
    status: str
    attempts: int
    last_error: str | None
    due_at: dt.datetime


def failing_jobs(session: Session, *, process_id: str | None = None, limit: int = 200) -> list[JobRow]:
    """Return jobs that failed for good or are being retried, most attempts first."""
    query = (select(Job.id, Job.instance_id, Job.process_id, Job.element_id, Job.kind, Job.status, Job.attempts,
                    Job.last_error, Job.due_at)
             .where(or_(Job.status == "failed", and_(Job.status == "pending", Job.last_error.is_not(None))))
             .order_by(Job.attempts.desc(), Job.id).limit(limit))
    if process_id:
        query = query.where(Job.process_id == process_id)
    return [JobRow(*row) for row in session.execute(query)]


def filter_options(session: Session) -> dict[str, Any]:
    """Return the deployed process versions and the areas to offer in the filter form."""
    deployed = session.execute(select(DefinitionVersion.process_id, DefinitionVersion.version)
                               .where(DefinitionVersion.kind == "process")
                               .order_by(DefinitionVersion.process_id, DefinitionVersion.version))
    versions: dict[str, list[int]] = {}
    for process_id, version in deployed:
        versions.setdefault(process_id, []).append(version)
    areas = session.scalars(select(ProcessInstance.area).where(ProcessInstance.area.is_not(None)).distinct()
                            .order_by(ProcessInstance.area))
    return {"versions": versions, "areas": list(areas)}


@dataclass
class OverviewLine:
    """Open work of one unit in one municipality."""

    unit: str | None
    unit_name: str
    area: str | None
    open: int
    overdue: int


@dataclass
class Overview:
    """The manager's start page: open and overdue work, the oldest overdue task, incidents, throughput."""

    lines: list[OverviewLine]
    oldest_overdue: HumanTask | None
    open_incidents: int
    completed_per_day: list[tuple[dt.date, int]]

    @property
    def open_total(self) -> int:
        return sum(line.open for line in self.lines)

    @property
    def overdue_total(self) -> int:
        return sum(line.overdue for line in self.lines)


def overview(session: Session, *, days: int = 30) -> Overview:
    """Count open work per unit and municipality, overdue tasks, open incidents and completions per day."""
    now = clock.now()
    overdue = func.sum(case((HumanTask.due_at < now, 1), else_=0))
    rows = session.execute(
        select(HumanTask.unit, func.coalesce(Unit.name, HumanTask.unit), HumanTask.area, func.count(), overdue)
        .outerjoin(Unit, Unit.code == HumanTask.unit).where(HumanTask.status.in_(OPEN))
        .group_by(HumanTask.unit, Unit.name, HumanTask.area).order_by(HumanTask.unit, HumanTask.area))
    lines = [OverviewLine(unit, name or "ohne Stelle", area, count, int(late or 0))
             for unit, name, area, count, late in rows]
    oldest = session.scalars(select(HumanTask).where(HumanTask.status.in_(OPEN), HumanTask.due_at < now)
                             .order_by(HumanTask.due_at, HumanTask.id).limit(1)).first()
    incidents = session.scalar(select(func.count()).select_from(Incident).where(Incident.resolved_at.is_(None)))
    start = (now - dt.timedelta(days=days - 1)).date()
    per_day = dict.fromkeys((start + dt.timedelta(days=n) for n in range(days)), 0)
    for ended in session.scalars(select(ProcessInstance.ended_at).where(
            ProcessInstance.status == "completed",
            ProcessInstance.ended_at >= dt.datetime.combine(start, dt.time(), tzinfo=dt.UTC))):
        if ended is not None and ended.date() in per_day:
            per_day[ended.date()] += 1
    return Overview(lines, oldest, incidents or 0, sorted(per_day.items()))
