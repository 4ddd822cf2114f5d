"""Late work in a case: which office holds an overdue task, for how long, and reminders sent to it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.core import clock
from engine.core.errors import KimflowError, NotFound
from engine.core.localtime import local_date
from engine.identity import org
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


def case_reminders(session: Session, case_ref: str) -> list[TaskReminder]:
    """Return every reminder sent in the case, oldest first (read once for the timeline and the late tasks)."""
    return list(session.scalars(select(TaskReminder).where(TaskReminder.case_ref == case_ref)
                                .order_by(TaskReminder.sent_at, TaskReminder.id)))


def tasks_with_reminders(session: Session, case_ref: str) -> tuple[list[HumanTask], list[TaskReminder]]:
    """Return every task of the case (oldest first) and every reminder sent for them (oldest first), in one statement.

    Reminders are few (one per task and day), so joining them to their tasks costs hardly any repeated rows.
    """
    rows = session.execute(
        select(HumanTask, TaskReminder)
        .outerjoin(TaskReminder, (TaskReminder.task_id == HumanTask.id) & (TaskReminder.case_ref == HumanTask.case_ref))
        .where(HumanTask.case_ref == case_ref).order_by(HumanTask.created_at, HumanTask.id)).all()
    tasks = list(dict.fromkeys(task for task, _reminder in rows))  # the identity map gives a task once per object
    reminders = sorted((r for _task, r in rows if r is not None), key=lambda r: (r.sent_at, r.id))
    return tasks, reminders


def late_among(session: Session, tasks: list[HumanTask], reminders: list[TaskReminder],
               now: dt.datetime | None = None) -> list[LateTask]:
    """Return the overdue open tasks among a case's tasks, longest overdue first, each with its last reminder."""
    now = now or clock.now()
    today, units = local_date(now), org.unit_names(session)
    last: dict[str, dt.date] = {}
    for reminder in reminders:
        last[reminder.task_id] = max(reminder.sent_on, last.get(reminder.task_id, reminder.sent_on))
    late = sorted((t.due_at, t.id, t) for t in tasks if t.status in OPEN_STATES and t.due_at and t.due_at < now)
    return [LateTask(t.id, t.name, t.office, t.unit, units.get(t.unit or ""), local_date(due),
                     (today - local_date(due)).days, last.get(t.id)) for due, _id, t in late]


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
