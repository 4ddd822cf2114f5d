"""Load, advance and persist one instance: the single place where workflows run."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException, WorkflowException
from SpiffWorkflow.task import TaskState
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from engine.bpmn.dialect import service_topic
from engine.core import clock
from engine.runtime.pruning import prune_history
from engine.runtime.sandbox import SandboxedScriptEngine
from engine.runtime.serialization import KimflowWorkflow, StateSerializer, UnstorableValue
from engine.service import projection
from engine.service.definitions import DefinitionLibrary
from engine.service.external_tasks import is_external
from engine.service.live_workflows import LiveWorkflows
from engine.service.registry import Extensions, InstanceContext, ServiceCall
from engine.store import audit
from engine.store.db import database_key
from engine.store.models import DefinitionVersion, Incident, ProcessInstance

log = logging.getLogger(__name__)
_OBJECT_REPR = re.compile(r"<[\w.]*?(\w+) object at 0x[0-9a-f]+>")
MAX_SERVICE_ROUNDS = 200
clock.install()


@dataclass
class Outcome:
    """What one advance of an instance produced, for the caller to route or report."""

    events: list = field(default_factory=list)
    created_tasks: list = field(default_factory=list)


class Executor:
    """Runs workflows with kimflow's script engine and persists them with their projections."""

    def __init__(self, library: DefinitionLibrary, extensions: Extensions,
                 script_engine: SandboxedScriptEngine | None = None):
        self.library = library
        self.extensions = extensions
        self.serializer = StateSerializer()
        self.script_engine = script_engine or SandboxedScriptEngine(extensions.script_functions)
        self.live = LiveWorkflows()

    def new_workflow(self, definition: DefinitionVersion, data: dict[str, Any], initiator: str | None = None):
        loaded = self.library.load(definition)
        spec, subprocess_specs = loaded.for_instance()
        workflow = KimflowWorkflow(spec, subprocess_specs, script_engine=self.script_engine)
        if loaded.initiator_variable and initiator:
            workflow.task_tree.data[loaded.initiator_variable] = initiator
        workflow.task_tree.data.update(data)
        return workflow

    def load(self, session: Session, row: ProcessInstance) -> BpmnWorkflow:
        """Return the instance's workflow: the one this process saved last if that is the stored state."""
        live = self.live.take(_live_key(session, row), row.definition_version_id, row.state)
        if live is not None:
            return live
        loaded = self.library.cached(row.definition_version_id, row.process_id)
        if loaded is None:  # parsed once per process; the row is read only then
            definition = session.get(DefinitionVersion, row.definition_version_id)
            assert definition is not None, "an instance always refers to a stored version"
            loaded = self.library.load(definition)
        spec, subprocess_specs = loaded.for_instance()
        return self.serializer.loads(row.state, spec, subprocess_specs, self.script_engine)

    @contextmanager
    def looking_at(self, session: Session, row: ProcessInstance) -> Iterator[BpmnWorkflow]:
        """Lend the instance's workflow to a caller that only reads it; kept for the next caller afterwards."""
        workflow = self.load(session, row)
        yield workflow
        self.live.keep_now(_live_key(session, row), row.definition_version_id, row.state, workflow)

    def context(self, session: Session, row: ProcessInstance, workflow: BpmnWorkflow) -> InstanceContext:
        return InstanceContext(session=session, instance_id=row.id, process_id=row.process_id,
                               case_ref=row.case_ref, business_key=row.business_key, data=instance_data(workflow))

    def advance(self, session: Session, row: ProcessInstance, workflow: BpmnWorkflow, actor: str, *,
                fresh: bool = False) -> Outcome:
        """Run engine steps and service tasks until the instance waits, then persist everything."""
        outcome = Outcome()
        try:
            waiting = self._run(session, row, workflow)
            context = self.context(session, row, workflow)
            if self.extensions.area_resolver is not None:
                row.area = self.extensions.area_resolver(context) or row.area
            if workflow.completed:
                self._complete(session, row, context, actor)
            elif not waiting.anything:
                self._stall(session, row, workflow, actor)
            else:
                row.status = "running" if row.status in ("running", "error") else row.status
                changes = projection.sync(session, row, workflow, waiting, self.extensions, context, fresh=fresh)
                outcome.created_tasks = changes["created"]
                for task in changes["created"]:
                    self.extensions.emit("task_created", context, {"task": task})
                for task in changes["cancelled"]:
                    self.extensions.emit("task_cancelled", context, {"task": task})
        except SQLAlchemyError:
            raise  # a database failure (a lost optimistic-lock race) is the verb's, not an incident of the instance
        except (SpiffWorkflowException, WorkflowException, Exception) as err:  # noqa: BLE001
            self._fail(session, row, workflow, err, actor)
            self._persist(session, row, workflow, actor)
            return outcome
        outcome.events = workflow.get_events()
        self._persist(session, row, workflow, actor)
        return outcome

    def _run(self, session: Session, row: ProcessInstance, workflow: BpmnWorkflow) -> projection.Waiting:
        for _ in range(MAX_SERVICE_ROUNDS):
            workflow.do_engine_steps()
            waiting = projection.collect_waiting(workflow)
            self._set_external_apart(waiting)
            if not waiting.service:
                return waiting
            for task in waiting.service:
                self._call_service(session, row, workflow, task)
        raise WorkflowException("Zu viele aufeinanderfolgende Serviceaufgaben (Endlosschleife?)")

    def _set_external_apart(self, waiting: projection.Waiting) -> None:
        """Move service tasks marked external and without an in-process handler to the external-task pool."""
        for task in list(waiting.service):
            if is_external(task.task_spec) and service_topic(task.task_spec) not in self.extensions.service_handlers:
                waiting.service.remove(task)
                waiting.external.append(task)

    def _call_service(self, session: Session, row: ProcessInstance, workflow: BpmnWorkflow, task) -> None:
        topic = service_topic(task.task_spec)
        handler = self.extensions.service_handlers.get(topic or "")
        element = task.task_spec.bpmn_id
        if handler is None:
            task._set_state(TaskState.ERROR)
            raise _TaskError(element, f"Für die Serviceaufgabe {element!r} ist kein Handler {topic!r} registriert")
        call = ServiceCall(self.context(session, row, workflow), element, topic or "", dict(task.data))
        try:
            updates = handler(call)
        except Exception as err:  # noqa: BLE001 - a failing handler becomes an incident
            task._set_state(TaskState.ERROR)
            raise _TaskError(element, f"Serviceaufgabe {element!r} fehlgeschlagen: {err}") from err
        task.data.update(updates or {})
        task.complete()

    def _fail(self, session: Session, row: ProcessInstance, workflow, err: Exception, actor: str) -> None:
        element = getattr(err, "element_id", None)
        failing = getattr(err, "task", None)
        if element is None and failing is not None:
            element = failing.task_spec.bpmn_id or failing.task_spec.name
        message = _describe(err)
        row.status = "error"
        row.error_element = element
        row.error_message = message
        data = dict(failing.data) if failing is not None else instance_data(workflow)
        session.add(Incident(instance_id=row.id, element_id=element, kind="error", message=message,
                             data=_jsonable(data), created_at=clock.now()))
        audit.record(session, actor, "incident", instance_id=row.id, case_ref=row.case_ref,
                     element_id=element, message=message)
        log.warning("instance %s failed at %s: %s", row.id, element, message)
        context = self.context(session, row, workflow)
        self.extensions.emit("instance_error", context, {"element_id": element, "message": message})

    def _stall(self, session: Session, row: ProcessInstance, workflow, actor: str) -> None:
        depth = tree_depth(workflow)
        message = ("Der Prozess wartet auf nichts mehr und ist nicht beendet (stiller Stillstand)"
                   + (f"; Aufgabenbaum {depth} Ebenen tief (Schleife?)" if depth > 900 else ""))
        row.status = "error"
        row.error_element = workflow.last_task.task_spec.bpmn_id if workflow.last_task else None
        row.error_message = message
        session.add(Incident(instance_id=row.id, element_id=row.error_element, kind="stall", message=message,
                             data={}, created_at=clock.now()))
        audit.record(session, actor, "incident", instance_id=row.id, case_ref=row.case_ref, message=message)
        projection.close_all(session, row, "cancelled")

    def _complete(self, session: Session, row: ProcessInstance, context: InstanceContext, actor: str) -> None:
        row.status = "completed"
        row.ended_at = clock.now()
        projection.close_all(session, row, "cancelled")
        audit.record(session, actor, "instance_completed", instance_id=row.id, case_ref=row.case_ref)
        self.extensions.emit("instance_completed", context, {})

    def _persist(self, session: Session, row: ProcessInstance, workflow: BpmnWorkflow, actor: str) -> None:
        if row.status == "running":
            prune_history(workflow)
        try:
            row.state = self.serializer.dumps(workflow)
        except UnstorableValue as err:
            # Refused where it was produced: the instance stops with an incident naming the variables,
            # and the values are kept as text so the state stays loadable and the data can be corrected.
            _replace_unstorable(workflow, err.found)
            self._fail(session, row, workflow, err, actor)
            row.state = self.serializer.dumps(workflow)
        row.updated_at = clock.now()
        if row.id is not None:  # continue from this object next time, once the state is committed
            self.live.keep_after_commit(session, _live_key(session, row), row.definition_version_id, row.state,
                                        workflow)


