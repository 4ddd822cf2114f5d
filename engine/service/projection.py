"""Project a workflow's waiting points into the narrow tables: human tasks, timer jobs, subscriptions."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.task import TaskState
from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from engine.bpmn.dialect import human_task_meta, service_topic
from engine.bpmn.messages import event_subprocess_starts
from engine.core import clock
from engine.service import external_tasks
from engine.service.registry import Extensions, InstanceContext
from engine.service.task_rule import OPEN_STATES
from engine.store.models import HumanTask, Job, MessageSubscription, ProcessInstance

ISO_DURATION = re.compile(r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$")


@dataclass
class Waiting:
    """What a workflow waits for after a run: people, timers, messages, service work."""

    human: list = field(default_factory=list)
    timers: list[tuple[str, str, dt.datetime]] = field(default_factory=list)
    messages: list[tuple[str, str, str]] = field(default_factory=list)
    service: list = field(default_factory=list)
    external: list = field(default_factory=list)  # service tasks an external worker performs

    @property
    def anything(self) -> bool:
        return bool(self.human or self.timers or self.messages or self.service or self.external)


def collect_waiting(workflow) -> Waiting:
    """Find the tasks a workflow waits on, including inside subprocesses."""
    waiting = Waiting()
    waiting.human = workflow.get_tasks(state=TaskState.READY, manual=True)
    waiting.service = [t for t in workflow.get_tasks(state=TaskState.STARTED)
                       if type(t.task_spec).__name__ == "ServiceTask"]
    for task in list(workflow.event_manager.tasks.values()):
        if not task.has_state(TaskState.WAITING):
            continue
        _collect_event(task, task.task_spec.event_definition, waiting)
    for start_event in event_subprocess_starts(workflow):
        definition = start_event.event_definition
        if "Message" in type(definition).__name__:
            waiting.messages.append(("", start_event.bpmn_id or start_event.name, definition.name))
    return waiting


def _collect_event(task, definition, waiting: Waiting) -> None:
    kind = type(definition).__name__
    if kind == "MultipleEventDefinition":
        for child in definition.event_definitions:
            _collect_event(task, child, waiting)
    elif isinstance(definition, TimerEventDefinition):
        due = _timer_due(task, definition)
        if due is not None:
            waiting.timers.append((str(task.id), task.task_spec.bpmn_id or task.task_spec.name, due))
    elif "Message" in kind:
        waiting.messages.append((str(task.id), task.task_spec.bpmn_id or task.task_spec.name, definition.name))


def _timer_due(task, definition) -> dt.datetime | None:
    value = task.internal_data.get("event_value")
    if isinstance(value, dict):
        value = value.get("next") if value.get("cycles") != 0 else None
    if value is None:
        # An event-based gateway keeps its timers unevaluated until it is refreshed; evaluate now.
        try:
            definition.has_fired(task)
        except Exception:  # noqa: BLE001 - the runtime reports a bad timer as an incident on refresh
            return None
        value = task.internal_data.get("event_value")
        if isinstance(value, dict):
            value = value.get("next")
    if not isinstance(value, str):
        return None
    try:
        return clock.parse_iso(value)
    except ValueError:
        return None


def sync(session: Session, row: ProcessInstance, workflow, waiting: Waiting, extensions: Extensions,
         context: InstanceContext, *, fresh: bool = False) -> dict[str, list[HumanTask]]:
    """Bring human_task, job, message_subscription and external_task rows in line with the workflow.

    The instance remembers what it projected last time (`PROJECTED` in its summary): what did not change is
    neither read nor written, and a table it left nothing in is not read. A fresh instance has no rows yet.
    """
    before = {key: [] for key in _KINDS} if fresh else projected(row)
    after = _wanted(waiting)
    try:
        with session.no_autoflush:
            created, cancelled = _sync_human_tasks(session, row, waiting, extensions, context, before["tasks"])
            if before["timers"] != after["timers"]:
                _sync_jobs(session, row, waiting, before["timers"] == [])
            if before["messages"] != after["messages"]:
                _sync_subscriptions(session, row, waiting, before["messages"] == [])
            if before["external"] != after["external"]:
                external_tasks.project(session, row, waiting.external, service_topic, before["external"] == [])
    except Exception:
        remember(row, None)  # a sync stopped half-way (an incident follows): read every table next time
        raise
    remember(row, after)
    return {"created": created, "cancelled": cancelled}


PROJECTED = "projected"  # instance summary key: what the last sync left open, per kind of row
_KINDS = ("tasks", "timers", "messages", "external")


def projected(row: ProcessInstance) -> dict[str, list | None]:
    """Return what the instance's last sync projected per kind; None where it is not known (read the table)."""
    kept = (row.summary or {}).get(PROJECTED)
    kept = kept if isinstance(kept, dict) else {}
    return {kind: kept.get(kind) if isinstance(kept.get(kind), list) else None for kind in _KINDS}


