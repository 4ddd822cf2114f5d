"""The BPMN/DMN dialect kimflow executes: parse a bundle and read the Camunda facts of task specs."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent

from engine.bpmn.forms import Form
from engine.bpmn.parser import BPMN_NS, KIMFLOW_KEY, KimflowParser, lane_group
from engine.bpmn.start_form import camunda_attribute, none_start_event, start_form
from engine.bpmn.validation import analyse_bundle
from engine.bpmn.xmlsafe import parse_xml
from engine.core.errors import DefinitionError, Problem

__all__ = ["HumanTaskMeta", "KimflowParser", "ParsedBundle", "ProcessStart", "human_task_meta",
           "message_start_names", "parse_bundle", "process_start", "service_topic"]

_CALLEE = re.compile(r"^\s*[$#]\{\s*([A-Za-z_][\w.]*)\s*(?:\(.*\))?\s*\}\s*$", re.DOTALL)


@dataclass
class HumanTaskMeta:
    """Who should do a user or manual task and by when, as the designer wrote it."""

    office: str | None
    candidate_groups: list[str] = field(default_factory=list)
    candidate_users: list[str] = field(default_factory=list)
    assignee: str | None = None
    due_date: str | None = None
    follow_up_date: str | None = None
    priority: str | None = None


class ParsedBundle:
    """The executable processes of a validated bundle and their specs."""

    def __init__(self, parser: KimflowParser, process_ids: list[str], warnings: list[Problem] | None = None):
        self._parser = parser
        self.process_ids = process_ids
        self.warnings = warnings or []

    def spec(self, process_id: str):
        """Return the BpmnProcessSpec of an executable process."""
        return self._parser.get_spec(process_id)

    def subprocess_specs(self, process_id: str) -> dict:
        """Return the specs of the call activities and embedded subprocesses a process needs."""
        return self._parser.get_subprocess_specs(process_id)

    def process_name(self, process_id: str) -> str:
        """Return the process's name as drawn, or its id."""
        return self._parser.get_process_parser(process_id).get_name() or process_id

    def decision_ids(self) -> list[str]:
        """Return the ids of the DMN decisions in the bundle."""
        return list(self._parser.dmn_parsers)


def parse_bundle(files: Mapping[str, bytes | str], *,
                 known_offices: Collection[str] | None = None) -> ParsedBundle:
    """Validate and parse BPMN/DMN files; raise DefinitionError listing every error."""
    analysis = analyse_bundle(files, known_offices=known_offices)
    if analysis.errors or analysis.parser is None:
        raise DefinitionError(analysis.errors or [Problem("Das Paket konnte nicht gelesen werden.")])
    warnings = [problem for problem in analysis.problems if problem.severity != "error"]
    return ParsedBundle(analysis.parser, analysis.process_ids, warnings)


def _kimflow_facts(task_spec) -> dict:
    extensions = getattr(task_spec, "extensions", None) or {}
    facts = extensions.get(KIMFLOW_KEY)
    return facts if isinstance(facts, dict) else {}


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def _blank_to_none(value: str | None) -> str | None:
    return value.strip() if value and value.strip() else None


def human_task_meta(task_spec) -> HumanTaskMeta | None:
    """Return assignment and deadline facts of a user or manual task; None for other tasks."""
    if not getattr(task_spec, "manual", False):
        return None
    facts = _kimflow_facts(task_spec)
    camunda = facts.get("camunda", {})
    groups = _split(camunda.get("candidateGroups"))
    literal_groups = [group for group in groups if "{" not in group]
    # A lane that is no office code is a candidate group named after the lane (routing maps it to an office).
    lane_office = lane_group(facts.get("lane_name") or task_spec.lane, facts.get("lane_id"))
    return HumanTaskMeta(
        office=literal_groups[0] if literal_groups else lane_office,
        candidate_groups=groups,
        candidate_users=_split(camunda.get("candidateUsers")),
        assignee=_blank_to_none(camunda.get("assignee")),
        due_date=_blank_to_none(camunda.get("dueDate")),
        follow_up_date=_blank_to_none(camunda.get("followUpDate")),
        priority=_blank_to_none(camunda.get("priority")),
    )


def service_topic(task_spec) -> str | None:
    """Return the handler name of a service task (topic, delegate, expression, class or property)."""
    facts = _kimflow_facts(task_spec)
    camunda = facts.get("camunda", {})
    if _blank_to_none(camunda.get("topic")):
        return camunda["topic"].strip()
    for key in ("delegateExpression", "expression"):
        match = _CALLEE.match(camunda.get(key) or "")
        if match:
            return match.group(1)
    if _blank_to_none(camunda.get("class")):
        return camunda["class"].strip()
    handler = (getattr(task_spec, "extensions", None) or {}).get("handler")
    return handler.strip() if isinstance(handler, str) and handler.strip() else None


def message_start_names(spec) -> list[str]:
    """Return the message names whose arrival starts this process (its message start events)."""
    names: list[str] = []
    for task_spec in spec.task_specs.values():
        if not isinstance(task_spec, StartEvent):
            continue
        definition = task_spec.event_definition
        definitions = definition.event_definitions if isinstance(definition, MultipleEventDefinition) \
            else [definition]
        names.extend(each.name for each in definitions
                     if isinstance(each, MessageEventDefinition) and each.name and each.name not in names)
    return names


@dataclass(frozen=True)
class ProcessStart:
    """Who may start a process by hand and what its start form asks, as the designer wrote it."""

    starter_groups: tuple[str, ...] = ()
    starter_users: tuple[str, ...] = ()
    listed: bool = True  # camunda:isStartableInTasklist: offered on start pages (else only its own entrance)
    start_event: str | None = None  # the none start event; None when only messages or timers start it
    form: Form | None = None

    @property
    def restricted(self) -> bool:
        """Tell whether the process names its starters (otherwise whoever may start processes may)."""
        return bool(self.starter_groups or self.starter_users)


def process_start(files: Mapping[str, str], process_id: str) -> ProcessStart:
    """Read the starter attributes of a process and the form of its none start event from its sources."""
    for name, text in files.items():
        if not name.endswith(".bpmn") or f'id="{process_id}"' not in text:
            continue
        root = parse_xml(text, name)
        process = next((p for p in root.iterfind(f"{{{BPMN_NS}}}process") if p.get("id") == process_id), None)
        if process is None:
            continue
        event = none_start_event(process)
        return ProcessStart(
            starter_groups=tuple(_split(camunda_attribute(process, "candidateStarterGroups"))),
            starter_users=tuple(_split(camunda_attribute(process, "candidateStarterUsers"))),
            listed=(camunda_attribute(process, "isStartableInTasklist") or "true").strip().lower() != "false",
            start_event=event.get("id") if event is not None else None,
            form=start_form(event)[0] if event is not None else None,
        )
    return ProcessStart()
