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
from engine.service import start_timers
from engine.service.engine import ProcessEngine
from engine.service.starting import StartRequest
from engine.store import audit
from engine.store.models import Job, ProcessInstance

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3
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
        _record_failure(engine, job_id, err)
        return 0


def _claim(session: Session, postgres: bool, now: dt.datetime) -> Job | None:
    query = (select(Job).outerjoin(ProcessInstance, ProcessInstance.id == Job.instance_id)
             .where(Job.status == "pending", Job.due_at <= now,
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
    with clock.frozen(now + FIRE_MARGIN):
        workflow = engine.executor.load(session, row)
        workflow.refresh_timers()
        audit.record(session, worker, "timer_fired", instance_id=row.id, case_ref=row.case_ref,
                     element_id=job.element_id, due_at=job.due_at.isoformat())
        outcome = engine.executor.advance(session, row, workflow, worker)
        engine.runner.route_events(session, outcome.events, row, _system(worker))
    job.status = "done"
    job.done_at = now
    job.attempts += 1


def _fire_start(engine: ProcessEngine, session: Session, job: Job, now: dt.datetime, worker: str) -> None:
    with clock.frozen(now + FIRE_MARGIN):
        row = engine.runner.start(session, StartRequest(job.process_id or "", timer_start=True), _system(worker))
        audit.record(session, worker, "timer_fired", instance_id=row.id, element_id=job.element_id,
                     due_at=job.due_at.isoformat(), started=True)
    job.status, job.done_at, job.attempts = "done", now, job.attempts + 1
    follow_up = start_timers.next_job(job)
    if follow_up is not None:
        session.add(follow_up)


def _record_failure(engine: ProcessEngine, job_id: int, err: Exception) -> None:
    with engine.db.unit_of_work() as session:
        job = session.get(Job, job_id)
        assert job is not None
        job.attempts += 1
        job.last_error = f"{type(err).__name__}: {err}"[:2000]
        job.status = "failed" if job.attempts >= MAX_ATTEMPTS else "pending"
        log.warning("job %s failed (attempt %s): %s", job_id, job.attempts, err)


def _system(name: str):
    from engine.core.actors import Actor

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
        for task in engine.extensions.periodic:
            if time.monotonic() >= next_run[task.name]:
                task.run(engine, None)
                next_run[task.name] = time.monotonic() + task.every
        fired = run_due_jobs(engine)
        if not fired:
            time.sleep(interval)
