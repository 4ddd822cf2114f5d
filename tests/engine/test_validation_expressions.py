"""Deploy refuses every designer expression the sandbox's allow-list would refuse, naming its element."""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

import pytest

from engine.bpmn.validation import validate_bundle
from engine.core.errors import DefinitionError
from engine.service.engine import ProcessEngine
from engine.store.models import DefinitionVersion
from tests.engine.test_validation import FORM, _flow, _linear, _process

UNSAFE = "().__class__.__bases__[0].__subclasses__()"


def _errors(xml: str) -> list:
    return [p for p in validate_bundle({"p.bpmn": xml}) if p.severity == "error"]


def _user_task(attribute: str, value: str) -> str:
    return _process(_linear(f'<bpmn:userTask id="m" name="Prüfen" camunda:{attribute}={quoteattr(value)}>'
                            f"{FORM}</bpmn:userTask>"))


def _gateway(condition: str) -> str:
    return _process('<bpmn:startEvent id="s"/>' + _flow("f1", "s", "gw")
                    + '<bpmn:exclusiveGateway id="gw" name="Volljährig?" default="nein"/>'
                    + _flow("ja", "gw", "e1", condition) + _flow("nein", "gw", "e2")
                    + '<bpmn:endEvent id="e1"/><bpmn:endEvent id="e2"/>')


def _timer(value: str) -> str:
    return _process(_linear('<bpmn:intermediateCatchEvent id="m" name="Warten"><bpmn:timerEventDefinition>'
                            f"<bpmn:timeDuration>{value}</bpmn:timeDuration></bpmn:timerEventDefinition>"
                            "</bpmn:intermediateCatchEvent>"))


def _message_payload(expression: str) -> str:
    return _process(_linear('<bpmn:intermediateThrowEvent id="m" name="Melden"><bpmn:messageEventDefinition '
                            f'messageRef="msg" camunda:expression={quoteattr(expression)}/>'
                            "</bpmn:intermediateThrowEvent>"),
                    extra='<bpmn:message id="msg" name="meldung"/>')


def _script(script: str) -> str:
    return _process(_linear(f'<bpmn:scriptTask id="m" name="Rechnen" scriptFormat="python">'
                            f"<bpmn:script>{script}</bpmn:script></bpmn:scriptTask>"))


def _multi_instance(cardinality: str) -> str:
    return _process(_linear(f'<bpmn:userTask id="m" name="Prüfen">{FORM}<bpmn:multiInstanceLoopCharacteristics>'
                            f"<bpmn:loopCardinality>{cardinality}</bpmn:loopCardinality>"
                            "</bpmn:multiInstanceLoopCharacteristics></bpmn:userTask>"))


PLACES = [
    ("gateway condition", _gateway(UNSAFE), "ja", "Bedingung von »ja«"),
    ("condition calling getattr", _gateway("getattr(age, 'real') > 1"), "ja", "Bedingung von »ja«"),
    ("timer", _timer("'P' + str(().__class__)"), "m", "Timer von »Warten«"),
    ("message payload", _message_payload("{'a': ().__class__}"), "m", "Nachrichteninhalt von »Melden«"),
    ("loop cardinality", _multi_instance("len(().__class__.__mro__)"), "m", "Anzahl der Instanzen von »Prüfen«"),
    ("assignee", _user_task("assignee", "${" + UNSAFE + "}"), "m", "Bearbeiter von »Prüfen«"),
    ("candidate users", _user_task("candidateUsers", "anna, ${[b for b in ().__class__.__mro__]}"), "m",
     "Kandidaten von »Prüfen«"),
    ("candidate groups", _user_task("candidateGroups", "kim_cm,${(lambda: 0).__globals__}"), "m",
     "Kandidatengruppen von »Prüfen«"),
    ("due date", _user_task("dueDate", "${'P' + str(10 ** 10 ** 8) + 'D'}"), "m", "Fälligkeit von »Prüfen«"),
    ("follow-up date", _user_task("followUpDate", "${open('/etc/passwd')}"), "m", "Wiedervorlage von »Prüfen«"),
    ("priority", _user_task("priority", "${__import__('os')}"), "m", "Priorität von »Prüfen«"),
    ("script task", _script("x = 1\nimport os"), "m", "Skriptaufgabe »Rechnen«"),
]


def _decision(cell: str) -> str:
    return ('<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d" name="d" namespace="x">'
            '<decision id="frist" name="Frist"><decisionTable id="t1">'
            '<input id="i" label="Tage"><inputExpression><text>n</text></inputExpression></input>'
            '<output id="o" name="o"/><rule id="r"><inputEntry id="e"><text>-</text></inputEntry>'
            f"<outputEntry id=\"x\"><text>{cell}</text></outputEntry></rule></decisionTable></decision>"
            "</definitions>")


@pytest.mark.parametrize("cell", ["count(for i in 1..n return i)", "count(for i in 1..100000000 return i)",
                                  "count(for i in 1..1000 return for j in 1..1000 return j)"])
def test_a_dmn_cell_looping_over_an_unbounded_range_is_refused_naming_the_rule(cell):
    [error] = [p for p in validate_bundle({"x.dmn": _decision(cell)}) if p.severity == "error"]
    assert (error.element_id, error.file) == ("x", "x.dmn")
    assert "Frist" in error.message and "Regel 1" in error.message and "Schleife" in error.message


def test_a_dmn_cell_with_a_small_fixed_loop_or_a_loop_over_data_is_accepted():
    for cell in ("count(for i in 1..100 return i)", "for x in antraege return x * 2"):
        assert [p for p in validate_bundle({"x.dmn": _decision(cell)}) if p.severity == "error"] == []


def test_a_feel_condition_looping_over_an_unbounded_range_is_refused_naming_the_flow():
    [error] = _errors(_gateway("= count(for i in 1..anzahl return i) > 3"))
    assert error.element_id == "ja" and "Schleife" in error.message


@pytest.mark.parametrize(("place", "xml", "element", "words"), PLACES, ids=[p[0] for p in PLACES])
def test_an_unsafe_expression_is_refused_at_validation_naming_its_element(place, xml, element, words):
    errors = _errors(xml)
    assert errors, place
    assert all(error.element_id == element for error in errors)
    assert any(words in error.message for error in errors), errors


@pytest.mark.parametrize("xml", [
    _gateway("age >= 18 and status == 'anerkannt'"), _gateway("${age >= 18}"), _timer("P14D"),
    _user_task("assignee", "${case_manager}"), _user_task("dueDate", "${frist}"),
    _user_task("candidateUsers", "anna,${reviewers}"), _user_task("priority", "${eilig ? 80 : 50}"),
    _message_payload("{'fall': case_id}"), _multi_instance("len(antraege)"),
])
def test_ordinary_expressions_pass(xml):
    assert _errors(xml) == []


@pytest.mark.parametrize(("place", "xml", "element", "words"), [PLACES[0], PLACES[5], PLACES[8]],
                         ids=["condition", "assignee", "due date"])
def test_deploy_refuses_the_unsafe_expression_and_stores_nothing(db, extensions, system, place, xml, element, words):
    engine = ProcessEngine(db, extensions)
    with pytest.raises(DefinitionError) as refused:
        engine.deploy({"p.bpmn": xml}, actor=system)
    assert any(p.element_id == element and words in p.message for p in refused.value.problems)
    with db.reading() as session:
        assert session.query(DefinitionVersion).count() == 0
