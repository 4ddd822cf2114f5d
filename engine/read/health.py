"""Operational read side: readiness (database, schema, worker) and the figures monitoring scrapes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import and_, case, func, or_, select, text
from sqlalchemy.orm import Session

from engine.store import heartbeat
from engine.store.db import Database
from engine.store.integration_models import ExternalTask, HookDelivery, HookOutbox
from engine.store.migrate import alembic_config
from engine.store.models import HumanTask, Incident, Job

OPEN_STATES = ("open", "claimed")


@dataclass
class Readiness:
    """Whether this process can serve: each check's verdict and a short reason when it fails."""

    checks: dict[str, str] = field(default_factory=dict)

    @property
    def ready(self) -> bool:
        return all(verdict == "ok" for verdict in self.checks.values())


def readiness(db: Database, *, now: dt.datetime, extra_migrations: Sequence[Path] = (),
              max_heartbeat_age: dt.timedelta | None = dt.timedelta(minutes=2)) -> Readiness:
    """Check that the database answers, its schema is at every head and a worker beat recently."""
    result = Readiness()
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            current = set(MigrationContext.configure(connection).get_current_heads())
    except Exception as err:  # noqa: BLE001 - any driver error means "not ready", said in one word
        result.checks["database"] = f"unreachable: {type(err).__name__}"
        return result
    result.checks["database"] = "ok"
    expected = set(ScriptDirectory.from_config(alembic_config(extra_migrations)).get_heads())
    result.checks["schema"] = "ok" if current == expected else f"behind: missing {sorted(expected - current)}"
    if max_heartbeat_age is not None:
        with db.reading() as session:
            last = heartbeat.latest(session)
        if last is None:
            result.checks["worker"] = "no heartbeat yet"
        elif now - last > max_heartbeat_age:
            result.checks["worker"] = f"last heartbeat {int((now - last).total_seconds())} s ago"
        else:
            result.checks["worker"] = "ok"
    return result


def beat(db: Database, worker: str, now: dt.datetime) -> None:
    """Stamp the heartbeat of `worker` in a transaction of its own."""
    with db.unit_of_work() as session:
        heartbeat.beat(session, worker, now)


@dataclass
class Figures:
    """What monitoring shows: open tasks per office and unit, overdue tasks, jobs and incidents."""

    open_tasks: dict[tuple[str, str, str], int]  # (office, unit, status) -> count
    overdue_tasks: int
    job_lag_seconds: float  # how late the oldest due pending job is
    jobs_pending: int
    jobs_failed: int
    incidents_open: int


def figures(session: Session, now: dt.datetime) -> Figures:
    """Return the operational figures at `now` (aggregates only: no names, no case data)."""
    rows = session.execute(select(HumanTask.office, HumanTask.unit, HumanTask.status, func.count())
                           .where(HumanTask.status.in_(OPEN_STATES))
                           .group_by(HumanTask.office, HumanTask.unit, HumanTask.status)).all()
    open_tasks = {(office or "", unit or "", status): count for office, unit, status, count in rows}
    overdue = session.scalar(select(func.count()).select_from(HumanTask)
                             .where(HumanTask.status.in_(OPEN_STATES), HumanTask.due_at < now)) or 0
    oldest_due = session.scalar(select(func.min(Job.due_at)).where(Job.status == "pending", Job.due_at <= now))
    pending = session.scalar(select(func.count()).select_from(Job).where(Job.status == "pending")) or 0
    failed = session.scalar(select(func.count()).select_from(Job).where(Job.status == "failed")) or 0
    incidents = session.scalar(select(func.count()).select_from(Incident).where(Incident.resolved_at.is_(None))) or 0
    lag = (now - oldest_due).total_seconds() if oldest_due is not None else 0.0
    return Figures(open_tasks, overdue, lag, pending, failed, incidents)


@dataclass
class IntegrationFigures:
    """What monitoring shows of the integration surface: external-task locks per topic, hook deliveries."""

    external_tasks: dict[tuple[str, str], int]  # (topic, state) -> count; state open, locked, lock_expired, failed
    hook_events: dict[str, int]  # outbox status pending, delivered, failed (given up) -> count
    hook_attempts_failed: int  # delivery attempts the receiver refused or did not answer
    hook_lag_seconds: float  # how late the oldest due pending event is


def integration_figures(session: Session, now: dt.datetime) -> IntegrationFigures:
    """Return the integration figures at `now` (aggregates only)."""
    state = case((and_(ExternalTask.status == "locked", ExternalTask.lock_expires_at <= now), "lock_expired"),
                 else_=ExternalTask.status)
    rows = session.execute(select(ExternalTask.topic, state, func.count())
                           .where(ExternalTask.status.in_(("open", "locked", "failed")))
                           .group_by(ExternalTask.topic, state)).all()
    outbox = dict(session.execute(select(HookOutbox.status, func.count()).group_by(HookOutbox.status)).all())
    events = {"pending": outbox.get("pending", 0), "delivered": outbox.get("delivered", 0),
              "failed": outbox.get("dead", 0)}
    refused = or_(HookDelivery.status_code.is_(None), HookDelivery.status_code < 200, HookDelivery.status_code >= 300)
    attempts_failed = session.scalar(select(func.count()).select_from(HookDelivery).where(refused)) or 0
    oldest = session.scalar(select(func.min(HookOutbox.next_attempt_at))
                            .where(HookOutbox.status == "pending", HookOutbox.next_attempt_at <= now))
    lag = (now - oldest).total_seconds() if oldest is not None else 0.0
    return IntegrationFigures({(topic, kind): count for topic, kind, count in rows}, events, attempts_failed, lag)
