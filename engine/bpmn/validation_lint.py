"""Lint warnings in the spirit of bpmnlint: legal diagrams that are probably not what was meant."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Protocol

from lxml import etree

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
CAMUNDA = "{http://camunda.org/schema/1.0/bpmn}"
_NEEDS_NO_INCOMING = ("startEvent", "boundaryEvent")
_NEEDS_NO_OUTGOING = ("endEvent",)


class _Document(Protocol):
    def elements(self, *names: str) -> Iterator[etree._Element]: ...
    def add(self, element: etree._Element, message: str, severity: str = "error") -> None: ...


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname


def lint_document(doc: _Document, *, flow_nodes: Iterable[str],
                  label: Callable[[etree._Element], str]) -> None:
    """Add warnings for dangling nodes, unlabeled splits, several blank starts and formless user tasks."""
    _dangling(doc, tuple(flow_nodes), label)
    _unlabeled_splits(doc, label)
    _blank_starts(doc)
    _formless_user_tasks(doc, label)


def _dangling(doc: _Document, flow_nodes: tuple[str, ...], label: Callable[[etree._Element], str]) -> None:
    sources, targets = set(), set()
    for flow in doc.elements("sequenceFlow"):
        sources.add(flow.get("sourceRef"))
        targets.add(flow.get("targetRef"))
    for node in doc.elements(*flow_nodes):
        kind = _local(node)
        in_adhoc = _local(node.getparent()) == "adHocSubProcess"
        in_event_subprocess = node.getparent().get("triggeredByEvent") == "true"
        # Event subprocesses and compensation handlers are started by events, not by flows.
        if in_adhoc or node.get("isForCompensation") == "true" or node.get("triggeredByEvent") == "true":
            continue
        if kind not in _NEEDS_NO_INCOMING and node.get("id") not in targets and not in_event_subprocess:
            doc.add(node, f"{label(node)} hat keinen eingehenden Sequenzfluss und wird nie erreicht.",
                    "warning")
        if kind not in _NEEDS_NO_OUTGOING and node.get("id") not in sources:
            doc.add(node, f"{label(node)} hat keinen ausgehenden Sequenzfluss; der Pfad endet ohne "
                          "Endereignis.", "warning")


def _unlabeled_splits(doc: _Document, label: Callable[[etree._Element], str]) -> None:
    outgoing: dict[str | None, int] = {}
    for flow in doc.elements("sequenceFlow"):
        outgoing[flow.get("sourceRef")] = outgoing.get(flow.get("sourceRef"), 0) + 1
    for gateway in doc.elements("exclusiveGateway"):
        if outgoing.get(gateway.get("id"), 0) > 1 and not (gateway.get("name") or "").strip():
            doc.add(gateway, f"Das Gateway {label(gateway)} verzweigt, hat aber keine Beschriftung "
                             "(z. B. eine Frage).", "warning")


def _blank_starts(doc: _Document) -> None:
    for container in doc.elements("process", "subProcess"):
        blank = [start for start in container.findall(f"{BPMN}startEvent")
                 if not any(isinstance(child.tag, str) and child.tag.endswith("EventDefinition")
                            for child in start)]
        if len(blank) > 1:
            doc.add(blank[1], f"Es gibt {len(blank)} Startereignisse ohne Auslöser; unklar, wo der Prozess "
                              "beginnt.", "warning")


def _formless_user_tasks(doc: _Document, label: Callable[[etree._Element], str]) -> None:
    for task in doc.elements("userTask"):
        if task.find(f".//{CAMUNDA}formField") is not None:
            continue
        if task.get(f"{CAMUNDA}formKey"):
            doc.add(task, f"Benutzeraufgabe {label(task)}: Externe Formulare (formKey) werden nicht "
                          "unterstützt; die Aufgabe hat keine Formularfelder.", "warning")
        else:
            doc.add(task, f"Benutzeraufgabe {label(task)} hat kein Formular.", "warning")
