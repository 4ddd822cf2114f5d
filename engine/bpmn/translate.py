"""Rewrite expressions in parsed XML before SpiffWorkflow reads it: JUEL and ISO timer values to Python,
FEEL (language="feel" or a leading `=`) checked and normalised to `=` + FEEL for kimflow's script engine."""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree

from engine.bpmn.expressions import (
    ExpressionError,
    check_timer_literal,
    compile_problem,
    is_feel,
    is_feel_language,
    juel_to_python,
    timer_to_python,
    to_feel,
)
from engine.bpmn.expressions import to_python_expression as juel
from engine.core.errors import Problem

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
_PYTHON_LANGUAGES = {None, "", "python", "http://www.python.org/", "text/x-python"}

# Elements whose text is a Python expression once translated (tag -> designer-facing name).
_EXPRESSION_ELEMENTS = {
    "conditionExpression": "Bedingung",
    "completionCondition": "Abschlussbedingung",
    "loopCondition": "Schleifenbedingung",
    "loopCardinality": "Anzahl der Instanzen",
    "condition": "Bedingung",
}
_TIMER_ELEMENTS = ("timeDuration", "timeDate", "timeCycle")


def _owner_id(element: etree._Element) -> str | None:
    """Return the id of the nearest element (itself or an ancestor) that has one."""
    for node in (element, *element.iterancestors()):
        # Designers select the event, not its event definition.
        if node.get("id") and not etree.QName(node).localname.endswith("EventDefinition"):
            return node.get("id")
    return None


class _Translator:
    """Collect problems while rewriting one document in place."""

    def __init__(self, filename: str):
        self.filename = filename
        self.problems: list[Problem] = []

    def problem(self, element: etree._Element, message: str) -> None:
        self.problems.append(Problem(message, file=self.filename, element_id=_owner_id(element),
                                     line=element.sourceline))

    def rewrite_text(self, element: etree._Element, translate: Callable[[str], str | None],
                     what: str, check: Callable[[str, str], str | None] = compile_problem) -> str | None:
        original = element.text
        if original is None or not original.strip():
            return None
        try:
            translated = translate(original)
        except ExpressionError as exc:
            self.problem(element, f"{what}: {exc}")
            return None
        if translated is None:
            return None
        message = check(translated, original)
        if message:
            self.problem(element, f"{what}: {message}")
            return None
        element.text = translated
        return translated

    def bpmn(self, root: etree._Element) -> None:
        for element in root.iter(etree.Element):
            if not isinstance(element.tag, str) or not element.tag.startswith(f"{{{BPMN_NS}}}"):
                continue
            local = etree.QName(element).localname
            if local in _EXPRESSION_ELEMENTS:
                self.expression(element, _EXPRESSION_ELEMENTS[local])
            elif local in _TIMER_ELEMENTS:
                self.timer(element, local)
            elif local == "multiInstanceLoopCharacteristics":
                self.collection(element)
            elif local == "messageEventDefinition":
                self.attribute_expression(element, "expression")

    def feel(self, element: etree._Element, what: str) -> None:
        """Check FEEL text at deploy and store it as `=` + FEEL."""
        try:
            element.text = to_feel(element.text or "")
        except ExpressionError as exc:
            self.problem(element, f"{what}: {exc}")

    def expression(self, element: etree._Element, what: str) -> None:
        language = element.get("language")
        if is_feel_language(language) or is_feel(element.text):
            self.feel(element, what)
            return
        if language not in _PYTHON_LANGUAGES:
            self.problem(element, f"{what}: Die Ausdruckssprache »{language}« wird nicht unterstützt; "
                                  "bitte FEEL, ${...} oder Python verwenden.")
            return
        self.rewrite_text(element, juel, what)

    def timer(self, element: etree._Element, kind: str) -> None:
        if is_feel_language(element.get("language")) or is_feel(element.text):
            self.feel(element, "Timer")
            return
        translated = self.rewrite_text(element, timer_to_python, "Timer")
        if translated is None and (element.text is None or not element.text.strip()):
            self.problem(element, "Timer: Es ist kein Zeitwert angegeben.")
            return
        if translated is not None:
            message = check_timer_literal(translated, kind)
            if message:
                self.problem(element, f"Timer: {message}")

    def collection(self, element: etree._Element) -> None:
        key = f"{{{CAMUNDA_NS}}}collection"
        value = element.get(key)
        if value is None:
            return
        try:
            translated = value.strip()[1:].strip() if is_feel(value) else juel_to_python(value, marked=False)
        except ExpressionError as exc:
            self.problem(element, f"Sammlung der Mehrfachinstanz: {exc}")
            return
        if not translated.isidentifier():
            self.problem(element, f"Sammlung der Mehrfachinstanz: »{value}« muss der Name einer "
                                  "Prozessvariable sein, z. B. ${antraege}.")
            return
        element.set(key, translated)

    def attribute_expression(self, element: etree._Element, name: str) -> None:
        key = f"{{{CAMUNDA_NS}}}{name}"
        value = element.get(key)
        if value is None:
            return
        try:
            translated = to_feel(value) if is_feel(value) else juel(value) or ""
        except ExpressionError as exc:
            self.problem(element, str(exc))
            return
        if is_feel(translated):
            element.set(key, translated)
            return
        message = compile_problem(translated, value)
        if message:
            self.problem(element, message)
        else:
            element.set(key, translated)


def translate_bpmn(root: etree._Element, filename: str) -> list[Problem]:
    """Rewrite conditions, timers, loop expressions and message payloads of a BPMN document to Python."""
    translator = _Translator(filename)
    translator.bpmn(root)
    return translator.problems


def translate_dmn(root: etree._Element, filename: str) -> list[Problem]:
    """Leave DMN documents as written: kimflow's decision engine evaluates their FEEL directly."""
    return []
