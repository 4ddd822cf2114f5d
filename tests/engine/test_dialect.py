"""The Camunda dialect: diagrams from Camunda Modeler run as drawn, with the facts SpiffWorkflow ignores."""

from __future__ import annotations

from pathlib import Path

import pytest
from SpiffWorkflow.bpmn.serializer.default.task_spec import BpmnTaskSpecConverter
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.defaults import ServiceTask
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.camunda.serializer.config import CAMUNDA_CONFIG
from SpiffWorkflow.util.task import TaskState

from engine.bpmn.business_rules import SPEC_CONVERTERS
from engine.bpmn.dialect import (
    HumanTaskMeta,
    human_task_meta,
    message_start_names,
    parse_bundle,
    service_topic,
)
from engine.bpmn.parser import office_of_lane
from engine.core.errors import DefinitionError

FIXTURES = Path(__file__).parent / "fixtures" / "dialect"


def _bundle(*names: str):
    return parse_bundle({name: (FIXTURES / name).read_bytes() for name in names})


@pytest.fixture(scope="module")
def antrag():
    return _bundle("antrag.bpmn", "zustaendigkeit.dmn")


def _ready_user_task(workflow: BpmnWorkflow):
    tasks = workflow.get_tasks(state=TaskState.READY, manual=True)
    assert len(tasks) == 1
    return tasks[0]


def _run(antrag, data: dict) -> BpmnWorkflow:
    workflow = BpmnWorkflow(antrag.spec("antrag"), antrag.subprocess_specs("antrag"))
    workflow.do_engine_steps()
    task = _ready_user_task(workflow)
    assert task.task_spec.bpmn_id == "pruefen"
    task.data.update(data)
    task.run()
    workflow.do_engine_steps()
    return workflow


def test_bundle_lists_executable_processes_with_their_names(antrag):
    assert antrag.process_ids == ["antrag"]
    assert antrag.process_name("antrag") == "Antrag bearbeiten"


def test_juel_condition_routes_urgent_large_cases_to_the_service_task(antrag):
    workflow = _run(antrag, {"anzahl": 6, "eilig": True, "art": "a"})
    service = [t for t in workflow.get_tasks(state=TaskState.STARTED) if t.task_spec.bpmn_id == "bescheid"]
    assert len(service) == 1


def test_default_flow_taken_when_the_juel_condition_is_false(antrag):
    workflow = _run(antrag, {"anzahl": 6, "eilig": False, "art": "a"})
    assert _ready_user_task(workflow).task_spec.bpmn_id == "beraten"


@pytest.mark.parametrize(("anzahl", "art", "stelle"), [
    (2, "b", "abh"),        # [1..4] and "a","b"
    (7, "a", "kim_cm"),     # >= 5 and not("b")
    (7, "b", "jobcenter"),  # only the catch-all row
])
def test_feel_decision_table_decides_as_camunda_would(antrag, anzahl, art, stelle):
    workflow = _run(antrag, {"anzahl": 5, "eilig": True, "art": art})
    started = workflow.get_tasks(state=TaskState.STARTED)
    service = next(t for t in started if t.task_spec.bpmn_id == "bescheid")
    service.data["anzahl"] = anzahl
    service.complete()
    workflow.do_engine_steps()
    assert workflow.completed
    assert workflow.data["stelle"] == stelle


def test_plain_iso_timer_becomes_a_python_string_literal(antrag):
    timer = antrag.spec("antrag").task_specs["frist_abgelaufen"]
    assert timer.event_definition.expression == "'P14D'"


def test_user_task_meta_takes_office_from_first_literal_candidate_group(antrag):
    meta = human_task_meta(antrag.spec("antrag").task_specs["beraten"])
    assert meta == HumanTaskMeta(office="kim_cm", candidate_groups=["kim_cm", "jobcenter"],
                                 candidate_users=["anna", "ben"], assignee="${case_manager}",
                                 due_date=None, follow_up_date="${wiedervorlage}", priority=None)


def test_user_task_meta_takes_office_from_lane_label_in_parentheses(antrag):
    meta = human_task_meta(antrag.spec("antrag").task_specs["pruefen"])
    assert meta.office == "abh"
    assert meta.due_date == "P3D"
    assert meta.priority == "${eilig ? 80 : 50}"