def _live_key(session: Session, row: ProcessInstance) -> tuple[str, int]:
    return database_key(session), row.id


class _TaskError(WorkflowException):
    def __init__(self, element_id: str, message: str):
        super().__init__(message)
        self.element_id = element_id


def _replace_unstorable(workflow: BpmnWorkflow, found: list[tuple[str, str, str]]) -> None:
    names = {name for _element, name, _typename in found}
    for each in [workflow, *workflow.subprocesses.values()]:
        for data in [each.data, *(task.data for task in each.tasks.values())]:
            for name in names & set(data):
                data[name] = f"<nicht speicherbar: {type(data[name]).__name__}>"


def _describe(err: Exception) -> str:
    text = str(err).strip() or type(err).__name__
    if _OBJECT_REPR.search(text):
        # SpiffWorkflow sometimes raises with a spec object as its message; name the element instead.
        failing = getattr(err, "task", None)
        element = failing.task_spec.bpmn_id or failing.task_spec.name if failing is not None else None
        text = _OBJECT_REPR.sub(lambda m: repr(element) if element else m.group(1), text)
        text = f"Interner Fehler der Prozessausführung bei {text}" if element else text
    notes = getattr(err, "notes", None) or getattr(err, "__notes__", None) or []
    extra = [n for n in notes if n not in text]
    return "; ".join([text, *extra])[:4000]


def _jsonable(data: dict) -> dict:
    import json

    return json.loads(json.dumps(data, default=str))


def instance_data(workflow: BpmnWorkflow) -> dict[str, Any]:
    """Return the instance's current data: the latest completed task's, or the workflow's at the end."""
    if workflow.completed and workflow.data:
        return dict(workflow.data)
    task = workflow.last_task or workflow.task_tree
    return dict(task.data)


def tree_depth(workflow: BpmnWorkflow) -> int:
    depth, task = 0, workflow.last_task
    while task is not None:
        depth += 1
        task = task.parent
    return depth
