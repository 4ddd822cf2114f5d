"""Differences between two versions of a process: elements added, removed and changed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.task_spec import BpmnTaskSpecConverter
from SpiffWorkflow.bpmn.specs.defaults import ServiceTask
from SpiffWorkflow.bpmn.util.diff import SpecDiff
from SpiffWorkflow.camunda.serializer import DEFAULT_CONFIG

from engine.bpmn.business_rules import SPEC_CONVERTERS
from engine.bpmn.dialect import parse_bundle
from engine.bpmn.xmlsafe import parse_xml

# The Camunda config lacks the plain ServiceTask (see ARCHITECTURE.md, dialect caveat).
REGISTRY = BpmnWorkflowSerializer.configure({**DEFAULT_CONFIG, ServiceTask: BpmnTaskSpecConverter,
                                             **SPEC_CONVERTERS})
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"

# What changed in an element, by code (the keys below), worded in German for the command line; screens word the
# codes in the user's language.
LABELS = {
    "outputs": "ausgehende Flüsse", "inputs": "eingehende Flüsse", "cond_task_specs": "Bedingungen",
    "default_task_spec": "Standardfluss", "event_definition": "Ereignis (Timer, Nachricht, Fehler)",
    "extensions": "Eigenschaften (Zuständigkeit, Fristen, Priorität, Formular)", "form": "Formular",
    "script": "Skript", "bpmn_name": "Name", "lane": "Lane / Stelle", "bpmn_id": "ID",
    "typename": "Elementtyp", "documentation": "Dokumentation", "condition": "Bedingung",
    "source": "Quelle", "target": "Ziel", "cancel_activity": "unterbrechend",
}


KINDS = {
    "UserTask": "Aufgabe", "ManualTask": "Aufgabe", "ServiceTask": "Automatischer Schritt",
    "ScriptTask": "Skript", "BusinessRuleTask": "Entscheidung", "SendTask": "Nachricht senden",
    "ReceiveTask": "Nachricht empfangen", "ExclusiveGateway": "Verzweigung", "ParallelGateway": "Parallelisierung",
    "InclusiveGateway": "Verzweigung (mehrere Wege)", "EventBasedGateway": "Warten auf ein Ereignis",
    "StartEvent": "Start", "EndEvent": "Ende", "IntermediateCatchEvent": "Zwischenereignis",
    "IntermediateThrowEvent": "Zwischenereignis", "BoundaryEvent": "Randereignis (Frist, Nachricht)",
    "SubWorkflowTask": "Teilprozess", "CallActivity": "Aufgerufener Prozess", "SequenceFlow": "Verbindung",
}


@dataclass
class DiffEntry:
    """One element of the diagram and what happened to it (changes: codes of LABELS)."""

    element_id: str
    name: str
    kind: str
    changes: list[str] = field(default_factory=list)
    renamed_from: str | None = None  # the element's id in the old version when it changed
    flow_ends: tuple[str, str] | None = None  # an unnamed flow's source and target names (its name says them)

    @property
    def kind_label(self) -> str:
        return KINDS.get(self.kind, "Element")

    @property
    def details(self) -> list[str]:
        """Return the changes in German words."""
        words = [LABELS.get(code, code) for code in self.changes]
        return words + ([f"vorher »{self.renamed_from}«"] if self.renamed_from else [])

    def as_dict(self) -> dict:
        return {"element_id": self.element_id, "name": self.name, "kind": self.kind, "kind_label": self.kind_label,
                "details": self.details, "changes": list(self.changes), "renamed_from": self.renamed_from,
                "flow_ends": list(self.flow_ends) if self.flow_ends else None}


@dataclass
class VersionDiff:
    """What changed from one version to the next, by element id (new ids for added and changed)."""

    added: list[DiffEntry] = field(default_factory=list)
    removed: list[DiffEntry] = field(default_factory=list)
    changed: list[DiffEntry] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def as_dict(self) -> dict:
        return {key: [entry.as_dict() for entry in getattr(self, key)] for key in ("added", "removed", "changed")}


def _entry(spec, changes: list[str] | None = None, renamed_from: str | None = None) -> DiffEntry:
    return DiffEntry(spec.bpmn_id, spec.bpmn_name or spec.bpmn_id, type(spec).__name__, changes or [], renamed_from)


def _diff_specs(old, new, result: VersionDiff) -> None:
    diff = SpecDiff(REGISTRY, old, new)
    result.added += [_entry(spec) for spec in diff.added if spec.bpmn_id]
    result.removed += [_entry(spec) for spec in diff.removed if spec.bpmn_id]
    for spec, keys in diff.changed.items():
        target = diff.alignment.get(spec)
        if not spec.bpmn_id or target is None or not target.bpmn_id:
            continue
        changes = [key for key in keys if key != "name"]
        renamed_from = spec.bpmn_id if spec.bpmn_id != target.bpmn_id else None
        result.changed.append(_entry(target, changes, renamed_from))


def diff_versions(old_files: Mapping[str, str], new_files: Mapping[str, str], process_id: str) -> VersionDiff:
    """Compare a process in two bundles: its own elements, its subprocesses and its sequence flows."""
    old_bundle, new_bundle = parse_bundle(old_files), parse_bundle(new_files)
    result = VersionDiff()
    _diff_specs(old_bundle.spec(process_id), new_bundle.spec(process_id), result)
    old_subs, new_subs = old_bundle.subprocess_specs(process_id), new_bundle.subprocess_specs(process_id)
    for name, spec in new_subs.items():
        if name in old_subs:
            _diff_specs(old_subs[name], spec, result)
    _diff_flows(_flows(old_files, process_id), _flows(new_files, process_id), result)
    return result


def _process_element(files: Mapping[str, str], process_id: str):
    for name, text in files.items():
        if not name.endswith(".bpmn"):
            continue
        root = parse_xml(text.encode() if isinstance(text, str) else text, name)
        for process in root.iter(f"{BPMN}process"):
            if process.get("id") == process_id:
                return process
    return None


def _flows(files: Mapping[str, str], process_id: str) -> dict[str, tuple[str, str, str, str, tuple | None]]:
    """Return the sequence flows of this one process (and its embedded subprocesses), named for people."""
    process = _process_element(files, process_id)
    if process is None:
        return {}
    names = {node.get("id"): node.get("name") or node.get("id") for node in process.iter() if node.get("id")}
    flows = {}
    for flow in process.iter(f"{BPMN}sequenceFlow"):
        condition = flow.find(f"{BPMN}conditionExpression")
        text_of = (condition.text or "").strip() if condition is not None else ""
        source, target = flow.get("sourceRef") or "", flow.get("targetRef") or ""
        ends = None if flow.get("name") else (names.get(source, source), names.get(target, target))
        label = flow.get("name") or f"Fluss von »{ends[0]}« nach »{ends[1]}«"  # type: ignore[index]
        flows[flow.get("id")] = (label, source, target, text_of, ends)
    return flows


def _diff_flows(old: dict, new: dict, result: VersionDiff) -> None:
    for flow_id, (name, *_rest, ends) in new.items():
        if flow_id not in old:
            result.added.append(DiffEntry(flow_id, name, "SequenceFlow", flow_ends=ends))
    for flow_id, (name, *_rest, ends) in old.items():
        if flow_id not in new:
            result.removed.append(DiffEntry(flow_id, name, "SequenceFlow", flow_ends=ends))
    for flow_id, values in new.items():
        before = old.get(flow_id)
        if before is None or before[:4] == values[:4]:
            continue
        changes = [key for key, a, b in zip(("bpmn_name", "source", "target", "condition"), before[:4], values[:4],
                                            strict=True) if a != b]
        result.changed.append(DiffEntry(flow_id, values[0], "SequenceFlow", changes, flow_ends=values[4]))


__all__ = ["DiffEntry", "VersionDiff", "diff_versions"]
