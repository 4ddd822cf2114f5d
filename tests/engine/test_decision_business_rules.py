"""Business-rule tasks call any decision of a DMN graph and map its result the way Camunda does."""

from __future__ import annotations

import pytest
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow

from engine.bpmn.dialect import parse_bundle
from engine.bpmn.validation import validate_bundle

DMN = """<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d" name="d" namespace="urn:kf">
<decision id="months" name="months"><literalExpression id="l1"><text>residence_months</text></literalExpression>
</decision>
<decision id="eligible" name="eligible">
<informationRequirement id="r1"><requiredDecision href="#months"/></informationRequirement>
<decisionTable id="t" hitPolicy="{policy}"><input id="i" label="Aufenthalt"><inputExpression id="e">
<text>duration("P" + string(months) + "M")</text></inputExpression></input><output id="o"{name}/>
<rule id="a"><inputEntry id="a1"><text>&gt;= duration("P5Y")</text></inputEntry>
<outputEntry id="a2"><text>"ja"</text></outputEntry></rule>
<rule id="b"><inputEntry id="b1"><text>&gt;= duration("P1Y")</text></inputEntry>
<outputEntry id="b2"><text>"{cell}"</text></outputEntry></rule>
</decisionTable></decision></definitions>"""

BPMN = """<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
 xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="defs" targetNamespace="urn:kf">
<bpmn:process id="p" isExecutable="true"><bpmn:startEvent id="s"/>
<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="rule"/>
<bpmn:businessRuleTask id="rule" name="Prüfen" camunda:decisionRef="{ref}" {attributes}/>
<bpmn:sequenceFlow id="f2" sourceRef="rule" targetRef="e"/><bpmn:endEvent id="e"/></bpmn:process>
</bpmn:definitions>"""


def _run(data: dict, *, ref="eligible", attributes="", policy="FIRST", name="", cell="später") -> dict:
    bundle = parse_bundle({"p.bpmn": BPMN.format(ref=ref, attributes=attributes),
                           "d.dmn": DMN.format(policy=policy, name=name, cell=cell)})
    workflow = BpmnWorkflow(bundle.spec("p"))
    workflow.task_tree.data.update(data)
    workflow.do_engine_steps()
    return workflow.data if workflow.completed else {}


def test_an_unnamed_single_output_lands_under_the_decision_id():
    assert _run({"residence_months": 60})["eligible"] == "ja"


def test_a_named_output_lands_under_its_name():
    assert _run({"residence_months": 13}, name=' name="result"')["result"] == "später"


def test_a_required_decision_of_the_graph_can_be_called_directly():
    assert _run({"residence_months": 7}, ref="months")["months"] == 7


@pytest.mark.parametrize(("mapping", "expected"), [
    ("singleEntry", "ja"),
    ("singleResult", {"eligible": "ja"}),
    ("collectEntries", ["ja", "später"]),
    ("resultList", [{"eligible": "ja"}, {"eligible": "später"}]),
])
def test_map_decision_result_shapes_the_result_variable(mapping, expected):
    policy = "FIRST" if mapping.startswith("single") else "RULE ORDER"
    attributes = f'camunda:resultVariable="out" camunda:mapDecisionResult="{mapping}"'
    assert _run({"residence_months": 70}, attributes=attributes, policy=policy)["out"] == expected


def test_a_missing_input_counts_as_null_and_no_rule_matches():
    assert _run({}, name=' name="result"')["result"] is None


def test_single_entry_on_several_results_is_an_incident_naming_the_mapping():
    attributes = 'camunda:resultVariable="out" camunda:mapDecisionResult="singleEntry"'
    with pytest.raises(WorkflowTaskException, match="mapDecisionResult"):
        _run({"residence_months": 70}, attributes=attributes, policy="COLLECT")


def test_validation_names_decision_rule_and_column_of_a_feel_syntax_error():
    problems = validate_bundle({"d.dmn": DMN.format(policy="FIRST", name="", cell='" + ')})
    messages = [p.message for p in problems if p.severity == "error"]
    assert any(m.startswith("Entscheidung »eligible«, Regel 2, Spalte »o«") and "kein gültiges FEEL" in m
               for m in messages), messages
