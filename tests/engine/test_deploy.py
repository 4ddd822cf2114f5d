"""Deploying definitions as immutable versions."""

import json

import pytest
from sqlalchemy import select

from engine.core.errors import DefinitionError
from engine.runtime.serialization import STATE_FORMAT
from engine.store.models import DefinitionVersion, ProcessInstance
from tests.bpmn_builder import build, linear
from tests.conftest import fixture_files


def test_deploying_creates_version_one_with_source_and_checksum(engine, system, db):
    [deployed] = engine.deploy(fixture_files("two_tasks.bpmn"), actor=system)
    assert (deployed.process_id, deployed.version, deployed.created) == ("two_tasks", 1, True)
    with db.reading() as session:
        row = session.scalars(select(DefinitionVersion)).one()
        assert row.deployed_by == "test"
        assert len(row.checksum) == 64
        assert "Antrag erfassen" in row.files["two_tasks.bpmn"]


def test_deploying_identical_content_again_creates_no_new_version(engine, system):
    engine.deploy(fixture_files("two_tasks.bpmn"), actor=system)
    [again] = engine.deploy(fixture_files("two_tasks.bpmn"), actor=system)
    assert (again.version, again.created) == (1, False)


def test_changed_content_creates_next_version_and_running_instances_keep_theirs(engine, system, db):
    engine.deploy({"p.bpmn": linear("p", tasks=1)}, actor=system)
    first = engine.start("p", actor=system)
    [v2] = engine.deploy({"p.bpmn": linear("p", tasks=2)}, actor=system)
    second = engine.start("p", actor=system)
    assert v2.version == 2
    with db.reading() as session:
        versions = {r.id: r.version for r in session.scalars(select(ProcessInstance))}
    assert versions == {first: 1, second: 2}


def test_invalid_xml_deploys_nothing_and_names_the_file(engine, system, db):
    files = {"good.bpmn": linear("good"), "broken.bpmn": b"<bpmn:definitions><unclosed>"}
    with pytest.raises(DefinitionError) as err:
        engine.deploy(files, actor=system)
    assert any(p.file == "broken.bpmn" for p in err.value.problems)
    with db.reading() as session:
        assert session.scalars(select(DefinitionVersion)).first() is None


def test_instance_state_refers_to_its_version_instead_of_repeating_the_spec(engine, system, db):
    engine.deploy(fixture_files("two_tasks.bpmn"), actor=system)
    instance_id = engine.start("two_tasks", actor=system)
    with db.reading() as session:
        state = json.loads(session.get(ProcessInstance, instance_id).state)
    assert "spec" not in state and "subprocess_specs" not in state
    assert state["format"] == STATE_FORMAT == "kimflow-2"


def test_a_script_the_sandbox_would_refuse_is_refused_at_deploy_time(engine, system):
    from tests.bpmn_builder import build

    diagram = build("x", [("start", "s"), ("script", "sc", "import os\nx = 1"), ("end", "e")],
                    [("s", "sc"), ("sc", "e")])
    with pytest.raises(DefinitionError) as err:
        engine.deploy({"x.bpmn": diagram}, actor=system)
    [problem] = err.value.problems
    assert problem.element_id == "sc" and "Importe" in problem.message


MODELER_LANES = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:collaboration id="c"><bpmn:participant id="pool" processRef="lanes"/></bpmn:collaboration>
  <bpmn:process id="lanes" isExecutable="true">
    <bpmn:laneSet id="ls">
      <bpmn:lane id="Lane_0a1" name="Sachbearbeitung Einbürgerung"><bpmn:flowNodeRef>s</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>check</bpmn:flowNodeRef></bpmn:lane>
      <bpmn:lane id="Lane_0b2" name="Ausländerbehörde (abh)"><bpmn:flowNodeRef>sign</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>e</bpmn:flowNodeRef></bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="s"/><bpmn:userTask id="check" name="Prüfen"/><bpmn:userTask id="sign" name="Zeichnen"/>
    <bpmn:endEvent id="e"/>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="check"/>
    <bpmn:sequenceFlow id="f2" sourceRef="check" targetRef="sign"/>
    <bpmn:sequenceFlow id="f3" sourceRef="sign" targetRef="e"/>
  </bpmn:process>
</bpmn:definitions>"""


def test_a_modeler_diagram_with_arbitrary_lane_names_runs_and_its_tasks_go_to_the_lane_group(db, system):
    from engine.service.engine import ProcessEngine
    from engine.service.registry import Extensions
    from engine.store.models import HumanTask

    engine = ProcessEngine(db, Extensions(offices={"abh", "kim_cm"}))
    engine.deploy({"lanes.bpmn": MODELER_LANES}, actor=system)
    instance_id = engine.start("lanes", actor=system)
    with db.reading() as session:
        [task] = session.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id)).all()
    assert (task.element_id, task.office) == ("check", "Sachbearbeitung Einbürgerung")
    engine.complete(task.id, actor=system)
    with db.reading() as session:
        [sign] = session.scalars(select(HumanTask).where(HumanTask.status == "open")).all()
    assert (sign.element_id, sign.office) == ("sign", "abh")


def test_a_diagram_that_is_only_a_start_event_completes(engine, system):
    diagram = MODELER_LANES.split("<bpmn:collaboration")[0] + (
        '<bpmn:process id="only_start" isExecutable="true"><bpmn:startEvent id="s"/></bpmn:process>'
        "</bpmn:definitions>")
    engine.deploy({"only_start.bpmn": diagram}, actor=system)
    assert engine.show(engine.start("only_start", actor=system)).status == "completed"


def test_a_recursive_call_activity_is_refused_at_deploy(engine, system):
    diagram = MODELER_LANES.split("<bpmn:collaboration")[0] + (
        '<bpmn:process id="again" isExecutable="true"><bpmn:startEvent id="s"/>'
        '<bpmn:callActivity id="call_self" calledElement="again"/><bpmn:endEvent id="e"/>'
        '<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="call_self"/>'
        '<bpmn:sequenceFlow id="f2" sourceRef="call_self" targetRef="e"/></bpmn:process></bpmn:definitions>')
    with pytest.raises(DefinitionError) as err:
        engine.deploy({"again.bpmn": diagram}, actor=system)
    assert any(p.file == "again.bpmn" and p.element_id == "call_self" for p in err.value.problems)


def test_an_unexpected_error_in_a_cli_verb_is_a_german_message_and_exit_code_one(db, monkeypatch, capsys):
    from engine import cli
    from engine.service.engine import ProcessEngine

    def broken(self, instance_id):
        raise RuntimeError("kaputt")

    monkeypatch.setattr(ProcessEngine, "show", broken)
    assert cli.run(["--db", str(db.engine.url.render_as_string(hide_password=False)), "show", "1"]) == 1
    captured = capsys.readouterr()
    assert "Unerwarteter Fehler bei »show«" in captured.err and "Traceback" not in captured.err + captured.out


def test_a_service_task_without_implementation_is_refused_at_deploy_naming_file_and_element(engine, system, db):
    diagram = build("svc", [("start", "s"), ("service", "lookup", "adresse"), ("end", "e")],
                    [("s", "lookup"), ("lookup", "e")])
    bare = diagram.replace(' camunda:type="external" camunda:topic="adresse"', "")
    with pytest.raises(DefinitionError) as err:
        engine.deploy({"adresse.bpmn": bare}, actor=system)
    [problem] = err.value.problems
    assert (problem.file, problem.element_id) == ("adresse.bpmn", "lookup")
    assert "keine Implementierung" in problem.message
    with db.reading() as session:
        assert session.scalars(select(DefinitionVersion)).all() == []
