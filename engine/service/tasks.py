"""The human-task lifecycle in the caller's transaction: claim, unclaim, delegate, dates, draft, complete, withdraw."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from typing import Any, NamedTuple, cast
from uuid import UUID

from SpiffWorkflow.task import TaskState
from sqlalchemy import CursorResult, String, Update, bindparam, func, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from engine.bpmn.form_values import unticked
from engine.bpmn.forms import Form, form_for
from engine.core import clock
from engine.core.actors import Actor
from engine.core.errors import (
    FormErrors,
    InstanceStateError,
    NotFound,
    PermissionDenied,
    TaskAlreadyCompleted,
    TaskClaimedByOther,
    TaskStateError,
)
from engine.core.localtime import LOCAL_TIME, local_date
from engine.service import projection, task_rule
from engine.service.instances import InstanceRunner
from engine.store import audit
from engine.store.models import HumanTask, ProcessInstance

MAX_REASONS = 50
MSG_FOLLOW_UP_PAST = "Die Wiedervorlage darf nicht in der Vergangenheit liegen"


@functools.lru_cache(maxsize=1024)
def _close_statement(actor: Actor) -> Update:
    """The compare-and-set that completes a task, built once per actor (building it cost more than running it)."""
    now = bindparam("now", type_=HumanTask.__table__.c.completed_at.type)
    # Still open, and still the actor's to work: the page's copy may predate a hand-over or a reroute.
    condition = [HumanTask.id == bindparam("task_id", type_=String), HumanTask.status.in_(task_rule.OPEN_STATES),
                 task_rule.available_clause(actor)]
    if not actor.is_admin:
        condition.append(or_(HumanTask.claimed_by.is_(None), HumanTask.claimed_by == actor.name))
    return (update(HumanTask).where(*condition)
            .values(status=task_rule.COMPLETED, completed_by=actor.name, completed_at=now, draft=None,
                    claimed_by=func.coalesce(HumanTask.claimed_by, actor.name),
                    claimed_at=func.coalesce(HumanTask.claimed_at, now))
            .execution_options(synchronize_session=False))


class TaskPage(NamedTuple):
    """What the task page shows of a task: the row, its form and data, the latest reason it was handed on with."""

    task: HumanTask
    form: Form | None
    data: dict[str, Any]
    delegation_reason: dict[str, str] | None
    instance: ProcessInstance | None = None  # as read with the task; a completion from this page goes on from it


class TaskLifecycle:
    """Every transition of a human task, each checked against the task rule and the state machine."""

    def __init__(self, runner: InstanceRunner):
        self.runner = runner

    @staticmethod
    def get(session: Session, task_id: str) -> HumanTask:
        """Return the human-task row or raise NotFound."""
        human = session.get(HumanTask, task_id)
        if human is None:
            raise NotFound(f"Aufgabe {task_id} gibt es nicht")
        return human

    @staticmethod
    def with_instance(session: Session, task_id: str) -> tuple[HumanTask, ProcessInstance]:
        """Return the human-task row and its instance, read in one statement, or raise NotFound."""
        found = session.execute(select(HumanTask, ProcessInstance)
                                .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
                                .where(HumanTask.id == task_id)).first()
        if found is None:
            raise NotFound(f"Aufgabe {task_id} gibt es nicht")
        return found[0], found[1]

    def workable(self, session: Session, task_id: str, actor: Actor) -> HumanTask:
        """Return an unfinished task the actor may work on; a refusal is audited and looks like 'not found'."""
        return self._admit(session, self.get(session, task_id), actor)

    @staticmethod
    def _admit(session: Session, human: HumanTask, actor: Actor) -> HumanTask:
        if not task_rule.available_to(actor, human):
            audit.record_refusal(session, actor.name, "access_denied", instance_id=human.instance_id,
                                 case_ref=human.case_ref, task_id=human.id)
            raise NotFound(f"Aufgabe {human.id} gibt es nicht")
        if human.status == task_rule.COMPLETED:
            raise TaskAlreadyCompleted(human.id, human.completed_by, human.completed_at)
        return human

    def form(self, session: Session, task_id: str) -> tuple[Form | None, dict[str, Any]]:
        """Return the task's form and the data it is shown with (draft over process data)."""
        human, row = self.with_instance(session, task_id)
        return self._form(session, human, row)

    def page(self, session: Session, task_id: str) -> TaskPage:
        """Return the task with its form, data and latest delegation reason, reading task and instance once."""
        human, row = self.with_instance(session, task_id)
        if human.status not in task_rule.OPEN_STATES:
            return TaskPage(human, None, {}, None, row)
        form, data = self._form(session, human, row)
        return TaskPage(human, form, data, _latest_reason(row, task_id), row)

    def _form(self, session: Session, human: HumanTask, row: ProcessInstance) -> tuple[Form | None, dict[str, Any]]:
        with self.runner.executor.looking_at(session, row) as workflow:
            task = workflow.get_task_from_id(UUID(human.id))
            data = dict(task.data) if task is not None else {}
        data.update(human.draft or {})
        return (form_for(task.task_spec) if task is not None else None), data

    def claim(self, session: Session, task_id: str, actor: Actor) -> None:
        """Take a task into the actor's own inbox; exactly one of several racing clerks wins."""
        human = self.workable(session, task_id, actor)
        task_rule.transition(human, "claim")
        self._hold(session, human, actor, holder=actor.name)
        audit.record(session, actor.name, "task_claimed", instance_id=human.instance_id,
                     case_ref=human.case_ref, task_id=task_id)

    def unclaim(self, session: Session, task_id: str, actor: Actor) -> None:
        """Give a claimed task back to the queue."""
        human = self.workable(session, task_id, actor)
        if human.claimed_by not in (None, actor.name) and not actor.is_admin:
            raise TaskClaimedByOther(task_id, human.claimed_by or "")
        human.status = task_rule.transition(human, "unclaim") if human.status == task_rule.CLAIMED else human.status
        human.claimed_by, human.claimed_at = None, None
        audit.record(session, actor.name, "task_unclaimed", instance_id=human.instance_id,
                     case_ref=human.case_ref, task_id=task_id)

    def delegate(self, session: Session, task_id: str, actor: Actor, to: Actor, reason: str) -> None:
        """Hand a task to a colleague or deputy who may work on it."""
        human = self._handed_on(session, task_id, actor)
        if not task_rule.available_to(to, human):
            raise PermissionDenied(f"{to.name} gehört nicht zur zuständigen Stelle dieser Aufgabe")
        task_rule.transition(human, "delegate")
        self._hold(session, human, actor, holder=to.name)
        self._keep_reason(session, human, actor, reason, to=to.name)
        audit.record(session, actor.name, "task_delegated", instance_id=human.instance_id,
                     case_ref=human.case_ref, task_id=task_id, to=to.name, reason_given=bool(reason.strip()))

    def delegate_to_unit(self, session: Session, task_id: str, actor: Actor, unit: str, office: str,
                         reason: str) -> None:
        """Move a task to another unit of its office; it waits there unclaimed."""
        human = self._handed_on(session, task_id, actor)
        if human.office is None or office != human.office:
            raise PermissionDenied("Aufgaben können nur an eine Einheit derselben Behörde weitergegeben werden")
        if unit == human.unit:
            raise PermissionDenied("Die Aufgabe liegt bereits bei dieser Einheit")
        task_rule.transition(human, "delegate")
        old = human.unit
        human.unit, human.claimed_by, human.claimed_at, human.status = unit, None, None, task_rule.OPEN
        self._offer_anew(session, human)
        self._keep_reason(session, human, actor, reason, to=unit)
        audit.record(session, actor.name, "task_delegated", instance_id=human.instance_id, case_ref=human.case_ref,
                     task_id=task_id, old=old, new=unit, reason_given=bool(reason.strip()))

    def _offer_anew(self, session: Session, human: HumanTask) -> None:
        """Offer the task to the candidates of its new unit (e.g. that unit's team leads, not the old one's)."""
        row = self.runner.get(session, human.instance_id)
        executor = self.runner.executor
        workflow = executor.load(session, row)
        task = workflow.get_task_from_id(UUID(human.id))
        if task is not None:
            context = executor.context(session, row, workflow)
            human.offer_to(projection.candidate_users_for(task, human.unit, self.runner.extensions, context))

    def _handed_on(self, session: Session, task_id: str, actor: Actor) -> HumanTask:
        human = self.workable(session, task_id, actor)
        if human.claimed_by not in (None, actor.name) and not actor.is_admin:
            raise TaskClaimedByOther(task_id, human.claimed_by or "")
        return human

    @staticmethod
    def _keep_reason(session: Session, human: HumanTask, actor: Actor, reason: str, *, to: str) -> None:
        """Keep the free-text reason in the instance summary, which retention scrubs (never in the audit log)."""
        reason = reason.strip()
        if not reason:
            return
        row = session.get(ProcessInstance, human.instance_id)
        if row is None:
            return
        kept = list((row.summary or {}).get("delegation_reasons", []))[-(MAX_REASONS - 1):]
        kept.append({"task_id": human.id, "at": clock.now().isoformat(), "actor": actor.name, "to": to,
                     "reason": reason[:300]})
        row.summary = {**(row.summary or {}), "delegation_reasons": kept}

    @staticmethod
    def delegation_reason(session: Session, task_id: str) -> dict[str, str] | None:
        """Return the latest delegation reason of a task (actor, to, at, reason), if one was given."""
        human = session.get(HumanTask, task_id)
        row = session.get(ProcessInstance, human.instance_id) if human is not None else None
        return _latest_reason(row, task_id) if row is not None else None

    def set_dates(self, session: Session, task_id: str, actor: Actor, due: dt.date | None,
                  follow_up: dt.date | None) -> None:
        """Set the due and follow-up dates (Wiedervorlage) of a task the actor holds."""
        human = self.workable(session, task_id, actor)
        if human.claimed_by != actor.name and not actor.is_admin:
            raise PermissionDenied("Fälligkeit und Wiedervorlage setzen Sie an Ihren eigenen Aufgaben; "
                                   "bitte übernehmen Sie die Aufgabe zuerst")
        if follow_up is not None and follow_up < local_date(clock.now()):
            raise FormErrors({"wiedervorlage": [MSG_FOLLOW_UP_PAST]})
        human.due_at = _day_end(due) if due is not None else None
        human.follow_up_at = _day_start(follow_up) if follow_up is not None else None
        audit.record(session, actor.name, "task_dates_set", instance_id=human.instance_id, case_ref=human.case_ref,
                     task_id=task_id, due=due.isoformat() if due else None,
                     follow_up=follow_up.isoformat() if follow_up else None)

    @staticmethod
    def _hold(session: Session, human: HumanTask, actor: Actor, *, holder: str) -> None:
        # Compare-and-set in one statement: a colleague who claimed meanwhile makes this match no row.
        claimable = or_(HumanTask.claimed_by.is_(None), HumanTask.claimed_by == actor.name)
        # Still the actor's to work: the page's copy may predate a hand-over or a reroute to another unit.
        condition = [HumanTask.id == human.id, HumanTask.status.in_(task_rule.OPEN_STATES),
                     task_rule.available_clause(actor)]
        if not actor.is_admin:
            condition.append(claimable)
        result = cast(CursorResult[Any], session.execute(
            update(HumanTask).where(*condition).values(claimed_by=holder, claimed_at=clock.now(),
                                                       status=task_rule.CLAIMED)
            .execution_options(synchronize_session=False)))
        session.refresh(human)
        if result.rowcount != 1:
            if human.status == task_rule.COMPLETED:
                raise TaskAlreadyCompleted(human.id, human.completed_by, human.completed_at)
            raise TaskClaimedByOther(human.id, human.claimed_by or "")

    def save_draft(self, session: Session, task_id: str, actor: Actor, data: Mapping[str, Any]) -> None:
        """Keep what the user typed so far without completing the task."""
        human = self.workable(session, task_id, actor)
        human.draft = {k: v for k, v in data.items() if isinstance(v, str | int | float | bool) or v is None}
        audit.record(session, actor.name, "task_draft_saved", instance_id=human.instance_id,
                     case_ref=human.case_ref, task_id=task_id, fields=sorted(human.draft))

    def complete(self, session: Session, task_id: str, actor: Actor, data: dict[str, Any],
                 seen: TaskPage | None = None) -> str:
        """Validate the data against the task's form, complete the task and run on; return the instance status.

        `seen` is the page the data was entered on: its task and instance rows are taken over instead of read
        again. A stale copy cannot do harm: the task is completed by a compare-and-set on its row and the
        instance is written under its revision, so a colleague's completion in between wins.
        """
        human, row = self._rows(session, task_id, seen)
        self._admit(session, human, actor)
        if human.claimed_by and human.claimed_by != actor.name and not actor.is_admin:
            raise TaskClaimedByOther(task_id, human.claimed_by)
        task_rule.transition(human, "complete")
        if row.status != "running":
            raise InstanceStateError(f"Der Vorgang ist {row.status}; die Aufgabe kann jetzt nicht erledigt werden")
        executor = self.runner.executor
        workflow = executor.load(session, row)
        task = workflow.get_task_from_id(UUID(task_id))
        if task is None or not task.has_state(TaskState.READY):
            raise TaskStateError("Die Aufgabe ist im Prozess nicht mehr offen")
        form = form_for(task.task_spec)
        clean, errors = form.validate(data) if form is not None else (data, {})
        if form is not None:  # a required checkbox must be ticked (the form leaves booleans optional)
            errors = {**unticked(form.fields, clean), **errors}
        if errors:
            raise FormErrors(errors)
        self._close(session, human, actor)
        task.data.update(clean)
        task.run()
        audit.record(session, actor.name, "task_completed", instance_id=row.id, case_ref=row.case_ref,
                     task_id=task_id, element_id=human.element_id, fields=sorted(clean))
        self.runner.extensions.emit("task_completed", executor.context(session, row, workflow),
                                    {"task": human, "data": clean})
        outcome = executor.advance(session, row, workflow, actor.name)
        self.runner.route_events(session, outcome.events, row, actor)
        return row.status

    def _rows(self, session: Session, task_id: str, seen: TaskPage | None) -> tuple[HumanTask, ProcessInstance]:
        if seen is None or seen.instance is None or seen.task.id != task_id:
            return self.with_instance(session, task_id)
        return session.merge(seen.task, load=False), session.merge(seen.instance, load=False)

    @staticmethod
    def _close(session: Session, human: HumanTask, actor: Actor) -> None:
        """Mark the task completed in one compare-and-set: a colleague's completion or claim meanwhile matches none."""
        now = clock.now()
        result = cast(CursorResult[Any], session.execute(_close_statement(actor), {"task_id": human.id, "now": now}))
        if result.rowcount != 1:
            session.refresh(human)
            TaskLifecycle._admit(session, human, actor)  # moved away meanwhile: refused and audited as not found
            if human.status == task_rule.COMPLETED:
                raise TaskAlreadyCompleted(human.id, human.completed_by, human.completed_at)
            if human.status in task_rule.OPEN_STATES:
                raise TaskClaimedByOther(human.id, human.claimed_by or "")
            raise TaskStateError("Die Aufgabe ist im Prozess nicht mehr offen")
        # The row now says what the statement wrote; keep the loaded copy in step without another UPDATE.
        claimed_by, claimed_at = human.claimed_by or actor.name, human.claimed_at or now
        for key, value in (("status", task_rule.COMPLETED), ("completed_by", actor.name), ("completed_at", now),
                           ("draft", None), ("claimed_by", claimed_by), ("claimed_at", claimed_at)):
            set_committed_value(human, key, value)

    def withdraw(self, session: Session, task_id: str, actor: Actor, reason: str, data: Mapping[str, Any]) -> bool:
        """End an open task without its form; False when there is nothing to withdraw now."""
        human = session.get(HumanTask, task_id)
        if human is None or human.status not in task_rule.OPEN_STATES:
            return False
        row = self.runner.get(session, human.instance_id)
        if row.status != "running":
            return False  # a suspended or failed instance keeps the task until it runs again
        executor = self.runner.executor
        workflow = executor.load(session, row)
        task = workflow.get_task_from_id(UUID(task_id))
        if task is None or not task.has_state(TaskState.READY):
            return False
        task.data.update(dict(data))
        task.run()
        human.status = task_rule.transition(human, "cancel")
        human.completed_at, human.completed_by = clock.now(), actor.name
        audit.record(session, actor.name, "task_withdrawn", instance_id=row.id, case_ref=row.case_ref,
                     task_id=task_id, office=human.office, reason=reason)
        outcome = executor.advance(session, row, workflow, actor.name)
        self.runner.route_events(session, outcome.events, row, actor)
        return True


def _latest_reason(row: ProcessInstance, task_id: str) -> dict[str, str] | None:
    reasons = [r for r in (row.summary or {}).get("delegation_reasons", []) if r.get("task_id") == task_id]
    return reasons[-1] if reasons and reasons[-1].get("reason") else None


def _day_start(day: dt.date) -> dt.datetime:
    """Return the first moment of a local calendar day, in UTC."""
    return dt.datetime.combine(day, dt.time(0, 0), LOCAL_TIME).astimezone(dt.UTC)


def _day_end(day: dt.date) -> dt.datetime:
    """Return the last minute of a local calendar day, in UTC (due that day, overdue the next)."""
    return dt.datetime.combine(day, dt.time(23, 59), LOCAL_TIME).astimezone(dt.UTC)
