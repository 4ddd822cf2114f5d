"""Message correlation between instances, and message start events."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.exceptions import WorkflowException
from sqlalchemy import select

from engine.bpmn.messages import message_event
from engine.core.actors import Actor
from engine.core.errors import CorrelationError
from engine.service.starting import StartRequest
from engine.store import audit
from engine.store.models import MessageSubscription, ProcessInstance

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from engine.service.definitions import DefinitionLibrary
    from engine.service.execution import Executor
    from engine.service.registry import Extensions
    from engine.store.db import Database

MAX_MESSAGE_HOPS = 50


@dataclass(frozen=True)
class Delivery:
    """One message on its way: name, payload, and what narrows the receivers."""

    name: str
    payload: dict[str, Any]
    correlation: dict[str, Any]
    business_key: str | None = None
    case_ref: str | None = None
    exclude: int | None = None  # the sending instance
    hops: int = 0


class Correlation:
    """Mixed into ProcessEngine: deliver messages to waiting instances or start the processes they start."""

    if TYPE_CHECKING:  # provided by ProcessEngine, into which this class is mixed
        db: Database
        executor: Executor
        extensions: Extensions
        library: DefinitionLibrary

        def _writing(self) -> Any: ...
        def _instance(self, session: Session, instance_id: int) -> ProcessInstance: ...
        def _start(self, session: Session, request: StartRequest, actor: Actor) -> ProcessInstance: ...

    def correlate(self, message_name: str, *, actor: Actor, payload: Mapping[str, Any] | None = None,
                  business_key: str | None = None, correlation: Mapping[str, Any] | None = None,
                  case_ref: str | None = None) -> list[int]:
        """Deliver a message to the instances waiting for it, or start the processes it starts."""
        with self._writing():
            with self.db.unit_of_work() as session:
                delivery = Delivery(message_name, dict(payload or {}), dict(correlation or {}), business_key, case_ref)
                ids = self._correlate(session, delivery, actor)
                if not ids:
                    raise CorrelationError(f"Keine Instanz und kein Startereignis wartet auf {message_name!r}")
                return ids

    def _correlate(self, session, delivery: Delivery, actor: Actor) -> list[int]:
        name, payload, correlation = delivery.name, delivery.payload, delivery.correlation
        business_key, case_ref, exclude = delivery.business_key, delivery.case_ref, delivery.exclude
        hops = delivery.hops
        if hops > MAX_MESSAGE_HOPS:
            raise CorrelationError("Zu viele verkettete Nachrichten (Kreislauf?)")
        waiting = select(MessageSubscription.instance_id).where(MessageSubscription.message_name == name)
        query = (select(ProcessInstance).where(ProcessInstance.id.in_(waiting), ProcessInstance.status == "running")
                 .order_by(ProcessInstance.id))
        if business_key is not None:
            query = query.where(ProcessInstance.business_key == business_key)
        if case_ref is not None:
            query = query.where(ProcessInstance.case_ref == case_ref)
        delivered = []
        for row in session.scalars(query):
            if row.id == exclude:
                continue
            workflow = self.executor.load(session, row)
            try:
                workflow.send_event(message_event(workflow, name, payload, correlation))
            except (WorkflowException, CorrelationError):
                continue  # correlation keys did not match this instance
            audit.record(session, actor.name, "message_correlated", instance_id=row.id, case_ref=row.case_ref,
                         message=name)
            outcome = self.executor.advance(session, row, workflow, actor.name)
            self._route_events(session, outcome.events, row, actor, hops + 1)
            delivered.append(row.id)
        if delivered:
            return delivered
        for definition in self.library.by_message_start(session, name):
            request = StartRequest(definition.process_id, {}, business_key, case_ref, parent_id=exclude,
                                   start_message=(name, payload, correlation))
            started = self._start(session, request, actor)
            audit.record(session, actor.name, "message_correlated", instance_id=started.id,
                         case_ref=started.case_ref, message=name, started=True)
            delivered.append(started.id)
        return delivered

    def _route_events(self, session, events, source: ProcessInstance, actor: Actor, hops: int = 0) -> None:
        for event in events:
            definition = event.event_definition
            if not isinstance(definition, MessageEventDefinition):
                continue
            payload = event.payload if isinstance(event.payload, dict) else {"payload": event.payload}
            delivery = Delivery(definition.name, dict(payload), dict(event.correlations or {}), None, source.case_ref,
                                exclude=source.id, hops=hops)
            self._correlate(session, delivery, actor)
