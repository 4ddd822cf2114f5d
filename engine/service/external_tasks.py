"""External tasks (Camunda's pattern): service tasks marked external wait until a worker fetches and completes them.

Each verb is one unit of work. A lock is a lease: once `lock_expires_at` has passed, the task is back in the pool
and another worker may fetch it; the former holder's complete/failure is then refused.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import ErrorEventDefinition
from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.task import TaskState
from sqlalchemy import Select, and_, or_, select, update
from sqlalchemy.orm import Session

from engine.core import clock
from engine.core.actors import Actor
from engine.core.errors import KimflowError, NotFound
from engine.store import audit
from engine.store.integration_models import ExternalTask
from engine.store.models import Incident, ProcessInstance

if TYPE_CHECKING:
    from engine.service.engine import ProcessEngine

OPEN = ("open", "locked")
MAX_WAIT = dt.timedelta(seconds=30)  # below the web server's request timeout, so a long poll never hangs


class ExternalTaskError(KimflowError):
    """A worker's request on an external task that cannot be honoured now (lock lost, instance not running)."""


@dataclass(frozen=True)
class LockedTask:
    """What a worker receives for one fetched task: ids, topic, variables and its lease."""

    id: str
    topic: str
    instance_id: int
    process_id: str
    element_id: str
    business_key: str | None
    variables: dict[str, Any]
    worker_id: str
    lock_expires_at: dt.datetime
    retries: int | None

    def as_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "lock_expires_at": self.lock_expires_at.isoformat()}


def is_external(task_spec) -> bool:
    """Tell whether the designer marked a service task camunda:type="external"."""
    facts = (getattr(task_spec, "extensions", None) or {}).get("kimflow")
    camunda = facts.get("camunda", {}) if isinstance(facts, dict) else {}
    return str(camunda.get("type") or "").strip() == "external"


def project(session: Session, row: ProcessInstance, waiting: list, topic_of, fresh: bool) -> None:
    """Bring the external_task rows of an instance in line with the service tasks it waits on."""
    existing = {} if fresh else {t.id: t for t in session.scalars(select(ExternalTask).where(
        ExternalTask.instance_id == row.id, ExternalTask.status.in_(OPEN)))}
    wanted = {str(task.id): task for task in waiting}
    now = clock.now()
    for task_id, task in wanted.items():
        if task_id not in existing and session.get(ExternalTask, task_id) is None:
            spec = task.task_spec
            session.add(ExternalTask(id=task_id, instance_id=row.id, process_id=row.process_id,
                                     element_id=spec.bpmn_id or spec.name, topic=topic_of(spec) or "",
                                     business_key=row.business_key, status="open", created_at=now))
    for task_id, external in existing.items():
        # A row changed but not flushed in this transaction (just completed) keeps its new status.
        if task_id not in wanted and external.status in OPEN:
            external.status, external.done_at, external.worker_id = "cancelled", now, None


def close_all(session: Session, row: ProcessInstance) -> None:
    """Cancel the open external tasks of an instance that ended."""
    project(session, row, [], lambda _spec: None, fresh=False)


def fetch_and_lock(engine: ProcessEngine, worker_id: str, topics: list[str], *, max_tasks: int = 1,
                   lock_duration: dt.timedelta = dt.timedelta(minutes=5), now: dt.datetime | None = None,
                   wait: dt.timedelta = dt.timedelta(0), case_refs: Select | None = None) -> list[LockedTask]:
    """Lock up to `max_tasks` available tasks of `topics` for `worker_id`; return them with their variables.

    With `wait` (long polling), an empty answer is held back until a task arrives or `wait` (at most
    MAX_WAIT) has passed, so idle workers need not poll in a tight loop. With `case_refs` (a query of the
    cases the caller may see), tasks of instances in other cases are neither locked nor shown.
    """
    deadline = time.monotonic() + min(wait, MAX_WAIT).total_seconds()
    pause = 0.1
    while True:
        moment = now or clock.now()
        with engine.db.unit_of_work() as session:
            claimed = _claim(session, engine.db.is_postgres, worker_id, _available(topics, moment, case_refs),
                             max_tasks, moment + lock_duration)
            locked = [_locked(engine, session, task) for task in claimed]
        if locked or time.monotonic() >= deadline:
            return locked
        time.sleep(min(pause, max(deadline - time.monotonic(), 0)))
        pause = min(pause * 2, 1.0)  # one cheap query per second at most while idle