def remember(row: ProcessInstance, after: dict[str, list] | None, kinds: tuple[str, ...] = _KINDS) -> None:
    """Keep what is projected now in the summary; `after` None forgets `kinds` (their tables are read next time)."""
    kept = dict(projected(row))
    for kind in kinds:
        kept[kind] = after[kind] if after is not None else None
    if (row.summary or {}).get(PROJECTED) != kept:
        row.summary = {**(row.summary or {}), PROJECTED: kept}


def _wanted(waiting: Waiting) -> dict[str, list]:
    # JSON-shaped (lists, ISO times) and sorted, so it compares equal to what the summary kept.
    return {"tasks": sorted(str(t.id) for t in waiting.human),
            "timers": sorted([task_id, due.isoformat()] for task_id, _element, due in waiting.timers),
            "messages": sorted([task_id, element, name] for task_id, element, name in waiting.messages),
            "external": sorted(str(t.id) for t in waiting.external)}


def _open_rows(session: Session, row: ProcessInstance, ids: list[str] | None) -> dict[str, HumanTask]:
    """Return open task rows of the instance: all of them (`ids` None), else those of `ids`, from the session
    where it holds them."""
    if ids is None:
        return {t.id: t for t in session.scalars(select(HumanTask).where(
            HumanTask.instance_id == row.id, HumanTask.status.in_(OPEN_STATES)))}
    loaded = {task_id: session.identity_map.get(identity_key(HumanTask, task_id)) for task_id in ids}
    found = {task_id: human for task_id, human in loaded.items() if human is not None}
    missing = [task_id for task_id, human in loaded.items() if human is None]
    if missing:
        found.update({t.id: t for t in session.scalars(select(HumanTask).where(HumanTask.id.in_(missing)))})
    return {task_id: human for task_id, human in found.items() if human.status in OPEN_STATES}


def _sync_human_tasks(session, row, waiting, extensions, context, known: list | None):
    ready = {str(t.id): t for t in waiting.human}
    if known is None:
        existing = _open_rows(session, row, None)
        still_open = set(existing)
    else:  # the rows left open last time; only those no longer ready are needed (to close them)
        still_open = set(known)
        existing = _open_rows(session, row, [task_id for task_id in known if task_id not in ready])
    created = []
    now = clock.now()
    for task_id, task in ready.items():
        if task_id in still_open:
            continue
        human = _new_human_task(row, task, extensions, context, now)
        session.add(human)
        created.append(human)
    cancelled = []
    for task_id, human in existing.items():
        # Rows changed in this transaction but not flushed yet (the task just completed) keep their new status.
        if task_id not in ready and human.status in OPEN_STATES:
            human.status = "cancelled"
            human.completed_at = now
            cancelled.append(human)
    return created, cancelled


def candidate_users_for(task, unit: str | None, extensions: Extensions, context: InstanceContext,
                        meta=None) -> list[str]:
    """Return the designed candidate users of a task plus those the extensions add for its unit."""
    meta = meta or human_task_meta(task.task_spec)
    candidates = [str(u) for u in _Evaluator(task).listing(meta.candidate_users if meta else [])]
    if extensions.candidate_resolver is not None:
        task_extensions = dict(getattr(task.task_spec, "extensions", None) or {})
        extra = extensions.candidate_resolver(task_extensions, unit, context)
        candidates += [user for user in extra if user not in candidates]
    return candidates


def _new_human_task(row, task, extensions, context, now) -> HumanTask:
    spec = task.task_spec
    meta = human_task_meta(spec)
    office = meta.office if meta else None
    evaluate = _Evaluator(task)
    unit = extensions.unit_resolver(office, context) if (office and extensions.unit_resolver) else None
    candidates = candidate_users_for(task, unit, extensions, context, meta)
    human = HumanTask(
        id=str(task.id), instance_id=row.id, process_id=row.process_id, element_id=spec.bpmn_id or spec.name,
        name=spec.bpmn_name or spec.bpmn_id or spec.name, office=office, unit=unit, area=row.area,
        case_ref=row.case_ref, business_key=row.business_key,
        assignee=evaluate.text(meta.assignee if meta else None),
        claimed_by=None, due_at=evaluate.moment(meta.due_date if meta else None, now),
        follow_up_at=evaluate.moment(meta.follow_up_date if meta else None, now),
        priority=evaluate.number(meta.priority if meta else None, default=50),
        status="open", created_at=now)
    human.offer_to(candidates)
    return human


