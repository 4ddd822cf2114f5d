"""Sandboxed scripts and expressions behave like SpiffWorkflow's own engine for ordinary BPMN."""

from __future__ import annotations

from datetime import date, timedelta
from xml.sax.saxutils import escape

import pytest
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnParser
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from engine.runtime.sandbox import SandboxedScriptEngine, SandboxViolation, check_script

_HEAD = ('<?xml version="1.0" encoding="UTF-8"?>'
         '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
         'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="defs" targetNamespace="test">'
         '<bpmn:process id="proc" isExecutable="true">')
_SCRIPT_PROCESS = _HEAD + """
  <bpmn:startEvent id="begin"/>
  <bpmn:sequenceFlow id="f1" sourceRef="begin" targetRef="calc"/>
  <bpmn:scriptTask id="calc" name="Berechnen" scriptFormat="python"><bpmn:script>{script}</bpmn:script>
  </bpmn:scriptTask>
  <bpmn:sequenceFlow id="f2" sourceRef="calc" targetRef="finish"/>
  <bpmn:endEvent id="finish"/>
</bpmn:process></bpmn:definitions>"""
_GATEWAY_PROCESS = _HEAD + """
  <bpmn:startEvent id="begin"/>
  <bpmn:sequenceFlow id="f1" sourceRef="begin" targetRef="check"/>
  <bpmn:exclusiveGateway id="check" default="no"/>
  <bpmn:sequenceFlow id="yes" sourceRef="check" targetRef="adult">
    <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{condition}</bpmn:conditionExpression>
  </bpmn:sequenceFlow>
  <bpmn:sequenceFlow id="no" sourceRef="check" targetRef="minor"/>
  <bpmn:endEvent id="adult"/>
  <bpmn:endEvent id="minor"/>
</bpmn:process></bpmn:definitions>"""


def _run(xml: str, data: dict | None, engine: SandboxedScriptEngine) -> BpmnWorkflow:
    parser = BpmnParser()
    parser.add_bpmn_str(xml.encode())
    workflow = BpmnWorkflow(parser.get_spec("proc"), script_engine=engine)
    workflow.task_tree.data.update(data or {})
    workflow.do_engine_steps()
    return workflow


def run_script(script: str, data: dict | None = None, *, functions: dict | None = None,
               time_limit: float = 1.0) -> dict:
    """Run `script` as the only script task of a real workflow and return the data at its end."""
    engine = SandboxedScriptEngine(functions, time_limit=time_limit)
    workflow = _run(_SCRIPT_PROCESS.format(script=escape(script)), data, engine)
    assert workflow.completed
    return workflow.last_task.data


def reached_end(condition: str, data: dict) -> str:
    """Run a gateway on `condition` and return the id of the end event it chose."""
    workflow = _run(_GATEWAY_PROCESS.format(condition=escape(condition)), data, SandboxedScriptEngine())
    assert workflow.completed
    ends = [t.task_spec.bpmn_id for t in workflow.get_tasks(state=TaskState.COMPLETED)]
    return next(end for end in ("adult", "minor") if end in ends)


def test_script_assignments_land_in_task_data():
    data = run_script("total = price * count\nlabel = 'Summe: ' + str(total)", {"price": 3, "count": 4})
    assert data["total"] == 12
    assert data["label"] == "Summe: 12"


def test_loops_and_comprehensions_run_normally():
    script = ("squares = [n * n for n in range(5) if n % 2 == 0]\n"
              "lookup = {k: v for k, v in zip('abc', range(3))}\n"
              "acc = 0\n"
              "while acc < 10:\n    acc += 3\n"
              "for i, name in enumerate(names):\n    acc += len(name) * i\n"
              "def twice(x):\n    return x * 2\n"
              "doubled = sorted(map_ for map_ in (twice(n) for n in range(3)))\n"
              "mapped = max(range(4), key=lambda n: -n)")
    data = run_script(script, {"names": ["Ali", "Mia"]})
    assert data["squares"] == [0, 4, 16]
    assert data["lookup"] == {"a": 0, "b": 1, "c": 2}
    assert data["acc"] == 12 + 3
    assert data["doubled"] == [0, 2, 4]
    assert data["mapped"] == 0


