"""ProcessEngine: the one façade every screen, the CLI, the API and the worker call.

Each public verb is exactly one unit of work: it opens the transaction, asks its collaborators (which
work inside that transaction and never commit) and commits once. A verb called from inside another
verb's unit of work joins it, so composite domain verbs stay atomic.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from engine.bpmn.forms import Form
from engine.core.actors import Actor
from engine.core.errors import ConcurrentModification, CorrelationError, TaskAlreadyCompleted, TaskStateError
from engine.runtime.sandbox import SandboxedScriptEngine
from engine.service import start_timers, starting
from engine.service.admin import InstanceAdmin
from engine.service.correlation import Delivery
from engine.service.definitions import DefinitionLibrary, Deployed
from engine.service.execution import Executor, instance_data
from engine.service.instances import InstanceRunner
from engine.service.registry import Extensions
from engine.service.starting import StartRequest
from engine.service.tasks import TaskLifecycle, TaskPage
from engine.store.db import Database
from engine.store.models import HumanTask, ProcessInstance


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


class ProcessEngine:
    """Deploy, start, work on and correlate process instances; one transaction per verb."""

    def __init__(self, db: Database, extensions: Extensions | None = None, *,
                 library: DefinitionLibrary | None = None, scripts: SandboxedScriptEngine | None = None):
        self.db = db
        self.extensions = extensions or Extensions()
        self.library = library or DefinitionLibrary(offices=self.extensions.offices)
        self.executor = Executor(self.library, self.extensions, scripts)
        self.runner = InstanceRunner(self.library, self.executor, self.extensions)
        self.tasks = TaskLifecycle(self.runner)
        self.admin = InstanceAdmin(self.runner)

    @contextmanager
    def _verb(self) -> Iterator[Session]:
        """Open the verb's unit of work; a lost optimistic-lock race becomes ConcurrentModification."""
        try:
            with self.db.unit_of_work() as session:
                yield session
        except StaleDataError as err:
            raise ConcurrentModification("Der Vorgang wurde gleichzeitig geändert; bitte erneut versuchen") from err

    def create_schema(self) -> None:
        """Create or upgrade the database schema: the engine's tables and those the extensions bring."""
        self.db.create_all(self.extensions.migrations)

    # -- definitions -------------------------------------------------------------------------
    def deploy(self, files: Mapping[str, bytes | str], *, actor: Actor) -> list[Deployed]:
        """Validate and deploy a bundle of BPMN/DMN files; on any problem nothing is deployed."""
        with self._verb() as session:
            return self.deploy_in(session, files, actor=actor)

    def deploy_in(self, session: Session, files: Mapping[str, bytes | str], *, actor: Actor) -> list[Deployed]:
        """Deploy inside an open unit of work (the designer deploys a draft and discards it atomically)."""
        deployed = self.library.deploy(session, files, actor=actor.name)
        for item in deployed:
            if item.kind == "process" and item.created:
                row = self.library.get(session, item.process_id, item.version)
                start_timers.schedule(session, row, self.library.load(row).spec, self.executor.script_engine)
        return deployed

    # -- instances ---------------------------------------------------------------------------
    def start(self, process_id: str, *, actor: Actor, data: Mapping[str, Any] | None = None,
              business_key: str | None = None, case_ref: str | None = None, version: int | None = None) -> int:
        """Start an instance (starters checked, data validated against the start form); return its id."""
        with self._verb() as session:
            request = StartRequest(process_id, dict(data or {}), business_key, case_ref, version)
            definition = self.library.get(session, process_id, version)
            request = starting.admit(session, definition, request, actor)
            return self.runner.start(session, request, actor, definition).id

    def show(self, instance_id: int) -> InstanceView:
        """Return an instance with its current data."""
        with self.db.reading() as session:
            return self.show_in(session, self.runner.get(session, instance_id))

    def show_in(self, session: Session, row: ProcessInstance) -> InstanceView:
        """Return an instance already read in the caller's unit of work with its current data."""
        with self.executor.looking_at(session, row) as workflow:
            data = instance_data(workflow)
        return _view(row, data)

    def element_names(self, process_id: str, version: int | None = None) -> dict[str, str]:
        """Return the names the diagram (of `version`, else the newest) gives its elements, for pages people read."""
        with self.db.reading() as session:
            loaded = self.library.load(self.library.get(session, process_id, version))
        names: dict[str, str] = {}
        for spec in [loaded.spec, *loaded.subprocess_specs.values()]:
            for task_spec in getattr(spec, "task_specs", {}).values():
                element_id = getattr(task_spec, "bpmn_id", None)
                if element_id and getattr(task_spec, "bpmn_name", None):
                    names.setdefault(element_id, task_spec.bpmn_name)
        return names

    def correlate(self, message_name: str, *, actor: Actor, payload: Mapping[str, Any] | None = None,
                  business_key: str | None = None, correlation: Mapping[str, Any] | None = None,
                  case_ref: str | None = None) -> list[int]:
        """Deliver a message to the instances waiting for it, or start the processes it starts."""
        with self._verb() as session:
            delivery = Delivery(message_name, dict(payload or {}), dict(correlation or {}), business_key, case_ref)
            ids = self.runner.correlator.correlate(session, delivery, actor)
            if not ids:
                raise CorrelationError(f"Keine Instanz und kein Startereignis wartet auf {message_name!r}")
            return ids

    # -- administration ----------------------------------------------------------------------
    def suspend(self, instance_id: int, *, actor: Actor, reason: str = "") -> None:
        """Stop an instance from moving on (timers wait, tasks cannot be completed)."""
        with self._verb() as session:
            self.admin.suspend(session, instance_id, actor=actor, reason=reason)

    def resume(self, instance_id: int, *, actor: Actor, reason: str = "") -> None:
        """Let a suspended instance move on again."""
        with self._verb() as session:
            self.admin.resume(session, instance_id, actor=actor, reason=reason)

    def cancel(self, instance_id: int, *, actor: Actor, reason: str = "") -> None:
        """End an instance for good; its open tasks and timers are cancelled."""
        with self._verb() as session:
            self.admin.cancel(session, instance_id, actor=actor, reason=reason)

    def retry(self, instance_id: int, *, actor: Actor, data: Mapping[str, Any] | None = None,
              reason: str = "") -> str:
        """Run a failed instance again from its failed tasks, optionally with corrected data."""
        with self._verb() as session:
            return self.admin.retry(session, instance_id, actor=actor, data=data, reason=reason)

    def skip(self, instance_id: int, *, actor: Actor, reason_code: str, reason: str = "") -> str:
        """Complete a failed instance's failing task without running it; the instance moves on (admins)."""
        with self._verb() as session:
            return self.admin.skip(session, instance_id, actor=actor, reason_code=reason_code, reason=reason)

    def set_data(self, instance_id: int, *, actor: Actor, values: Mapping[str, Any], reason: str) -> None:
        """Correct data values of an instance (administrators; audited with the reason)."""
        with self._verb() as session:
            self.admin.set_data(session, instance_id, actor=actor, values=values, reason=reason)

    def reroute(self, instance_ids: list[int], *, actor: Actor, reason: str = "") -> int:
        """Resolve the responsible unit of open tasks again (e.g. after a move); return how many moved."""
        with self._verb() as session:
            return self.admin.reroute(session, instance_ids, actor=actor, reason=reason)

    # -- human tasks -------------------------------------------------------------------------
    def task(self, task_id: str) -> HumanTask:
        """Return a human-task row (detached)."""
        with self.db.reading() as session:
            return self.tasks.get(session, task_id)

    def task_form(self, task_id: str) -> tuple[Form | None, dict[str, Any]]:
        """Return the task's form and the data it is shown with (draft over process data)."""
        with self.db.reading() as session:
            return self.tasks.form(session, task_id)

    def task_page(self, task_id: str) -> TaskPage:
        """Return an open task with its form, data and delegation reason (a finished task without them)."""
        with self.db.reading() as session:
            return self.tasks.page(session, task_id)

    def claim(self, task_id: str, *, actor: Actor) -> None:
        """Take an open task into the actor's own inbox."""
        with self._verb() as session:
            self.tasks.claim(session, task_id, actor)

    def unclaim(self, task_id: str, *, actor: Actor) -> None:
        """Give a claimed task back to the unit's queue."""
        with self._verb() as session:
            self.tasks.unclaim(session, task_id, actor)

    def delegate(self, task_id: str, *, actor: Actor, to: Actor, reason: str = "") -> None:
        """Hand a task to a colleague who may work on it."""
        with self._verb() as session:
            self.tasks.delegate(session, task_id, actor, to, reason)

    def delegate_to_unit(self, task_id: str, *, actor: Actor, unit: str, office: str, reason: str = "") -> None:
        """Move a task to another unit (`office`: the unit's office, which must be the task's)."""
        with self._verb() as session:
            self.tasks.delegate_to_unit(session, task_id, actor, unit, office, reason)

    def delegation_reason(self, task_id: str) -> dict[str, str] | None:
        """Return the latest delegation reason of a task, if one was given."""
        with self.db.reading() as session:
            return self.tasks.delegation_reason(session, task_id)

    def set_task_dates(self, task_id: str, *, actor: Actor, due: dt.date | None, follow_up: dt.date | None) -> None:
        """Set the due and follow-up dates of a task the actor holds."""
        with self._verb() as session:
            self.tasks.set_dates(session, task_id, actor, due, follow_up)

    def save_draft(self, task_id: str, *, actor: Actor, data: Mapping[str, Any]) -> None:
        """Keep what the user typed so far without completing the task."""
        with self._verb() as session:
            self.tasks.save_draft(session, task_id, actor, data)

    def complete(self, task_id: str, *, actor: Actor, data: Mapping[str, Any] | None = None,
                 seen: TaskPage | None = None) -> str:
        """Validate the data against the task's form, complete it and run on; return the instance status.

        `seen`: the task page the data was entered on (its rows are not read again).
        """
        try:
            with self._verb() as session:
                return self.tasks.complete(session, task_id, actor, dict(data or {}), seen)
        except (ConcurrentModification, TaskStateError):  # a colleague's completion committed in between
            with self.db.reading() as session:
                human = session.get(HumanTask, task_id)
                if human is not None and human.status == "completed":
                    raise TaskAlreadyCompleted(task_id, human.completed_by, human.completed_at) from None
            raise

    def withdraw(self, task_id: str, *, actor: Actor, reason: str, data: Mapping[str, Any] | None = None) -> bool:
        """End an open task without its form (e.g. consent revoked); the process moves on with `data` set.

        Returns False when there is nothing to withdraw now (task gone, or the instance is not running).
        """
        with self._verb() as session:
            return self.tasks.withdraw(session, task_id, actor, reason, dict(data or {}))


def _view(row: ProcessInstance, data: dict[str, Any]) -> InstanceView:
    return InstanceView(row.id, row.process_id, row.version, row.status, data, row.business_key, row.case_ref,
                        row.error_element, row.error_message)