def _available(topics: list[str], now: dt.datetime, case_refs: Select | None) -> Select:
    free = and_(ExternalTask.status == "open", or_(ExternalTask.retry_at.is_(None), ExternalTask.retry_at <= now))
    expired = and_(ExternalTask.status == "locked", ExternalTask.lock_expires_at <= now)
    query = (select(ExternalTask).join(ProcessInstance, ProcessInstance.id == ExternalTask.instance_id)
             .where(ExternalTask.topic.in_(topics), or_(free, expired), ProcessInstance.status == "running")
             .order_by(ExternalTask.created_at, ExternalTask.id))
    if case_refs is not None:
        query = query.where(or_(ProcessInstance.case_ref.is_(None), ProcessInstance.case_ref.in_(case_refs)))
    return query


def _claim(session: Session, postgres: bool, worker_id: str, available: Select, max_tasks: int,
           until: dt.datetime) -> list[ExternalTask]:
    if postgres:
        # Other workers skip the rows this transaction holds instead of waiting for them.
        rows = list(session.scalars(available.limit(max_tasks).with_for_update(of=ExternalTask, skip_locked=True)))
        for task in rows:
            task.status, task.worker_id, task.lock_expires_at = "locked", worker_id, until
        return rows
    claimed: list[ExternalTask] = []
    for task in session.scalars(available.limit(max_tasks * 4)).all():
        if len(claimed) == max_tasks:
            break
        # Compare-and-set: only the writer that still sees the row as it read it wins it.
        result: Any = session.execute(
            update(ExternalTask).where(ExternalTask.id == task.id, ExternalTask.status == task.status,
                                       ExternalTask.worker_id.is_(None) if task.worker_id is None
                                       else ExternalTask.worker_id == task.worker_id)
            .values(status="locked", worker_id=worker_id, lock_expires_at=until)
            .execution_options(synchronize_session=False))
        if result.rowcount == 1:
            session.refresh(task)
            claimed.append(task)
    return claimed


def _locked(engine: ProcessEngine, session: Session, task: ExternalTask) -> LockedTask:
    row = session.get(ProcessInstance, task.instance_id)
    assert row is not None, "an external task belongs to a stored instance"
    with engine.executor.looking_at(session, row) as workflow:
        variables = dict(_spiff_task(workflow, task).data)
    assert task.worker_id is not None and task.lock_expires_at is not None
    return LockedTask(task.id, task.topic, task.instance_id, task.process_id, task.element_id, task.business_key,
                      variables, task.worker_id, task.lock_expires_at, task.retries)


def _spiff_task(workflow, task: ExternalTask):
    spiff = workflow.get_task_from_id(uuid.UUID(task.id))
    if spiff is None or not spiff.has_state(TaskState.STARTED):
        raise ExternalTaskError(f"Die externe Aufgabe {task.id} wartet nicht mehr im Prozess")
    return spiff


def _held(session: Session, task_id: str, worker_id: str, now: dt.datetime) -> ExternalTask:
    """Return the task if `worker_id` holds a valid lock on it, else raise."""
    task = session.get(ExternalTask, task_id, with_for_update=session.get_bind().dialect.name == "postgresql")
    if task is None:
        raise NotFound(f"Externe Aufgabe {task_id} gibt es nicht")
    if task.status != "locked" or task.worker_id != worker_id or task.lock_expires_at is None \
            or task.lock_expires_at <= now:
        raise ExternalTaskError(f"Die externe Aufgabe {task_id} ist nicht (mehr) von {worker_id} gesperrt; "
                                "bitte neu abholen")
    return task


def complete(engine: ProcessEngine, task_id: str, worker_id: str, *, actor: Actor,
             variables: dict[str, Any] | None = None) -> str:
    """Complete a locked task with `variables`; the instance moves on. Return the instance's status."""
    return _finish(engine, task_id, worker_id, actor, variables, lambda spiff: spiff.complete())