def test_scripts_do_date_arithmetic_with_date_and_timedelta():
    data = run_script("deadline = start + timedelta(days=14)\nweekday = deadline.weekday()\n"
                      "label = f'{deadline:%d.%m.%Y}'", {"start": date(2024, 3, 1)})
    assert data["deadline"] == date(2024, 3, 15)
    assert data["weekday"] == 4
    assert data["label"] == "15.03.2024"


def test_registered_functions_are_callable_but_not_copied_into_task_data():
    def add_working_days(start: date, days: int) -> date:
        return start + timedelta(days=days)

    data = run_script("due = add_working_days(start, 3)", {"start": date(2024, 3, 1)},
                      functions={"add_working_days": add_working_days})
    assert data["due"] == date(2024, 3, 4)
    assert "add_working_days" not in data
    assert "__builtins__" not in data


def test_task_data_that_shadows_a_registered_function_is_refused():
    with pytest.raises(WorkflowTaskException, match="overwrites a predefined"):
        run_script("x = 1", {"today": "heute"}, functions={"today": date.today})


def test_gateway_conditions_are_evaluated_in_the_sandbox():
    condition = "age >= 18 and status == 'anerkannt'"
    assert reached_end(condition, {"age": 30, "status": "anerkannt"}) == "adult"
    assert reached_end(condition, {"age": 12, "status": "anerkannt"}) == "minor"


def test_gateway_condition_reaching_for_internals_fails_the_workflow():
    with pytest.raises(WorkflowTaskException, match="nicht erlaubt"):
        reached_end("age.__class__ is int", {"age": 30})


def test_expression_sees_external_context_like_dmn_input():
    engine = SandboxedScriptEngine()
    assert engine.environment.evaluate("dmninputexpr < 5", {}, {"dmninputexpr": 3}) is True


def test_failing_script_raises_workflow_task_exception_with_element_and_line():
    with pytest.raises(WorkflowTaskException) as caught:
        run_script("a = 1\nb = a / 0", {})
    assert caught.value.task.task_spec.bpmn_id == "calc"
    assert caught.value.line_number == 2
    assert caught.value.error_line == "b = a / 0"
    assert "ZeroDivisionError" in str(caught.value)


def test_key_error_with_non_string_key_is_reported_not_crashing_the_wrapper():
    with pytest.raises(WorkflowTaskException, match="KeyError: 7"):
        run_script("x = lookup[7]", {"lookup": {}})


def test_refused_script_leaves_task_data_untouched():
    engine = SandboxedScriptEngine()
    data = {"a": 1}
    with pytest.raises(SandboxViolation):
        engine.environment.execute("b = 2\nimport os", data)
    assert data == {"a": 1}


def test_check_script_accepts_clean_scripts_and_names_each_violation_with_its_line():
    assert check_script("x = [i for i in range(3)]\ny = type_ == 'x'") == []
    problems = check_script("x = 1\nimport os\ny = x.__class__")
    assert len(problems) == 2
    assert problems[0].startswith("Zeile 2: Importe sind nicht erlaubt")
    assert problems[1].startswith("Zeile 3: Attribut '.__class__'")


def test_check_script_reports_syntax_errors_and_checks_expressions():
    assert check_script("x = (", expression=False)[0].startswith("Zeile 1: Syntaxfehler")
    assert check_script("age >= 18", expression=True) == []
    assert check_script("x = 1", expression=True)[0].startswith("Zeile 1: Syntaxfehler")


def test_validate_raises_syntax_error_for_dmn_fragments_and_violation_for_escapes():
    engine = SandboxedScriptEngine()
    with pytest.raises(SyntaxError):
        engine.validate("< 5")
    with pytest.raises(SandboxViolation):
        engine.validate("().__class__")
    engine.validate("v < 5")


def test_registering_a_function_under_a_forbidden_name_is_refused():
    with pytest.raises(ValueError, match="open"):
        SandboxedScriptEngine({"open": lambda: None})


def test_time_limit_must_be_positive():
    with pytest.raises(ValueError):
        SandboxedScriptEngine(time_limit=0)
