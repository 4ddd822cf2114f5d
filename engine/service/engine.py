"""ProcessEngine: the façade every screen, the CLI and the worker call."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from SpiffWorkflow.task import TaskState
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from engine.bpmn.forms import Form, form_for
from engine.bpmn.messages import message_event
from engine.core import clock
from engine.core.actors import Actor
from engine.core.errors import (
    ConcurrentModification,
    FormErrors,
    InstanceStateError,
    NotFound,
    PermissionDenied,
    TaskAlreadyCompleted,
    TaskClaimedByOther,
    TaskStateError,
)
from engine.service import projection, start_timers
from engine.service.admin import InstanceAdmin
from engine.service.correlation import Correlation
from engine.service.definitions import DefinitionLibrary, Deployed
from engine.service.execution import Executor, instance_data
from engine.service.registry import Extensions
from engine.service.starting import StartRequest
from engine.store import audit
from engine.store.db import Database
from engine.store.models import HumanTask, ProcessInstance

MAX_MESSAGE_HOPS = 50


@dataclass(frozen=True)
class InstanceView:
    """An instance as `kimflow show` prints it."""

    id: int
    process_id: str
    version: int
    status: str
    data: dict[str, Any]
    business_key: str | None = None
    case_ref: str | None = None
    error_element: str | None = None
    error_message: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "process_id": self.process_id, "version": self.version, "status": self.status,
                "data": self.data, "business_key": self.business_key, "case_ref": self.case_ref,
                "error_element": self.error_element, "error_message": self.error_message}


class ProcessEngine(InstanceAdmin, Correlation):
    """Deploy, start, work on and correlate process instances; one transaction per call."""

    def __init__(self, db: Database, extensions: Extensions | None = None):
        self.db = db
        self.extensions = extensions or Extensions()
        self.library = DefinitionLibrary(offices=self.extensions.offices)
        self.executor = Executor(self.library, self.extensions)

    def create_schema(self) -> None:
        """Create or upgrade the database schema: the engine's tables and those the extensions bring."""
        self.db.create_all(self.extensions.migrations)

    # -- definitions -------------------------------------------------------------------------
    def deploy(self, files: Mapping[str, bytes | str], *, actor: Actor) -> list[Deployed]:
        """Validate and deploy a bundle of BPMN/DMN files; on any problem nothing is deployed."""
        with self.db.unit_of_work() as session:
            deployed = self.library.deploy(session, files, actor=actor.name)
            for item in deployed:
                if item.kind == "process" and item.created:
                    row = self.library.get(session, item.process_id, item.version)
                    start_timers.schedule(session, row, self.library.load(row).spec, self.executor.script_engine)
            return deployed

    # -- instances ---------------------------------------------------------------------------
    def start(self, process_id: str, *, actor: Actor, data: Mapping[str, Any] | None = None,
              business_key: str | None = None, case_ref: str | None = None, version: int | None = None) -> int:
        """Start an instance and run it until it waits; return its id."""
        with self.db.unit_of_work() as session:
            request = StartRequest(process_id, dict(data or {}), business_key, case_ref, version)
            row = self._start(session, request, actor)
            return row.id

    def _start(self, session: Session, request: StartRequest, actor: Actor) -> ProcessInstance:
        process_id, business_key, case_ref = request.process_id, request.business_key, request.case_ref
        definition = self.library.get(session, process_id, request.version)
        workflow = self.executor.new_workflow(definition, dict(request.data), initiator=actor.name)
        now = clock.now()
        row = ProcessInstance(process_id=process_id, definition_version_id=definition.id,
                              version=definition.version, business_key=business_key, case_ref=case_ref,
                              parent_instance_id=request.parent_id, status="running", state="{}", summary={},
                              started_by=actor.name, started_at=now, updated_at=now)
        session.add(row)
        session.flush()
        audit.record(session, actor.name, "instance_started", instance_id=row.id, case_ref=case_ref,
                     process_id=process_id, version=definition.version, business_key=business_key)
        self.extensions.emit("instance_started", self.executor.context(session, row, workflow), {})
        if request.start_message is not None:
            workflow.do_engine_steps()  # the message start event now waits; hand it its message
            workflow.send_event(message_event(workflow, *request.start_message))
        if request.timer_start:
            start_timers.release_start_event(workflow)
        outcome = self.executor.advance(session, row, workflow, actor.name, fresh=True)
        self._route_events(session, outcome.events, row, actor)
        return row

    def show(self, instance_id: int) -> InstanceView:
        """Return an instance with its current data."""
        with self.db.reading() as session:
            row = self._instance(session, instance_id)
            workflow = self.executor.load(session, row)
            return _view(row, instance_data(workflow))

    # -- human tasks -------------------------------------------------------------------------
    def task(self, task_id: str) -> HumanTask:
        """Return a human-task row (detached)."""
        with self.db.reading() as session:
            return self._human(session, task_id)

    def task_form(self, task_id: str) -> tuple[Form | None, dict[str, Any]]:
        """Return the task's form and the data it is shown with (draft over process data)."""
        with self.db.reading() as session:
            human = self._human(session, task_id)
            row = self._instance(session, human.instance_id)
            workflow = self.executor.load(session, row)
            task = workflow.get_task_from_id(UUID(task_id))
            data = dict(task.data) if task is not None else {}
            data.update(human.draft or {})
            return (form_for(task.task_spec) if task is not None else None), data

    def claim(self, task_id: str, *, actor: Actor) -> None:
        """Take an open task into the actor's own inbox."""
        with self.db.unit_of_work() as session:
            human = self._workable(session, task_id, actor)
            if human.claimed_by and human.claimed_by != actor.name:
                raise TaskClaimedByOther(task_id, human.claimed_by)
            human.claimed_by, human.claimed_at, human.status = actor.name, clock.now(), "claimed"
            audit.record(session, actor.name, "task_claimed", instance_id=human.instance_id,
                         case_ref=human.case_ref, task_id=task_id)

    def unclaim(self, task_id: str, *, actor: Actor) -> None:
        """Give a claimed task back to the unit's queue."""
        with self.db.unit_of_work() as session:
            human = self._workable(session, task_id, actor)
            if human.claimed_by not in (None, actor.name) and not actor.is_admin:
                raise TaskClaimedByOther(task_id, human.claimed_by or "")
            human.claimed_by, human.claimed_at, human.status = None, None, "open"
            audit.record(session, actor.name, "task_unclaimed", instance_id=human.instance_id,
                         case_ref=human.case_ref, task_id=task_id)

    def delegate(self, task_id: str, *, actor: Actor, to: Actor, reason: str = "") -> None:
        """Hand a task to a colleague who may work on it."""
        with self.db.unit_of_work() as session:
            human = self._workable(session, task_id, actor)
            if human.claimed_by not in (None, actor.name) and not actor.is_admin:
                raise TaskClaimedByOther(task_id, human.claimed_by or "")
            if not to.may_work_on(unit=human.unit, office=human.office, candidate_users=human.candidate_users,
                                  assignee=human.assignee):
                raise PermissionDenied(f"{to.name} gehört nicht zur zuständigen Stelle dieser Aufgabe")
            human.claimed_by, human.claimed_at, human.status = to.name, clock.now(), "claimed"
            audit.record(session, actor.name, "task_delegated", instance_id=human.instance_id,
                         case_ref=human.case_ref, task_id=task_id, to=to.name, reason=reason)

    def save_draft(self, task_id: str, *, actor: Actor, data: Mapping[str, Any]) -> None:
        """Keep what the user typed so far without completing the task."""
        with self.db.unit_of_work() as session:
            human = self._workable(session, task_id, actor)
            human.draft = {k: v for k, v in data.items() if isinstance(v, str | int | float | bool) or v is None}
            audit.record(session, actor.name, "task_draft_saved", instance_id=human.instance_id,
                         case_ref=human.case_ref, task_id=task_id, fields=sorted(human.draft))

    def complete(self, task_id: str, *, actor: Actor, data: Mapping[str, Any] | None = None) -> str:
        """Validate the data against the task's form, complete it and run on; return the instance status."""
        try:
            with self.db.unit_of_work() as session:
                return self._complete(session, task_id, actor, dict(data or {}))
        except StaleDataError:
            with self.db.reading() as session:
                human = session.get(HumanTask, task_id)
                if human is not None and human.status == "completed":
                    raise TaskAlreadyCompleted(task_id, human.completed_by, human.completed_at)
            raise ConcurrentModification("Der Vorgang wurde gleichzeitig geändert; bitte erneut versuchen")

    def _complete(self, session: Session, task_id: str, actor: Actor, data: dict) -> str:
        human = self._workable(session, task_id, actor)
        if human.claimed_by and human.claimed_by != actor.name and not actor.is_admin:
            raise TaskClaimedByOther(task_id, human.claimed_by)
        row = self._instance(session, human.instance_id)
        if row.status != "running":
            raise InstanceStateError(f"Der Vorgang ist {row.status}; die Aufgabe kann jetzt nicht erledigt werden")
        workflow = self.executor.load(session, row)
        task = workflow.get_task_from_id(UUID(task_id))
        if task is None or not task.has_state(TaskState.READY):
            raise TaskStateError("Die Aufgabe ist im Prozess nicht mehr offen")
        form = form_for(task.task_spec)
        clean, errors = form.validate(data) if form is not None else (data, {})
        if errors:
            raise FormErrors(errors)
        task.data.update(clean)
        task.run()
        human.status, human.completed_by, human.completed_at, human.draft = "completed", actor.name, clock.now(), None
        if not human.claimed_by:
            human.claimed_by, human.claimed_at = actor.name, human.completed_at
        audit.record(session, actor.name, "task_completed", instance_id=row.id, case_ref=row.case_ref,
                     task_id=task_id, element_id=human.element_id, fields=sorted(clean))
        context = self.executor.context(session, row, workflow)
        self.extensions.emit("task_completed", context, {"task": human, "data": clean})
        outcome = self.executor.advance(session, row, workflow, actor.name)
        self._route_events(session, outcome.events, row, actor)
        return row.status

    def withdraw(self, task_id: str, *, actor: Actor, reason: str, data: Mapping[str, Any] | None = None) -> bool:
        """End an open task without its form (e.g. consent revoked); the process moves on with `data` set.

        Returns False when there is nothing to withdraw now (task gone, or the instance is not running).
        """
        with self._writing(), self.db.unit_of_work() as session:
            human = session.get(HumanTask, task_id)
            if human is None or human.status not in projection.OPEN_STATES:
                return False
            row = self._instance(session, human.instance_id)
            if row.status != "running":
                return False  # a suspended or failed instance keeps the task until it runs again
            workflow = self.executor.load(session, row)
            task = workflow.get_task_from_id(UUID(task_id))
            if task is None or not task.has_state(TaskState.READY):
                return False
            task.data.update(dict(data or {}))
            task.run()
            human.status, human.completed_at, human.completed_by = "cancelled", clock.now(), actor.name
            audit.record(session, actor.name, "task_withdrawn", instance_id=row.id, case_ref=row.case_ref,
                         task_id=task_id, office=human.office, reason=reason)
            outcome = self.executor.advance(session, row, workflow, actor.name)
            self._route_events(session, outcome.events, row, actor)
            return True

    # -- helpers -----------------------------------------------------------------------------
    def _writing(self):
        return _StaleAsConcurrent()

    @staticmethod
    def _instance(session: Session, instance_id: int) -> ProcessInstance:
        row = session.get(ProcessInstance, instance_id)
        if row is None:
            raise NotFound(f"Vorgang {instance_id} gibt es nicht")
        return row

    @staticmethod
    def _human(session: Session, task_id: str) -> HumanTask:
        human = session.get(HumanTask, task_id)
        if human is None:
            raise NotFound(f"Aufgabe {task_id} gibt es nicht")
        return human

    def _workable(self, session: Session, task_id: str, actor: Actor) -> HumanTask:
        human = self._human(session, task_id)
        if human.status == "completed":
            raise TaskAlreadyCompleted(task_id, human.completed_by, human.completed_at)
        if human.status == "cancelled":
            raise TaskStateError("Die Aufgabe wurde abgebrochen und kann nicht mehr bearbeitet werden")
        if not actor.may_work_on(unit=human.unit, office=human.office, candidate_users=human.candidate_users,
                                 assignee=human.assignee):
            audit.record(session, actor.name, "access_denied", instance_id=human.instance_id,
                         case_ref=human.case_ref, task_id=task_id)
            session.commit()  # the denied attempt is audited even though the action fails
            raise NotFound(f"Aufgabe {task_id} gibt es nicht")
        return human


class _StaleAsConcurrent:
    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None and issubclass(exc_type, StaleDataError):
            raise ConcurrentModification("Der Vorgang wurde gleichzeitig geändert; bitte erneut versuchen") from exc
        return False


def _view(row: ProcessInstance, data: dict[str, Any]) -> InstanceView:
    return InstanceView(row.id, row.process_id, row.version, row.status, data, row.business_key, row.case_ref,
                        row.error_element, row.error_message)
