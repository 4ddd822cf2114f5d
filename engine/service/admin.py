"""Administrative verbs on instances: suspend, resume, cancel, retry, skip, correct data, reroute tasks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from uuid import UUID

from SpiffWorkflow.task import TaskState
from sqlalchemy import select

from engine.core import clock
from engine.core.actors import Actor
from engine.core.errors import InstanceStateError, PermissionDenied
from engine.service import projection
from engine.store import audit
from engine.store.models import HumanTask, Incident, ProcessInstance

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from engine.service.instances import InstanceRunner


class InstanceAdmin:
    """Audited administrative verbs, run inside the caller's transaction."""

    def __init__(self, runner: InstanceRunner):
        self.runner = runner
        self.executor = runner.executor
        self.extensions = runner.extensions

    def suspend(self, session: Session, instance_id: int, *, actor: Actor, reason: str = "") -> None:
        """Stop an instance from moving on (timers wait, tasks cannot be completed)."""
        self._set_status(session, instance_id, actor, "suspended", ("running", "error"), "instance_suspended", reason)

    def resume(self, session: Session, instance_id: int, *, actor: Actor, reason: str = "") -> None:
        """Let a suspended instance move on again."""
        self._set_status(session, instance_id, actor, "running", ("suspended",), "instance_resumed", reason)

    def cancel(self, session: Session, instance_id: int, *, actor: Actor, reason: str = "") -> None:
        """End an instance for good; its open tasks and timers are cancelled."""
        row = self.runner.get(session, instance_id)
        if row.status in ("completed", "cancelled"):
            raise InstanceStateError(f"Der Vorgang {instance_id} ist bereits beendet ({row.status})")
        workflow = self.executor.load(session, row)
        workflow.cancel()
        row.status = "cancelled"
        row.ended_at = clock.now()
        row.state = self.executor.serializer.dumps(workflow)
        projection.close_all(session, row, "cancelled")
        _audit_with_reason(session, row, actor, "instance_cancelled", reason)

    def _set_status(self, session, instance_id, actor, status, allowed, action, reason) -> None:
        row = self.runner.get(session, instance_id)
        if row.status not in allowed:
            raise InstanceStateError(f"Vorgang {instance_id} ist {row.status}; nicht möglich")
        if action == "instance_suspended":
            # Remember whether it was running or failed, so resume returns it to exactly that.
            row.summary = {**(row.summary or {}), "status_before_suspend": row.status}
            row.status = status
        else:
            row.status = (row.summary or {}).get("status_before_suspend", "running")
        row.updated_at = clock.now()
        _audit_with_reason(session, row, actor, action, reason)

    def retry(self, session: Session, instance_id: int, *, actor: Actor, data: Mapping[str, Any] | None = None,
              reason: str = "") -> str:
        """Run a failed instance again from its failed tasks, optionally with corrected data."""
        row = self.runner.get(session, instance_id)
        if row.status != "error":
            raise InstanceStateError(f"Vorgang {instance_id} ist nicht im Fehlerzustand")
        workflow = self.executor.load(session, row)
        failed = workflow.get_tasks(state=TaskState.ERROR)
        for task in failed:
            task.data.update(dict(data or {}))
            task._set_state(TaskState.READY)
        if not failed and data:
            # The failure was outside a task (e.g. a due-date expression): correct the waiting tasks.
            for task in workflow.get_tasks(state=TaskState.READY | TaskState.WAITING | TaskState.STARTED):
                task.data.update(dict(data))
        row.status, row.error_element, row.error_message = "running", None, None
        self._resolve_incidents(session, row, actor)
        _audit_with_reason(session, row, actor, "instance_retried", reason, fields=sorted((data or {}).keys()))
        outcome = self.executor.advance(session, row, workflow, actor.name)
        self.runner.route_events(session, outcome.events, row, actor)
        return row.status

    def skip(self, session: Session, instance_id: int, *, actor: Actor, reason_code: str, reason: str = "") -> str:
        """Complete a failed instance's failing task without running it and let the instance move on (admins)."""
        if not actor.is_admin:
            raise PermissionDenied("Nur Administratoren dürfen einen fehlerhaften Schritt überspringen")
        if reason_code not in SKIP_REASONS:
            raise InstanceStateError("Bitte einen Grund für das Überspringen auswählen")
        row = self.runner.get(session, instance_id)
        if row.status != "error":
            raise InstanceStateError(f"Vorgang {instance_id} ist nicht im Fehlerzustand")
        workflow = self.executor.load(session, row)
        failing = _failing_tasks(workflow, row.error_element)
        if not failing:
            raise InstanceStateError("Es gibt keinen fehlerhaften Schritt, der übersprungen werden kann")
        element = row.error_element
        for task in failing:
            task.complete()  # marks it done and predicts what follows; the task's own work does not run
        row.status, row.error_element, row.error_message = "running", None, None
        self._resolve_incidents(session, row, actor)
        _audit_with_reason(session, row, actor, "task_skipped", reason, element_id=element, reason_code=reason_code)
        outcome = self.executor.advance(session, row, workflow, actor.name)
        self.runner.route_events(session, outcome.events, row, actor)
        return row.status

    @staticmethod
    def _resolve_incidents(session: Session, row: ProcessInstance, actor: Actor) -> None:
        for incident in session.scalars(select(Incident).where(Incident.instance_id == row.id,
                                                               Incident.resolved_at.is_(None))):
            incident.resolved_at, incident.resolved_by = clock.now(), actor.name

    def set_data(self, session: Session, instance_id: int, *, actor: Actor, values: Mapping[str, Any],
                 reason: str) -> None:
        """Correct data values of an instance (administrators; audited with the reason)."""
        if not actor.is_admin:
            raise PermissionDenied("Nur Administratoren dürfen Prozessdaten korrigieren")
        row = self.runner.get(session, instance_id)
        workflow = self.executor.load(session, row)
        targets = workflow.get_tasks(state=TaskState.READY | TaskState.WAITING | TaskState.ERROR)
        for task in targets or [workflow.last_task or workflow.task_tree]:
            task.data.update(dict(values))
        row.state = self.executor.serializer.dumps(workflow)
        row.updated_at = clock.now()
        audit.record(session, actor.name, "data_corrected", instance_id=row.id, case_ref=row.case_ref,
                     reason=reason, fields=sorted(values))

    def reroute(self, session: Session, instance_ids: list[int], *, actor: Actor, reason: str = "") -> int:
        """Resolve the responsible unit of open tasks again (e.g. after a move); return how many moved."""
        moved = 0
        for instance_id in instance_ids:
            row = self.runner.get(session, instance_id)
            workflow = self.executor.load(session, row)
            context = self.executor.context(session, row, workflow)
            if self.extensions.area_resolver is not None:
                row.area = self.extensions.area_resolver(context) or row.area
            for human in session.scalars(select(HumanTask).where(
                    HumanTask.instance_id == row.id, HumanTask.status.in_(projection.OPEN_STATES))):
                unit = (self.extensions.unit_resolver(human.office, context)
                        if human.office and self.extensions.unit_resolver else None)
                human.area = row.area
                if unit != human.unit:
                    audit.record(session, actor.name, "task_rerouted", instance_id=row.id,
                                 case_ref=row.case_ref, task_id=human.id, old=human.unit, new=unit, reason=reason)
                    human.unit, human.claimed_by, human.claimed_at, human.status = unit, None, None, "open"
                    task = workflow.get_task_from_id(UUID(human.id))
                    if task is not None:  # e.g. the new unit's team leads replace the old unit's
                        human.offer_to(projection.candidate_users_for(task, unit, self.extensions, context))
                    moved += 1
        return moved


MAX_REASONS = 50
# Why an administrator skipped a failing step: a code for the audit log; any words go beside it (scrubbed later).
SKIP_REASONS = ("done_elsewhere", "not_needed", "data_corrected_elsewhere", "other")


def _failing_tasks(workflow, element_id: str | None) -> list:
    """Return the tasks in error, else the waiting task of the failing element (e.g. its assignee failed)."""
    failed = workflow.get_tasks(state=TaskState.ERROR)
    if failed or element_id is None:
        return failed
    return [task for task in workflow.get_tasks(state=TaskState.READY | TaskState.STARTED)
            if task.task_spec.bpmn_id == element_id]


def _audit_with_reason(session: Session, row: ProcessInstance, actor: Actor, action: str, reason: str,
                       **codes: Any) -> None:
    """Audit an admin action; its free-text reason lives in the instance summary, which retention scrubs."""
    event = audit.record(session, actor.name, action, instance_id=row.id, case_ref=row.case_ref, **codes)
    if reason:
        kept = list((row.summary or {}).get("admin_reasons", []))[-(MAX_REASONS - 1):]
        kept.append({"action": action, "at": event.at.isoformat(), "actor": actor.name, "reason": reason})
        row.summary = {**(row.summary or {}), "admin_reasons": kept}