def bpmn_error(engine: ProcessEngine, task_id: str, worker_id: str, error_code: str, *, actor: Actor,
               message: str = "", variables: dict[str, Any] | None = None) -> str:
    """Throw a BPMN error with `error_code` from the task; a matching boundary error event catches it."""

    def throw(spiff) -> None:
        event = BpmnEvent(ErrorEventDefinition(error_code, code=error_code), {"message": message})
        if spiff.workflow.top_workflow.event_manager.catch(event, internal=False) == 0:
            raise ExternalTaskError(f"Kein Fehlerereignis fängt den Fehlercode {error_code!r} der Aufgabe ab")

    return _finish(engine, task_id, worker_id, actor, variables, throw)


def _finish(engine: ProcessEngine, task_id: str, worker_id: str, actor: Actor, variables, act) -> str:
    now = clock.now()
    with engine.db.unit_of_work() as session:
        task = _held(session, task_id, worker_id, now)
        row = engine.runner.get(session, task.instance_id)
        if row.status != "running":
            raise ExternalTaskError(f"Vorgang {row.id} läuft nicht (Status {row.status})")
        workflow = engine.executor.load(session, row)
        spiff = _spiff_task(workflow, task)
        spiff.data.update(variables or {})
        task.status, task.done_at, task.lock_expires_at = "done", now, None
        act(spiff)
        audit.record(session, actor.name, "external_task_done", instance_id=row.id, case_ref=row.case_ref,
                     element_id=task.element_id, worker=worker_id)
        outcome = engine.executor.advance(session, row, workflow, actor.name)
        engine.runner.route_events(session, outcome.events, row, actor)
        return row.status


def failure(engine: ProcessEngine, task_id: str, worker_id: str, *, actor: Actor, message: str, retries: int,
            retry_timeout: dt.timedelta = dt.timedelta(0)) -> None:
    """Report a failed attempt: retry after `retry_timeout` while retries remain, else raise an incident."""
    now = clock.now()
    with engine.db.unit_of_work() as session:
        task = _held(session, task_id, worker_id, now)
        task.retries, task.error_message = max(retries, 0), message[:4000]
        task.worker_id, task.lock_expires_at = None, None
        if retries > 0:
            task.status, task.retry_at = "open", now + retry_timeout
            return
        task.status = "failed"
        row = engine.runner.get(session, task.instance_id)
        text = f"Externe Aufgabe {task.element_id!r} ({task.topic}) fehlgeschlagen: {message}"[:4000]
        session.add(Incident(instance_id=row.id, element_id=task.element_id, kind="external", message=text,
                             data={"external_task_id": task.id}, created_at=now))
        audit.record(session, actor.name, "incident", instance_id=row.id, case_ref=row.case_ref,
                     element_id=task.element_id, message=text)
        context = engine.executor.context(session, row, engine.executor.load(session, row))
        engine.extensions.emit("instance_error", context, {"element_id": task.element_id, "message": text})


def extend_lock(engine: ProcessEngine, task_id: str, worker_id: str, duration: dt.timedelta) -> dt.datetime:
    """Extend the holder's lock to now + `duration`; return the new expiry."""
    now = clock.now()
    with engine.db.unit_of_work() as session:
        task = _held(session, task_id, worker_id, now)
        task.lock_expires_at = now + duration
        return task.lock_expires_at


def unlock(engine: ProcessEngine, task_id: str) -> None:
    """Return a locked task to the pool at once (an administrator's or the holder's decision)."""
    with engine.db.unit_of_work() as session:
        task = session.get(ExternalTask, task_id)
        if task is None:
            raise NotFound(f"Externe Aufgabe {task_id} gibt es nicht")
        if task.status == "locked":
            task.status, task.worker_id, task.lock_expires_at = "open", None, None


def listing(engine: ProcessEngine, *, topic: str | None = None, instance_id: int | None = None,
            limit: int = 100) -> list[ExternalTask]:
    """List open and locked external tasks, oldest first."""
    query = select(ExternalTask).where(ExternalTask.status.in_(OPEN))
    if topic:
        query = query.where(ExternalTask.topic == topic)
    if instance_id is not None:
        query = query.where(ExternalTask.instance_id == instance_id)
    with engine.db.reading() as session:
        return list(session.scalars(query.order_by(ExternalTask.created_at, ExternalTask.id).limit(limit)))
