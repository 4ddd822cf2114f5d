"""Late work in a case: which office holds an overdue task, for how long, and reminders sent to it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.core import clock
from engine.core.errors import KimflowError, NotFound
from engine.core.localtime import local_date
from engine.identity.models import Unit
from engine.service.task_rule import OPEN_STATES
from engine.store import audit
from engine.store.models import HumanTask
from workflows.cases.models import TaskReminder


@dataclass(frozen=True)
class LateTask:
    """An open task of the case past its due date, with the unit holding it and the last reminder."""

    task_id: str
    name: str
    office: str | None
    unit: str | None
    unit_name: str | None
    due_on: dt.date
    days_overdue: int
    reminded_on: dt.date | None

    @property
    def reminded_today(self) -> bool:
        return self.reminded_on is not None and self.reminded_on == local_date(clock.now())


class AlreadyReminded(KimflowError):
    """The unit was reminded of this task today already."""

    def __init__(self) -> None:
        super().__init__("Zu dieser Aufgabe wurde heute bereits erinnert.")


class NotOverdue(KimflowError):
    """Only overdue open tasks can be reminded of."""

    def __init__(self) -> None:
        super().__init__("Die Aufgabe ist nicht überfällig oder schon erledigt.")


def late_tasks(session: Session, case_ref: str, now: dt.datetime | None = None) -> list[LateTask]:
    """Return the case's overdue open tasks, longest overdue first."""
    now = now or clock.now()
    today = local_date(now)
    last = (select(TaskReminder.task_id, func.max(TaskReminder.sent_on).label("on"))
            .where(TaskReminder.case_ref == case_ref).group_by(TaskReminder.task_id).subquery())
    rows = session.execute(
        select(HumanTask, Unit.name, last.c.on).outerjoin(Unit, Unit.code == HumanTask.unit)
        .outerjoin(last, last.c.task_id == HumanTask.id)
        .where(HumanTask.case_ref == case_ref, HumanTask.status.in_(OPEN_STATES), HumanTask.due_at < now)
        .order_by(HumanTask.due_at, HumanTask.id)).all()
    return [LateTask(t.id, t.name, t.office, t.unit, unit_name, local_date(t.due_at),
                     (today - local_date(t.due_at)).days, on) for t, unit_name, on in rows]


def send_reminder(session: Session, case_ref: str, task_id: str, *, actor: str,
                  now: dt.datetime | None = None) -> TaskReminder:
    """Remind the unit holding an overdue task of the case; once a day per task; audited with codes only."""
    now = now or clock.now()
    task = session.get(HumanTask, task_id)
    if task is None or task.case_ref != case_ref:
        raise NotFound(f"Aufgabe {task_id} gibt es nicht")
    if task.status not in OPEN_STATES or task.due_at is None or task.due_at >= now:
        raise NotOverdue()
    today = local_date(now)
    # Serialise reminders of one task: the row lock makes the "once a day" check hold for concurrent clicks.
    session.execute(select(HumanTask.id).where(HumanTask.id == task_id).with_for_update())
    if session.scalar(select(TaskReminder.id).where(TaskReminder.task_id == task_id, TaskReminder.sent_on == today)):
        raise AlreadyReminded()
    reminder = TaskReminder(task_id=task_id, case_ref=case_ref, unit=task.unit, office=task.office, sent_by=actor,
                            sent_at=now, sent_on=today)
    session.add(reminder)
    audit.record(session, actor, "task_reminder_sent", case_ref=case_ref, task_id=task_id,
                 instance_id=task.instance_id, unit=task.unit, office=task.office)
    return reminder


def reminders_for(session: Session, task_id: str) -> list[TaskReminder]:
    """Return the reminders sent about one task, newest first (shown to the unit on its task)."""
    return list(session.scalars(select(TaskReminder).where(TaskReminder.task_id == task_id)
                                .order_by(TaskReminder.sent_at.desc(), TaskReminder.id.desc())))
