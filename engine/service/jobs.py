"""Durable timer jobs: each due job fires exactly once, also with several workers on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import logging
import os
import time
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from engine.core import clock
from engine.core.actors import Actor
from engine.core.errors import InstanceStateError
from engine.service import projection, start_timers
from engine.service.engine import ProcessEngine
from engine.service.starting import StartRequest
from engine.store import audit, reference
from engine.store.models import Incident, Job, ProcessInstance

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3
# A failed attempt waits BACKOFF, then twice as long, and so on, before the next one.
BACKOFF = dt.timedelta(seconds=30)
# SpiffWorkflow fires a timer only once its due time is strictly in the past.
FIRE_MARGIN = dt.timedelta(milliseconds=1)


def run_due_jobs(engine: ProcessEngine, *, now: dt.datetime | None = None, limit: int = 1000,
                 worker: str | None = None) -> int:
    """Fire the jobs due at `now` (default: the clock), one transaction each; return how many fired."""
    now = now or clock.now()
    worker = worker or f"worker-{os.getpid()}"
    fired = 0
    while fired < limit:
        outcome = _fire_next(engine, now, worker)
        if outcome is None:
            break
        fired += outcome
    return fired


def _fire_next(engine: ProcessEngine, now: dt.datetime, worker: str) -> int | None:
    """Claim and fire one due job; None when nothing is due."""
    job_id = None
    try:
        with engine.db.unit_of_work() as session:
            job = _claim(session, engine.db.is_postgres, now)
            if job is None:
                return None
            job_id = job.id
            _fire(engine, session, job, now, worker)
            return 1
    except Exception as err:  # noqa: BLE001 - one bad job must not stop the worker
        if job_id is None:
            raise
        _record_failure(engine, job_id, err, now, worker)
        return 0


def _claim(session: Session, postgres: bool, now: dt.datetime) -> Job | None:
    query = (select(Job).outerjoin(ProcessInstance, ProcessInstance.id == Job.instance_id)
             .where(Job.status == "pending", Job.due_at <= now, or_(Job.retry_at.is_(None), Job.retry_at <= now),
                    or_(Job.kind == "start", ProcessInstance.status == "running"))
             .order_by(Job.due_at, Job.id).limit(1))
    if postgres:
        # Other workers skip the row this transaction holds instead of waiting for it.
        return session.scalars(query.with_for_update(of=Job, skip_locked=True)).first()
    job = session.scalars(query).first()
    if job is None:
        return None
    # SQLite serialises writers; the conditional update still guarantees a single winner.
    result: Any = session.execute(update(Job).where(Job.id == job.id, Job.status == "pending")
                                  .values(status="running"))
    claimed = result.rowcount
    return job if claimed == 1 else None


def _fire(engine: ProcessEngine, session: Session, job: Job, now: dt.datetime, worker: str) -> None:
    if job.kind == "start":
        _fire_start(engine, session, job, now, worker)
        return
    row = session.get(ProcessInstance, job.instance_id)
    assert row is not None, "a timer job belongs to a stored instance"
    # Refreshing the timers fires every timer of the instance that is due, not only this job's.
    due_together = [job, *session.scalars(select(Job).where(
        Job.instance_id == row.id, Job.kind == "timer", Job.status == "pending", Job.id != job.id,
        Job.due_at <= now))]
    with clock.frozen(now + FIRE_MARGIN):
        workflow = engine.executor.load(session, row)
        workflow.refresh_timers()
        for fired in due_together:
            audit.record(session, worker, "timer_fired", instance_id=row.id, case_ref=row.case_ref,
                         element_id=fired.element_id, due_at=fired.due_at.isoformat())
        outcome = engine.executor.advance(session, row, workflow, worker)
        engine.runner.route_events(session, outcome.events, row, _system(worker))
    for fired in due_together:
        fired.status, fired.done_at, fired.attempts, fired.retry_at = "done", now, fired.attempts + 1, None


def _fire_start(engine: ProcessEngine, session: Session, job: Job, now: dt.datetime, worker: str) -> None:
    with clock.frozen(now + FIRE_MARGIN):
        row = engine.runner.start(session, StartRequest(job.process_id or "", timer_start=True), _system(worker))
        audit.record(session, worker, "timer_fired", instance_id=row.id, element_id=job.element_id,
                     due_at=job.due_at.isoformat(), started=True)
    job.status, job.done_at, job.attempts, job.retry_at = "done", now, job.attempts + 1, None
    follow_up = start_timers.next_job(job)
    if follow_up is not None:
        session.add(follow_up)


def _record_failure(engine: ProcessEngine, job_id: int, err: Exception, now: dt.datetime, worker: str) -> None:
    """Count a failed attempt: retry after a growing pause, or give up with an incident."""
    with engine.db.unit_of_work() as session:
        job = session.get(Job, job_id)
        assert job is not None
        job.attempts += 1
        job.last_error = f"{type(err).__name__}: {err}"[:2000]
        log.warning("job %s failed (attempt %s): %s", job_id, job.attempts, err)
        if job.attempts < MAX_ATTEMPTS:
            job.status, job.retry_at = "pending", now + BACKOFF * 2 ** (job.attempts - 1)
            audit.record(session, worker, "job_failed", instance_id=job.instance_id, element_id=job.element_id,
                         job_id=job.id, attempts=job.attempts, retry_at=job.retry_at.isoformat())
            return
        job.status, job.retry_at, job.done_at = "failed", None, now
        audit.record(session, worker, "job_failed", instance_id=job.instance_id, element_id=job.element_id,
                     job_id=job.id, attempts=job.attempts, final=True)
        if job.instance_id is not None:
            _open_incident(session, job, now)


def _open_incident(session: Session, job: Job, now: dt.datetime) -> None:
    """Stop the job's instance with a job incident that names the element and the attempts."""
    row = session.get(ProcessInstance, job.instance_id)
    assert row is not None
    message = (f"Zeitgesteuerter Auftrag für {job.element_id!r} ist nach {job.attempts} Versuchen "
               f"fehlgeschlagen: {job.last_error}")
    incident = Incident(instance_id=row.id, element_id=job.element_id, kind="job", message=message,
                        data={"job_id": job.id, "attempts": job.attempts}, created_at=now)
    session.add(incident)
    session.flush()
    job.incident_id = incident.id
    if row.status == "running":
        row.status, row.error_element, row.error_message = "error", job.element_id, message
    projection.remember(row, None, ("timers",))  # a run after a retry reads its timers again (the job is gone)


