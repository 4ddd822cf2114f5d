"""kimflow's SpiffWorkflow parser: Camunda parsing plus the Camunda attributes SpiffWorkflow ignores."""

from __future__ import annotations

import re
from collections.abc import Collection

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import full_tag
from SpiffWorkflow.bpmn.specs.defaults import ManualTask, ServiceTask
from SpiffWorkflow.camunda.parser.CamundaParser import CamundaParser
from SpiffWorkflow.camunda.parser.task_spec import (
    CAMUNDA_MODEL_NS,
    BusinessRuleTaskParser,
    CamundaTaskParser,
    UserTaskParser,
)
from SpiffWorkflow.camunda.specs.user_task import UserTask

from engine.bpmn.business_rules import BUSINESS_RULE_TASK, DecisionSupport
from engine.bpmn.messages import EVENT_PARSERS as MESSAGE_EVENT_PARSERS

# Key in task_spec.extensions (serialized with the spec) under which kimflow keeps its own facts.
KIMFLOW_KEY = "kimflow"
BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"

_CODE_IN_PARENS = re.compile(r"\(\s*([A-Za-z][A-Za-z0-9_]*)\s*\)\s*$")
_CODE = re.compile(r"^[a-z][a-z0-9_]*$")


def office_of_lane(name: str | None, lane_id: str | None,
                   known_offices: Collection[str] | None = None) -> str | None:
    """Return the office code a lane stands for: 'x', 'Label (x)' or a lane id 'x'."""
    offices = set(known_offices or ())
    text = (name or "").strip()
    match = _CODE_IN_PARENS.search(text)
    if match:
        return match.group(1)
    if text in offices or (known_offices is None and _CODE.match(text)):
        return text
    if lane_id and lane_id in offices:
        return lane_id
    return None


def lane_group(name: str | None, lane_id: str | None) -> str | None:
    """Return the candidate group a lane stands for: its office code, else the lane's name (or id)."""
    group = office_of_lane(name, lane_id) or (name or "").strip() or lane_id
    return group[:100] if group else None  # the task row keeps at most 100 characters


def lane_elements_by_node(root: etree._Element) -> dict[str, etree._Element]:
    """Map each flow node id to the innermost lane element that lists it."""
    lanes: dict[str, etree._Element] = {}
    for ref in root.iter(f"{{{BPMN_NS}}}flowNodeRef"):
        if ref.text:
            lanes[ref.text.strip()] = ref.getparent()
    return lanes


class _KimflowExtensions:
    """Mixin for task parsers: keep all camunda:* attributes and the lane's office in `extensions`."""

    def parse_extensions(self, node=None):
        extensions = super().parse_extensions(node)  # type: ignore[misc]
        element = self.node  # type: ignore[attr-defined]
        prefix = f"{{{CAMUNDA_MODEL_NS}}}"
        attributes = {key[len(prefix):]: value for key, value in element.attrib.items()
                      if key.startswith(prefix)}
        lane = self._lane_element()
        extensions[KIMFLOW_KEY] = {
            "camunda": attributes,
            "lane_id": lane.get("id") if lane is not None else None,
            "lane_name": lane.get("name") if lane is not None else None,
        }
        return extensions

    def _lane_element(self):
        parser = self.process_parser.parser  # type: ignore[attr-defined]
        root = self.node.getroottree().getroot()  # type: ignore[attr-defined]
        lanes = parser.lanes_for_document(root)
        # Tasks inside an embedded subprocess sit in the lane of the subprocess shape.
        for element in (self.node, *self.node.iterancestors()):  # type: ignore[attr-defined]
            lane = lanes.get(element.get("id") or "")
            if lane is not None:
                return lane
        return None


class KimflowTaskParser(_KimflowExtensions, CamundaTaskParser):
    """Parse a manual or service task and keep its Camunda attributes."""


class KimflowUserTaskParser(_KimflowExtensions, UserTaskParser):
    """Parse a user task with its camunda:formData form and assignment attributes."""


class KimflowBusinessRuleTaskParser(_KimflowExtensions, BusinessRuleTaskParser):
    """Parse a business rule task; a missing decisionRef is reported by validation, not a KeyError."""

    @staticmethod
    def get_decision_ref(node):
        return node.get(f"{{{CAMUNDA_MODEL_NS}}}decisionRef")


class KimflowParser(DecisionSupport, CamundaParser):
    """The one parser kimflow executes diagrams with."""

    OVERRIDE_PARSER_CLASSES = {
        **CamundaParser.OVERRIDE_PARSER_CLASSES,
        full_tag("userTask"): (KimflowUserTaskParser, UserTask),
        full_tag("manualTask"): (KimflowTaskParser, ManualTask),
        full_tag("serviceTask"): (KimflowTaskParser, ServiceTask),
        full_tag("businessRuleTask"): (KimflowBusinessRuleTaskParser, BUSINESS_RULE_TASK),
        # kimflow's message semantics (engine/messages.py): dict payloads merged into the catcher's data.
        **{full_tag(tag): (parser, CamundaParser.OVERRIDE_PARSER_CLASSES[full_tag(tag)][1])
           for tag, parser in MESSAGE_EVENT_PARSERS.items()},
    }

    def __init__(self, namespaces=None, validator=None):
        super().__init__(namespaces=namespaces, validator=validator)
        self._lanes_by_document: dict[int, dict[str, etree._Element]] = {}

    def lanes_for_document(self, root: etree._Element) -> dict[str, etree._Element]:
        """Return (and cache) the node-to-lane index of one document."""
        key = id(root)
        if key not in self._lanes_by_document:
            self._lanes_by_document[key] = lane_elements_by_node(root)
        return self._lanes_by_document[key]

    def _find_dependencies(self, process):
        super()._find_dependencies(process)
        self.dmn_dependencies.discard(None)
