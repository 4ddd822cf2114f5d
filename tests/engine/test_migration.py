"""Migration: running instances move to a new version where the engine finds it safe, each audited."""

import pytest
from sqlalchemy import select

from engine.read import lists as queries
from engine.service.instance_migration import Migrator, Reason
from engine.store import audit
from engine.store.models import HumanTask
from tests.conftest import fixture_files

V1 = fixture_files("two_tasks.bpmn")["two_tasks.bpmn"].decode()
INSERTED = V1.replace(
    '<bpmn:sequenceFlow id="f2" sourceRef="record" targetRef="gw" />',
    '<bpmn:sequenceFlow id="f2" sourceRef="record" targetRef="check" /><bpmn:userTask id="check" name="Prüfen" />'
    '<bpmn:sequenceFlow id="f2b" sourceRef="check" targetRef="gw" />').replace(
    "<bpmn:flowNodeRef>gw</bpmn:flowNodeRef>", "<bpmn:flowNodeRef>gw</bpmn:flowNodeRef><bpmn:flowNodeRef>check"
    "</bpmn:flowNodeRef>")
WITHOUT_DECIDE = V1.replace('<bpmn:sequenceFlow id="f_big" sourceRef="gw" targetRef="decide">',
                            '<bpmn:sequenceFlow id="f_big" sourceRef="gw" targetRef="end_ok">') \
    .replace('<bpmn:userTask id="decide"', '<bpmn:userTask id="approve"') \
    .replace('attachedToRef="decide"', 'attachedToRef="approve"').replace('sourceRef="decide"', 'sourceRef="approve"') \
    .replace("<bpmn:flowNodeRef>decide</bpmn:flowNodeRef>", "<bpmn:flowNodeRef>approve</bpmn:flowNodeRef>")


def _open(db, instance_id):
    with db.reading() as session:
        return queries.open_tasks(session, instance_id=instance_id)


def _at_decide(engine, db, system):
    instance = engine.start("two_tasks", actor=system)
    engine.complete(_open(db, instance)[0].id, actor=system, data={"amount": 500})
    return instance


@pytest.fixture
def v1(engine, system):
    engine.deploy({"two_tasks.bpmn": V1}, actor=system)


def test_an_instance_before_an_inserted_task_moves_and_then_reaches_the_new_task(engine, db, system, v1):
    waiting = engine.start("two_tasks", actor=system)
    engine.deploy({"two_tasks.bpmn": INSERTED}, actor=system)
    report = Migrator(engine).migrate("two_tasks", [waiting], actor=system)
    assert report.moved == [waiting] and report.to_version == 2
    engine.complete(_open(db, waiting)[0].id, actor=system, data={"amount": 500})
    assert [t.element_id for t in _open(db, waiting)] == ["check"]
    assert engine.show(waiting).version == 2


def test_the_open_task_keeps_its_id_claim_and_data_when_moving(engine, db, system, v1):
    waiting = engine.start("two_tasks", actor=system, data={"person": "A"})
    task = _open(db, waiting)[0]
    engine.claim(task.id, actor=system)
    engine.deploy({"two_tasks.bpmn": INSERTED}, actor=system)
    Migrator(engine).migrate("two_tasks", [waiting], actor=system)
    after = _open(db, waiting)[0]
    assert (after.id, after.claimed_by) == (task.id, system.name)
    assert engine.show(waiting).data["person"] == "A"


def test_an_instance_standing_at_a_removed_task_cannot_move_and_says_why(engine, db, system, v1):
    at_decide = _at_decide(engine, db, system)
    fresh = engine.start("two_tasks", actor=system)
    engine.deploy({"two_tasks.bpmn": WITHOUT_DECIDE}, actor=system)
    plan = {c.instance_id: c for c in Migrator(engine).plan("two_tasks")}
    assert plan[fresh].movable
    assert not plan[at_decide].movable
    assert Reason.of("current_step_removed", name="Entscheiden", version=2) in plan[at_decide].reasons
    assert any("steht an »Entscheiden«" in str(reason) for reason in plan[at_decide].reasons)
    report = Migrator(engine).migrate("two_tasks", [at_decide, fresh], actor=system)
    assert report.moved == [fresh] and at_decide in report.refused
    assert engine.show(at_decide).version == 1


def test_each_moved_instance_gets_an_audit_entry(engine, db, system, v1):
    ids = [engine.start("two_tasks", actor=system) for _ in range(3)]
    engine.deploy({"two_tasks.bpmn": INSERTED}, actor=system)
    Migrator(engine).migrate("two_tasks", ids, actor=system)
    with db.reading() as session:
        moves = [e for e in audit.events(session, actor=system.name) if e.action == "instance_migrated"]
    assert sorted(e.instance_id for e in moves) == ids
    assert {(e.details["from_version"], e.details["to_version"]) for e in moves} == {(1, 2)}


