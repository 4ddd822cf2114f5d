"""Message correlation between instances, and message start events."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.exceptions import WorkflowException
from sqlalchemy import select

from engine.bpmn.messages import message_event
from engine.core.actors import Actor
from engine.core.errors import CorrelationError
from engine.service.registry import InstanceContext
from engine.service.starting import StartRequest
from engine.store import audit
from engine.store.models import MessageSubscription, ProcessInstance

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from engine.service.instances import InstanceRunner

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


class Correlator:
    """Deliver messages to waiting instances, or start the processes they start."""

    def __init__(self, runner: InstanceRunner):
        self.runner = runner

    def correlate(self, session: Session, delivery: Delivery, actor: Actor) -> list[int]:
        """Deliver one message; return the instances that received it or were started by it."""
        runner = self.runner
        name, payload, correlation = delivery.name, delivery.payload, delivery.correlation
        if delivery.hops > MAX_MESSAGE_HOPS:
            raise CorrelationError("Zu viele verkettete Nachrichten (Kreislauf?)")
        waiting = select(MessageSubscription.instance_id).where(MessageSubscription.message_name == name)
        query = (select(ProcessInstance).where(ProcessInstance.id.in_(waiting), ProcessInstance.status == "running")
                 .order_by(ProcessInstance.id))
        if delivery.business_key is not None:
            query = query.where(ProcessInstance.business_key == delivery.business_key)
        if delivery.case_ref is not None:
            query = query.where(ProcessInstance.case_ref == delivery.case_ref)
        delivered = []
        for row in session.scalars(query):
            if row.id == delivery.exclude:
                continue
            workflow = runner.executor.load(session, row)
            try:
                workflow.send_event(message_event(workflow, name, payload, correlation))
            except (WorkflowException, CorrelationError):
                continue  # correlation keys did not match this instance
            audit.record(session, actor.name, "message_correlated", instance_id=row.id, case_ref=row.case_ref,
                         message=name)
            runner.extensions.emit("message_correlated", runner.executor.context(session, row, workflow),
                                   {"message_name": name})
            outcome = runner.executor.advance(session, row, workflow, actor.name)
            self.route(session, outcome.events, row, actor, delivery.hops + 1)
            delivered.append(row.id)
        if delivered:
            return delivered
        for definition in runner.library.by_message_start(session, name):
            request = StartRequest(definition.process_id, {}, delivery.business_key, delivery.case_ref,
                                   parent_id=delivery.exclude, start_message=(name, payload, correlation))
            started = runner.start(session, request, actor)
            audit.record(session, actor.name, "message_correlated", instance_id=started.id,
                         case_ref=started.case_ref, message=name, started=True)
            started_context = InstanceContext(session, started.id, started.process_id, started.case_ref,
                                              started.business_key, data={})  # listeners get ids, not data
            runner.extensions.emit("message_correlated", started_context, {"message_name": name})
            delivered.append(started.id)
        return delivered

    def route(self, session: Session, events: list, source: ProcessInstance, actor: Actor, hops: int = 0) -> None:
        """Deliver the message events an instance threw (not caught inside it)."""
        for event in events:
            definition = event.event_definition
            if not isinstance(definition, MessageEventDefinition):
                continue
            payload = event.payload if isinstance(event.payload, dict) else {"payload": event.payload}
            # A thrown message stays within its case; without one, within its business key: an instance
            # outside any case must not reach every waiting instance of the library.
            business_key = None if source.case_ref else source.business_key
            delivery = Delivery(definition.name, dict(payload), dict(event.correlations or {}), business_key,
                                source.case_ref, exclude=source.id, hops=hops)
            self.correlate(session, delivery, actor)
