"""Start instances and carry messages between them, inside the caller's transaction."""

from __future__ import annotations

from sqlalchemy.orm import Session

from engine.bpmn.messages import message_event
from engine.core import clock
from engine.core.actors import Actor
from engine.core.errors import NotFound
from engine.service import start_timers
from engine.service.correlation import Correlator
from engine.service.definitions import DefinitionLibrary
from engine.service.execution import Executor
from engine.service.registry import Extensions
from engine.service.starting import StartRequest
from engine.store import audit
from engine.store.models import DefinitionVersion, ProcessInstance


class InstanceRunner:
    """Session-level instance work shared by the façade's verbs, the worker and message routing."""

    def __init__(self, library: DefinitionLibrary, executor: Executor, extensions: Extensions):
        self.library, self.executor, self.extensions = library, executor, extensions
        self.correlator = Correlator(self)

    @staticmethod
    def get(session: Session, instance_id: int) -> ProcessInstance:
        """Return the instance row or raise NotFound."""
        row = session.get(ProcessInstance, instance_id)
        if row is None:
            raise NotFound(f"Vorgang {instance_id} gibt es nicht")
        return row

    def start(self, session: Session, request: StartRequest, actor: Actor,
              definition: DefinitionVersion | None = None) -> ProcessInstance:
        """Create an instance of `definition` (else the version the request names) and run it until it waits."""
        process_id, business_key, case_ref = request.process_id, request.business_key, request.case_ref
        definition = definition or self.library.get(session, process_id, request.version)
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
        self.route_events(session, outcome.events, row, actor)
        return row

    def route_events(self, session: Session, events: list, source: ProcessInstance, actor: Actor,
                     hops: int = 0) -> None:
        """Deliver the messages an instance threw to the instances and processes that catch them."""
        self.correlator.route(session, events, source, actor, hops)