def retry_job(engine: ProcessEngine, job_id: int, actor: Actor) -> None:
    """Give a failed job a fresh set of attempts, due at once; resolve its incident (audited)."""
    with engine.db.unit_of_work() as session:
        job = session.get(Job, job_id)
        if job is None or job.status != "failed":
            raise InstanceStateError(f"Auftrag {job_id} ist nicht fehlgeschlagen und kann nicht wiederholt werden")
        now = clock.now()
        job.status, job.attempts, job.retry_at, job.done_at = "pending", 0, None, None
        if job.incident_id is not None:
            _resolve_incident(session, job, actor, now)
        audit.record(session, actor.name, "job_retried", instance_id=job.instance_id, element_id=job.element_id,
                     job_id=job.id)


def _resolve_incident(session: Session, job: Job, actor: Actor, now: dt.datetime) -> None:
    incident = session.get(Incident, job.incident_id)
    if incident is not None and incident.resolved_at is None:
        incident.resolved_at, incident.resolved_by = now, actor.name
    row = session.get(ProcessInstance, job.instance_id)
    if row is not None and row.status == "error" and row.error_element == job.element_id:
        row.status, row.error_element, row.error_message = "running", None, None
    job.incident_id = None


def _system(name: str) -> Actor:
    return Actor.system_actor(name)


def run_periodic(engine: ProcessEngine, now: dt.datetime | None = None) -> dict[str, Any]:
    """Run every registered periodic task once; return their figures merged."""
    figures: dict[str, Any] = {}
    for task in engine.extensions.periodic:
        figures.update(task.run(engine, now))
    return figures


def work_forever(engine: ProcessEngine, *, interval: float = 1.0) -> None:
    """Fire due jobs until interrupted; run each registered periodic task at its own interval."""
    next_run = {task.name: 0.0 for task in engine.extensions.periodic}
    while True:
        with reference.request_scope():  # one reference revision read per round, as per web request
            for task in engine.extensions.periodic:
                if time.monotonic() >= next_run[task.name]:
                    task.run(engine, None)
                    next_run[task.name] = time.monotonic() + task.every
            fired = run_due_jobs(engine)
        if not fired:
            time.sleep(interval)