def test_manual_task_is_human_and_service_task_is_not():
    bundle = _bundle("nachricht.bpmn")
    spec = bundle.spec("nachricht")
    assert human_task_meta(spec.task_specs["ablegen"]) is not None
    assert human_task_meta(spec.task_specs["melden"]) is None


def test_message_start_names_lists_the_message_that_starts_the_process():
    assert message_start_names(_bundle("nachricht.bpmn").spec("nachricht")) == ["meldung_eingegangen"]


def test_message_start_names_is_empty_for_a_blank_start(antrag):
    assert message_start_names(antrag.spec("antrag")) == []


def test_service_topic_reads_external_topic(antrag):
    assert service_topic(antrag.spec("antrag").task_specs["bescheid"]) == "bescheid_erstellen"


def test_service_topic_reads_delegate_expression():
    assert service_topic(_bundle("nachricht.bpmn").spec("nachricht").task_specs["melden"]) == "meldung_senden"


@pytest.mark.parametrize(("attributes", "topic"), [
    ('camunda:expression="${mailer.send(execution)}"', "mailer.send"),
    ('camunda:expression="${archivieren()}"', "archivieren"),
    ('camunda:class="org.example.Archiv"', "org.example.Archiv"),
])
def test_service_topic_reads_expression_and_class(attributes, topic):
    spec = parse_bundle({"s.bpmn": _service_process(attributes)}).spec("p")
    assert service_topic(spec.task_specs["service"]) == topic


def test_service_topic_reads_handler_property():
    properties = ('<bpmn:extensionElements><camunda:properties><camunda:property name="handler" '
                  'value="akte_anlegen"/></camunda:properties></bpmn:extensionElements>')
    spec = parse_bundle({"s.bpmn": _service_process("", properties)}).spec("p")
    assert service_topic(spec.task_specs["service"]) == "akte_anlegen"


def _service_process(attributes: str, body: str = "") -> str:
    return f"""<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
        xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d">
      <bpmn:process id="p" isExecutable="true">
        <bpmn:startEvent id="s"/><bpmn:sequenceFlow id="a" sourceRef="s" targetRef="service"/>
        <bpmn:serviceTask id="service" {attributes}>{body}</bpmn:serviceTask>
        <bpmn:sequenceFlow id="b" sourceRef="service" targetRef="e"/><bpmn:endEvent id="e"/>
      </bpmn:process></bpmn:definitions>"""


@pytest.mark.parametrize(("name", "lane_id", "office"), [
    ("abh", "Lane_1", "abh"),
    ("Ausländerbehörde (abh)", "Lane_1", "abh"),
    ("Jobcenter ( jobcenter )", None, "jobcenter"),
    ("Case Management", "kim_cm", "kim_cm"),
    ("Irgendwer", "Lane_2", None),
])
def test_office_of_lane_understands_the_lane_conventions(name, lane_id, office):
    assert office_of_lane(name, lane_id, {"abh", "jobcenter", "kim_cm"}) == office


def test_meta_survives_a_serializer_round_trip(antrag):
    # SpiffWorkflow's configs do not register the plain ServiceTask spec; specs with one need it added.
    config = {**CAMUNDA_CONFIG, ServiceTask: BpmnTaskSpecConverter, **SPEC_CONVERTERS}
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))
    workflow = BpmnWorkflow(antrag.spec("antrag"), antrag.subprocess_specs("antrag"))
    restored = serializer.deserialize_json(serializer.serialize_json(workflow))
    before = human_task_meta(workflow.spec.task_specs["beraten"])
    assert human_task_meta(restored.spec.task_specs["beraten"]) == before
    assert service_topic(restored.spec.task_specs["bescheid"]) == "bescheid_erstellen"


def test_parse_bundle_refuses_a_bundle_with_errors_listing_them():
    broken = _service_process('camunda:class="x"').replace('targetRef="e"', 'targetRef="nirgends"')
    with pytest.raises(DefinitionError) as caught:
        parse_bundle({"s.bpmn": broken.replace('id="s"', 'id="Start"')})
    assert any(problem.element_id == "Start" for problem in caught.value.problems)


def test_parse_bundle_keeps_warnings_on_the_bundle(antrag):
    assert any(warning.element_id == "beraten" for warning in antrag.warnings)