def test_suspended_instances_are_listed_but_not_movable(engine, db, system, v1):
    instance = engine.start("two_tasks", actor=system)
    engine.suspend(instance, actor=system)
    engine.deploy({"two_tasks.bpmn": INSERTED}, actor=system)
    [candidate] = Migrator(engine).plan("two_tasks")
    assert candidate.reasons == [Reason.of("not_running", status="suspended")]
    assert [str(r) for r in candidate.reasons] == ["Nur laufende Vorgänge können umziehen; dieser ist angehalten."]


def test_a_waiting_timer_keeps_its_due_time_when_its_definition_did_not_change(engine, db, system, v1):
    instance = _at_decide(engine, db, system)
    from engine.store.models import Job

    with db.reading() as session:
        before = session.scalars(select(Job.due_at).where(Job.instance_id == instance, Job.status == "pending")).all()
    engine.deploy({"two_tasks.bpmn": V1.replace('camunda:priority="70"', 'camunda:priority="90"')}, actor=system)
    assert Migrator(engine).migrate("two_tasks", [instance], actor=system).moved == [instance]
    with db.reading() as session:
        after = session.scalars(select(Job.due_at).where(Job.instance_id == instance, Job.status == "pending")).all()
        assert session.scalars(select(HumanTask.element_id).where(HumanTask.instance_id == instance,
                                                                   HumanTask.status == "open")).all() == ["decide"]
    assert before == after and len(after) == 1


def _clone(db, instance_id: int, copies: int) -> None:
    """Copy an instance row and its open task (fast set-up for a large migration plan)."""
    import uuid

    from sqlalchemy import insert
    from sqlalchemy.inspection import inspect

    from engine.store.models import ProcessInstance

    with db.unit_of_work() as session:
        row = session.get(ProcessInstance, instance_id)
        task = session.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id)).one()
        columns = [c.key for c in inspect(ProcessInstance).columns if c.key != "id"]
        task_columns = [c.key for c in inspect(HumanTask).columns]
        base = {key: getattr(row, key) for key in columns}
        session.execute(insert(ProcessInstance), [dict(base, business_key=f"AZ-{n}") for n in range(copies)])
        new_ids = session.scalars(select(ProcessInstance.id).where(ProcessInstance.id != instance_id)).all()
        task_base = {key: getattr(task, key) for key in task_columns}
        session.execute(insert(HumanTask), [dict(task_base, id=str(uuid.uuid4()), instance_id=new_id)
                                            for new_id in new_ids])


def test_the_plan_names_each_instances_current_step_and_gives_reason_codes(engine, db, system, v1):
    at_record = engine.start("two_tasks", actor=system)
    at_decide = _at_decide(engine, db, system)
    engine.suspend(at_record, actor=system, reason="Rückfrage")
    engine.deploy({"two_tasks.bpmn": WITHOUT_DECIDE}, actor=system)
    plan = {c.instance_id: c for c in Migrator(engine).plan("two_tasks")}
    assert plan[at_record].steps == ["Antrag erfassen"] and not plan[at_record].movable
    assert plan[at_record].reasons == [Reason.of("not_running", status="suspended")]
    reasons = plan[at_decide].as_dict()["reasons"]
    assert {"code": "current_step_removed", "params": {"name": "Entscheiden", "version": 2},
            "text": "Der Vorgang steht an »Entscheiden«; das gibt es in Version 2 nicht mehr."} in reasons
    assert all("<" not in str(r) and "object" not in str(r) for r in plan[at_decide].reasons)


def test_a_refused_move_reports_codes_not_sentences(engine, db, system, v1):
    at_decide = _at_decide(engine, db, system)
    engine.deploy({"two_tasks.bpmn": WITHOUT_DECIDE}, actor=system)
    report = Migrator(engine).migrate("two_tasks", [at_decide, 999999], actor=system)
    assert report.refused[999999] == [Reason.of("other_process")]
    assert Reason.of("current_step_removed", name="Entscheiden", version=2) in report.refused[at_decide]


def test_the_plan_for_a_thousand_instances_takes_under_a_second(engine, db, system, v1):
    import time

    _clone(db, engine.start("two_tasks", actor=system), 999)
    engine.deploy({"two_tasks.bpmn": INSERTED}, actor=system)
    Migrator(engine).plan("two_tasks")  # parse both versions once, as a running server has
    started = time.perf_counter()
    plan = Migrator(engine).plan("two_tasks")
    elapsed = time.perf_counter() - started
    assert len(plan) == 1000 and all(c.movable and c.steps == ["Antrag erfassen"] for c in plan)
    assert elapsed < 1.0, f"{elapsed:.2f} s"


def test_a_background_batch_reports_its_progress_until_finished(engine, db, system, v1):
    import time

    instances = [engine.start("two_tasks", actor=system) for _ in range(3)]
    engine.deploy({"two_tasks.bpmn": INSERTED}, actor=system)
    progress = Migrator(engine).start_batch("two_tasks", instances, actor=system)
    deadline = time.monotonic() + 20
    while not progress.finished and time.monotonic() < deadline:
        time.sleep(0.05)
    assert progress.as_dict()["done"] == 3 and progress.moved == 3 and not progress.failed
    assert {engine.show(i).version for i in instances} == {2}
