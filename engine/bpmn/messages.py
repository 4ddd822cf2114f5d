"""kimflow's message semantics: a thrown message carries a dict; a caught one merges it into the data."""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.parser.event_parsers import (
    BoundaryEventParser,
    EndEventParser,
    IntermediateCatchEventParser,
    IntermediateThrowEventParser,
    StartEventParser,
)
from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.camunda.parser.event_parsers import CamundaEventDefinitionParser
from SpiffWorkflow.camunda.specs.event_definitions import (
    MessageEventDefinition as CamundaMessageEventDefinition,
)

from engine.core.errors import CorrelationError


class MessageEventDefinition(CamundaMessageEventDefinition):
    """Payload = camunda:expression evaluated (a dict, or stored under camunda:resultVariable); else empty."""

    def throw(self, my_task):
        value: Any = my_task.workflow.script_engine.evaluate(my_task, self.expression) if self.expression else {}
        payload = value if isinstance(value, dict) else {self.result_var or "message": value}
        correlations = self.get_correlations(my_task, my_task.data)
        my_task.workflow.top_workflow.catch(BpmnEvent(self, payload=payload, correlations=correlations))

    def update_internal_data(self, my_task, event):
        my_task.internal_data[self.name] = event.payload

    def update_task_data(self, my_task):
        payload = my_task.internal_data.get(self.name)
        if payload is None:
            return
        if self.result_var:
            my_task.data[self.result_var] = payload
        elif isinstance(payload, dict):
            my_task.data.update(payload)


class _MessageParser(CamundaEventDefinitionParser):
    def parse_message_event(self, message_event):
        parsed = super().parse_message_event(message_event)
        return MessageEventDefinition(parsed.name, parsed.correlation_properties, parsed.expression,
                                      parsed.result_var)


class StartEventParserK(_MessageParser, StartEventParser):
    def create_task(self):
        return StartEventParser.create_task(self)


class EndEventParserK(_MessageParser, EndEventParser):
    def create_task(self):
        return EndEventParser.create_task(self)


class CatchEventParserK(_MessageParser, IntermediateCatchEventParser):
    def create_task(self):
        return IntermediateCatchEventParser.create_task(self)


class ThrowEventParserK(_MessageParser, IntermediateThrowEventParser):
    def create_task(self):
        return IntermediateThrowEventParser.create_task(self)


class BoundaryEventParserK(_MessageParser, BoundaryEventParser):
    def create_task(self):
        return BoundaryEventParser.create_task(self)


EVENT_PARSERS = {
    "startEvent": StartEventParserK,
    "endEvent": EndEventParserK,
    "intermediateCatchEvent": CatchEventParserK,
    "intermediateThrowEvent": ThrowEventParserK,
    "boundaryEvent": BoundaryEventParserK,
}


def waiting_definition(workflow, name: str):
    """Return the message definition a workflow waits on under this name, or None."""
    for task in workflow.event_manager.tasks.values():
        found = _find(task.task_spec.event_definition, name)
        if found is not None:
            return found
    for start_event in event_subprocess_starts(workflow):
        found = _find(start_event.event_definition, name)
        if found is not None:
            return found
    return None


def event_subprocess_starts(workflow) -> list:
    """Return the start events of the event subprocesses a running workflow may trigger."""
    if workflow.completed:
        return []
    starts: list = []
    for spec_name in getattr(workflow.spec.start, "trigger_specs", []) or []:
        sub_spec = workflow.subprocess_specs.get(spec_name)
        starts.extend(getattr(sub_spec, "bpmn_start_events", []) if sub_spec is not None else [])
    return starts


def _find(definition, name: str):
    if type(definition).__name__ == "MultipleEventDefinition":
        for child in definition.event_definitions:
            found = _find(child, name)
            if found is not None:
                return found
        return None
    if "Message" in type(definition).__name__ and getattr(definition, "name", None) == name:
        return definition
    return None


def message_event(workflow, name: str, payload: dict, correlation: dict) -> BpmnEvent:
    """Build an event the workflow's waiting message definition recognises."""
    definition = waiting_definition(workflow, name)
    if definition is None:
        raise CorrelationError(f"Der Vorgang wartet nicht auf die Nachricht {name!r}")
    return BpmnEvent(definition, payload, correlation)  # kimflow's parser makes every message definition ours
