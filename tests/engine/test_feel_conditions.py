"""FEEL in sequence-flow conditions and timers: Camunda 7 (language="feel") and Camunda 8 (`=`) models run."""

import pytest
from sqlalchemy import select

from engine.core import clock
from engine.core.errors import DefinitionError
from engine.read import lists as queries
from engine.store.models import Job
from tests.bpmn_builder import build, user

TODAY = clock.parse_iso("2026-03-20T09:00:00Z")

# As Camunda 7 Modeler writes a FEEL condition: xsi:type tFormalExpression with language="feel".
CAMUNDA7 = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
    id="defs" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="eingang" isExecutable="true">
    <bpmn:startEvent id="s" />
    <bpmn:userTask id="erfassen" name="Eingang erfassen" camunda:candidateGroups="sozialamt" />
    <bpmn:exclusiveGateway id="alt" name="Eingang älter als 7 Tage?" default="flow_neu" />
    <bpmn:userTask id="nachfassen" name="Nachfassen" camunda:candidateGroups="sozialamt" />
    <bpmn:userTask id="bearbeiten" name="Bearbeiten" camunda:candidateGroups="sozialamt" />
    <bpmn:endEvent id="e1" />
    <bpmn:endEvent id="e2" />
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="erfassen" />
    <bpmn:sequenceFlow id="f2" sourceRef="erfassen" targetRef="alt" />
    <bpmn:sequenceFlow id="flow_alt" name="älter" sourceRef="alt" targetRef="nachfassen">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression" language="feel">{condition}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="flow_neu" sourceRef="alt" targetRef="bearbeiten" />
    <bpmn:sequenceFlow id="f5" sourceRef="nachfassen" targetRef="e1" />
    <bpmn:sequenceFlow id="f6" sourceRef="bearbeiten" targetRef="e2" />
  </bpmn:process>
</bpmn:definitions>"""
OLDER_THAN_A_WEEK = 'date(eingang) &lt; today() - duration("P7D")'


def _camunda8(condition: str, timer: str = '"PT1H"') -> str:
    return build("betrag", [
        ("start", "s"), user("erfassen", "Erfassen", "sozialamt"), ("xor", "gross", "flow_3"),
        user("pruefen", "Prüfen", "sozialamt"), ("timer_catch", "warten", timer),
        user("freigeben", "Freigeben", "sozialamt"), ("end", "e1"), ("end", "e2"),
    ], [("s", "erfassen"), ("erfassen", "gross"), ("gross", "pruefen", condition), ("gross", "warten"),
        ("warten", "freigeben"), ("pruefen", "e1"), ("freigeben", "e2")])


def _open_after_completing(engine, system, db, process_id: str, data: dict) -> list[str]:
    with clock.frozen(TODAY):
        instance_id = engine.start(process_id, actor=system)
        with db.reading() as session:
            [task] = queries.open_tasks(session, instance_id=instance_id)
        engine.complete(task.id, actor=system, data=data)
        with db.reading() as session:
            return [t.element_id for t in queries.open_tasks(session, instance_id=instance_id)]


@pytest.mark.parametrize(("eingang", "next_task"), [
    ("2026-03-01", "nachfassen"),
    ("2026-03-13", "bearbeiten"),  # exactly seven days: not older
    ("2026-03-19", "bearbeiten"),
])
def test_camunda7_feel_condition_compares_dates_with_today_and_a_duration(engine, system, db, eingang, next_task):
    engine.deploy({"eingang.bpmn": CAMUNDA7.format(condition=OLDER_THAN_A_WEEK)}, actor=system)
    assert _open_after_completing(engine, system, db, "eingang", {"eingang": eingang}) == [next_task]


@pytest.mark.parametrize(("data", "next_task"), [
    ({"betrag": 1500, "frist": "P10D"}, "pruefen"),
    ({"betrag": 1500, "frist": "P3D"}, None),
    ({"betrag": 200, "frist": "P10D"}, None),
    ({"betrag": 1500}, None),  # a missing variable counts as null: the condition is not met
])
def test_camunda8_equals_prefixed_condition_routes_by_number_and_duration(engine, system, db, data, next_task):
    engine.deploy({"betrag.bpmn": _camunda8('=betrag > 1000 and duration(frist) >= duration("P7D")')},
                  actor=system)
    open_tasks = _open_after_completing(engine, system, db, "betrag", data)
    with db.reading() as session:
        waiting = [job.element_id for job in session.scalars(select(Job).where(Job.status == "pending"))]
    assert (open_tasks, waiting) == (([next_task], []) if next_task else ([], ["warten"]))


def test_a_feel_timer_waits_as_long_as_the_duration_it_computes(engine, system, db):
    engine.deploy({"betrag.bpmn": _camunda8("=false", timer='=duration("P" + string(tage) + "D")')},
                  actor=system)
    assert _open_after_completing(engine, system, db, "betrag", {"tage": 3}) == []
    with db.reading() as session:
        [job] = session.scalars(select(Job).where(Job.kind == "timer")).all()
    assert (job.due_at - TODAY).days == 3


@pytest.mark.parametrize(("files", "element_id"), [
    ({"eingang.bpmn": CAMUNDA7.format(condition="date(eingang) &lt;")}, "flow_alt"),
    ({"betrag.bpmn": _camunda8("=betrag > > 1000")}, "flow_2"),
    ({"betrag.bpmn": _camunda8("=true", timer='=duration("P7D"')}, "warten"),
])
def test_invalid_feel_is_refused_at_deploy_naming_the_element_in_german(engine, system, files, element_id):
    with pytest.raises(DefinitionError) as err:
        engine.deploy(files, actor=system)
    [problem] = err.value.problems
    assert problem.element_id == element_id
    assert "kein gültiges FEEL" in problem.message


def test_an_unknown_expression_language_is_still_refused(engine, system):
    diagram = CAMUNDA7.format(condition="x > 1").replace('language="feel"', 'language="groovy"')
    with pytest.raises(DefinitionError, match="groovy"):
        engine.deploy({"eingang.bpmn": diagram}, actor=system)


def test_a_condition_looping_over_data_without_end_is_stopped_and_raises_an_incident(engine, system, db):
    # Deploy cannot see how long the lists in the data will be; the run-time bound stops the loop.
    engine.deploy({"betrag.bpmn": _camunda8("=count(for a in liste, b in liste, c in liste return a) > 0")},
                  actor=system)
    instance_id = engine.start("betrag", actor=system)
    with db.reading() as session:
        [task] = queries.open_tasks(session, instance_id=instance_id)
    engine.complete(task.id, actor=system, data={"liste": list(range(400))})
    shown = engine.show(instance_id)
    assert (shown.status, shown.error_element) == ("error", "gross")
    assert "stopped" in shown.error_message


def test_feel_ranges_and_loops_are_bounded_but_ordinary_ones_run():
    from engine.decision.feel import evaluate

    warnings: list[str] = []
    assert evaluate("for i in 1..1000000000 return i", {}, warnings) is None
    assert "at most 100000" in warnings[0]
    assert evaluate("sum(for i in 1..50000 return i)", {}) == 1250025000
    assert evaluate("count(list[item > 2])", {"list": list(range(10_000))}) == 9997
