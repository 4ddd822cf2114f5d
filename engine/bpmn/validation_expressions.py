"""Refuse at deploy every designer expression the sandbox's allow-list would refuse at run time.

Runs on the translated document (JUEL and ISO timers already rewritten to the Python the engine will
evaluate): conditions, loop and completion expressions, timers, message payloads, and the task
attributes evaluated when a task is created (assignee, candidate users and groups, due and follow-up
date, priority). FEEL (`=...`) is not Python and is checked by its own parser; script tasks are checked
with the rest of a task's rules (validation_rules.Checker.scripts).
"""

from __future__ import annotations

import ast
from collections.abc import Collection, Iterator

from lxml import etree

from engine.bpmn.expressions import is_feel
from engine.bpmn.script_policy import check_tree
from engine.core.errors import Problem

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
_TEXT_EXPRESSIONS = {
    "conditionExpression": "Bedingung", "completionCondition": "Abschlussbedingung",
    "loopCondition": "Schleifenbedingung", "loopCardinality": "Anzahl der Instanzen", "condition": "Bedingung",
    "timeDuration": "Timer", "timeDate": "Timer", "timeCycle": "Timer",
}
_TASK_ATTRIBUTES = {
    "assignee": "Bearbeiter", "candidateUsers": "Kandidaten", "candidateGroups": "Kandidatengruppen",
    "dueDate": "Fälligkeit", "followUpDate": "Wiedervorlage", "priority": "Priorität",
}
_LISTS = ("candidateUsers", "candidateGroups")  # comma-separated, each part evaluated on its own
_HUMAN_TASKS = ("userTask", "manualTask")


def _owner(element: etree._Element) -> etree._Element:
    for node in (element, *element.iterancestors()):
        if node.get("id") and not etree.QName(node).localname.endswith("EventDefinition"):
            return node
    return element


def _label(element: etree._Element) -> str:
    owner = _owner(element)
    return f"»{(owner.get('name') or '').strip() or owner.get('id')}«"


def _violations(source: str) -> list[str]:
    """Return the policy's messages for a Python expression; text that does not parse cannot run at all."""
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except (SyntaxError, ValueError):
        return []  # syntax is reported by the translation, or fails harmlessly as an incident
    return [message for _line, message in check_tree(tree)]


def _attribute_expressions(name: str, value: str) -> Iterator[str]:
    """Yield the Python the engine evaluates for a task attribute: the inside of each `${...}`."""
    parts = [part.strip() for part in value.split(",")] if name in _LISTS else [value.strip()]
    for part in parts:
        if part.startswith("${") and part.endswith("}"):
            yield part[2:-1]


def check_expressions(root: etree._Element, filename: str, skip: Collection[str | None] = frozenset()) -> list[Problem]:
    """Return one German problem per refused expression, naming the element it belongs to."""
    problems: list[Problem] = []

    def report(element: etree._Element, what: str, source: str) -> None:
        owner = _owner(element)
        if owner.get("id") in skip:
            return
        for message in _violations(source):
            problems.append(Problem(f"{what} von {_label(element)}: {message}", file=filename,
                                    element_id=owner.get("id"), line=element.sourceline))

    for element in root.iter(f"{{{BPMN_NS}}}*"):
        local = etree.QName(element).localname
        what = _TEXT_EXPRESSIONS.get(local)
        if what and element.text and element.text.strip() and not is_feel(element.text):
            report(element, what, element.text)
        elif local == "messageEventDefinition":
            payload = element.get(f"{{{CAMUNDA_NS}}}expression")
            if payload and not is_feel(payload):
                report(element, "Nachrichteninhalt", payload)
        elif local in _HUMAN_TASKS:
            for name, label in _TASK_ATTRIBUTES.items():
                for source in _attribute_expressions(name, element.get(f"{{{CAMUNDA_NS}}}{name}") or ""):
                    report(element, label, source)
    return problems
