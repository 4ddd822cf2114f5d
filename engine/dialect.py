"""The BPMN/DMN dialect kimflow executes (first cut; see docs/ARCHITECTURE.md for the contract)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.camunda.parser.CamundaParser import CamundaParser

from engine.errors import DefinitionError, Problem

CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"


@dataclass
class HumanTaskMeta:
    office: str | None
    candidate_groups: list[str]
    candidate_users: list[str]
    assignee: str | None
    due_date: str | None
    follow_up_date: str | None
    priority: str | None


class ParsedBundle:
    def __init__(self, parser: CamundaParser, process_ids: list[str]):
        self._parser = parser
        self.process_ids = process_ids

    def spec(self, process_id: str):
        return self._parser.get_spec(process_id)

    def subprocess_specs(self, process_id: str) -> dict:
        return self._parser.get_subprocess_specs(process_id)

    def process_name(self, process_id: str) -> str:
        return self._parser.get_process_parser(process_id).get_name() or process_id


def parse_bundle(files: Mapping[str, bytes | str], *, known_offices: Collection[str] | None = None) -> ParsedBundle:
    parser = CamundaParser()
    problems: list[Problem] = []
    for name, content in files.items():
        data = content.encode() if isinstance(content, str) else content
        try:
            tree = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
            if name.endswith(".dmn"):
                parser.add_dmn_xml(tree, filename=name)
            else:
                parser.add_bpmn_xml(tree, filename=name)
        except (etree.XMLSyntaxError, ValidationException) as exc:
            problems.append(Problem(str(exc), file=name))
    if problems:
        raise DefinitionError(problems)
    ids = [pid for pid, pp in parser.process_parsers.items() if pp.bpmn_id == pid]
    try:
        for pid in ids:
            parser.get_spec(pid)
            parser.get_subprocess_specs(pid)
    except ValidationException as exc:
        raise DefinitionError([Problem(str(exc), file=getattr(exc, "file_name", None),
                                       element_id=getattr(exc, "id", None))])
    return ParsedBundle(parser, ids)


def human_task_meta(task_spec) -> HumanTaskMeta | None:
    if not getattr(task_spec, "manual", False):
        return None
    ext = getattr(task_spec, "extensions", {}) or {}
    groups = [g.strip() for g in (ext.get("candidateGroups") or "").split(",") if g.strip()]
    office = groups[0] if groups else task_spec.lane
    return HumanTaskMeta(office, groups, [], None, None, None, None)


def service_topic(task_spec) -> str | None:
    ext = getattr(task_spec, "extensions", {}) or {}
    return ext.get("topic") or task_spec.bpmn_id