class TaskAttributeError(Exception):
    """A designer-written task attribute (assignee, due date, priority, ...) could not be evaluated."""

    def __init__(self, element_id: str, message: str):
        super().__init__(message)
        self.element_id = element_id


class _Evaluator:
    """Evaluate designer-written task attributes (literal or expression) in the task's context."""

    def __init__(self, task):
        self.task = task

    def _value(self, text: str | None) -> Any:
        if text is None or str(text).strip() == "":
            return None
        text = str(text).strip()
        if text.startswith("${") and text.endswith("}"):
            try:
                return self.task.workflow.script_engine.evaluate(self.task, text[2:-1])
            except Exception as err:  # noqa: BLE001 - reported as an incident on this element
                element = self.task.task_spec.bpmn_id or self.task.task_spec.name
                raise TaskAttributeError(element, f"Ausdruck {text} der Aufgabe {element!r}: {err}") from err
        return text

    def text(self, text: str | None) -> str | None:
        value = self._value(text)
        return None if value is None else str(value)

    def listing(self, items: list[str]) -> list[Any]:
        values: list[Any] = []
        for item in items:
            value = self._value(item)
            values.extend(value if isinstance(value, list | tuple) else [value] if value is not None else [])
        return values

    def number(self, text: str | None, default: int) -> int:
        value = self._value(text)
        try:
            return int(value) if value is not None else default
        except (TypeError, ValueError):
            return default

    def moment(self, text: str | None, now: dt.datetime) -> dt.datetime | None:
        value = self._value(text)
        if value is None:
            return None
        if isinstance(value, dt.datetime):
            return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        if isinstance(value, dt.date):
            return dt.datetime.combine(value, dt.time(), dt.UTC)
        value = str(value)
        if ISO_DURATION.match(value):
            from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

            parsed = TimerEventDefinition.parse_iso_duration(value)
            return now + TimerEventDefinition.get_timedelta_from_start(parsed, now)
        try:
            return clock.parse_iso(value)
        except ValueError:
            return None


def _sync_jobs(session: Session, row: ProcessInstance, waiting: Waiting, fresh: bool) -> None:
    if fresh and not waiting.timers:
        return
    pending = {} if fresh else {(j.task_id, j.due_at): j for j in session.scalars(
        select(Job).where(Job.instance_id == row.id, Job.status == "pending", Job.kind == "timer"))}
    wanted = {(task_id, due): element for task_id, element, due in waiting.timers}
    now = clock.now()
    for key, job in pending.items():
        if key not in wanted:
            job.status = "cancelled"
            job.done_at = now
    for (task_id, due), element in wanted.items():
        if (task_id, due) not in pending:
            session.add(Job(instance_id=row.id, kind="timer", task_id=task_id, element_id=element, due_at=due,
                            status="pending", created_at=now))


def _sync_subscriptions(session: Session, row: ProcessInstance, waiting: Waiting, fresh: bool) -> None:
    if not fresh:
        session.execute(delete(MessageSubscription).where(MessageSubscription.instance_id == row.id))
    for task_id, element, name in waiting.messages:
        session.add(MessageSubscription(instance_id=row.id, message_name=name, element_id=element, task_id=task_id))


def close_all(session: Session, row: ProcessInstance, status: str) -> list[HumanTask]:
    """Cancel every open task, job and subscription of an instance that ended or was cancelled."""
    now = clock.now()
    tasks = list(session.scalars(select(HumanTask).where(HumanTask.instance_id == row.id,
                                                         HumanTask.status.in_(OPEN_STATES))))
    for task in tasks:
        task.status = status
        task.completed_at = now
    for job in session.scalars(select(Job).where(Job.instance_id == row.id, Job.status == "pending")):
        job.status = "cancelled"
        job.done_at = now
    session.execute(delete(MessageSubscription).where(MessageSubscription.instance_id == row.id))
    external_tasks.close_all(session, row)
    remember(row, {kind: [] for kind in _KINDS})
    return tasks
