"""Errors in scripts and service tasks become incidents; nothing crashes and nothing stalls silently."""

import pytest
from sqlalchemy import select

from engine.core.actors import Actor
from engine.store.models import Incident, ProcessInstance
from tests.bpmn_builder import build, user


def script_process():
    return build("calc", [("start", "s"), user("enter", "Eingabe", "kim_cm", [("divisor", "long", "Teiler")]),
                          ("script", "divide", "result = 100 / divisor"),
                          user("check", "Prüfen", "kim_cm"), ("end", "e")],
                 [("s", "enter"), ("enter", "divide"), ("divide", "check"), ("check", "e")])


def test_a_failing_script_puts_the_instance_in_error_with_element_and_message(engine, system, db):
    engine.deploy({"calc.bpmn": script_process()}, actor=system)
    instance_id = engine.start("calc", actor=system)
    [task] = engine_tasks(db, instance_id)
    assert engine.complete(task.id, actor=system, data={"divisor": 0}) == "error"
    view = engine.show(instance_id)
    assert (view.status, view.error_element) == ("error", "divide")
    assert "division by zero" in view.error_message
    with db.reading() as session:
        [incident] = session.scalars(select(Incident)).all()
    assert incident.data["divisor"] == 0 and incident.resolved_at is None


def test_retry_with_corrected_data_resolves_the_incident_and_runs_on(engine, system, db):
    engine.deploy({"calc.bpmn": script_process()}, actor=system)
    instance_id = engine.start("calc", actor=system)
    engine.complete(engine_tasks(db, instance_id)[0].id, actor=system, data={"divisor": 0})
    assert engine.retry(instance_id, actor=system, data={"divisor": 4}, reason="Teiler korrigiert") == "running"
    assert engine.show(instance_id).data["result"] == 25
    assert [t.element_id for t in engine_tasks(db, instance_id)] == ["check"]
    with db.reading() as session:
        assert session.scalars(select(Incident)).one().resolved_by == "test"


def test_a_service_task_without_handler_is_an_incident_and_a_registered_handler_runs(engine, system, db, extensions):
    diagram = build("svc", [("start", "s"), ("service", "lookup", "address_lookup"), user("u", "Weiter", "abh"),
                            ("end", "e")], [("s", "lookup"), ("lookup", "u"), ("u", "e")])
    # An in-process topic (not camunda:type="external", which waits for an external worker instead).
    diagram = diagram.replace('camunda:type="external" ', "")
    engine.deploy({"svc.bpmn": diagram}, actor=system)
    failed = engine.start("svc", actor=system)
    assert engine.show(failed).status == "error"
    extensions.service_handler("address_lookup")(lambda call: {"municipality": "neuss"})
    assert engine.retry(failed, actor=system) == "running"
    assert engine.show(failed).data["municipality"] == "neuss"


def test_a_long_gateway_loop_does_not_stall_silently(engine, system, db, monkeypatch):
    from engine.runtime.serialization import KimflowWorkflow

    monkeypatch.setattr(KimflowWorkflow, "time_budget", 600.0)  # about stalls, not speed: a loaded machine is slow
    diagram = build("loop", [("start", "s"), ("script", "init", "i = 0"), ("script", "inc", "i = i + 1"),
                             ("xor", "again", "flow_4"), user("done", "Fertig", "kim_cm"), ("end", "e")],
                    [("s", "init"), ("init", "inc"), ("inc", "again"), ("again", "inc", "i < 300"),
                     ("again", "done"), ("done", "e")])
    engine.deploy({"loop.bpmn": diagram}, actor=system)
    instance_id = engine.start("loop", actor=system)
    view = engine.show(instance_id)
    assert view.status == "running" and view.data["i"] == 300
    assert [t.element_id for t in engine_tasks(db, instance_id)] == ["done"]


def engine_tasks(db, instance_id):
    from engine.read import lists as queries

    with db.reading() as session:
        return queries.open_tasks(session, instance_id=instance_id)


def test_a_failing_assignee_expression_is_an_incident_and_the_initiator_is_known(engine, system, db):
    diagram = build("assign", [("start", "s"), user("u", "Prüfen", "abh", assignee="${reviewer}"), ("end", "e")],
                    [("s", "u"), ("u", "e")])
    engine.deploy({"assign.bpmn": diagram.replace('<bpmn:startEvent id="s" />',
                                                  '<bpmn:startEvent id="s" camunda:initiator="starter" />')},
                  actor=system)
    failed = engine.start("assign", actor=system)
    view = engine.show(failed)
    assert (view.status, view.error_element) == ("error", "u")
    assert "reviewer" in view.error_message and view.data["starter"] == "test"
    assert engine.retry(failed, actor=system, data={"reviewer": "m.klein"}) == "running"
    [task] = engine_tasks(db, failed)
    assert task.assignee == "m.klein"


def test_suspend_stops_work_and_resume_returns_the_instance_to_its_previous_status(engine, system, db):
    from engine.core.errors import InstanceStateError

    engine.deploy({"calc.bpmn": script_process()}, actor=system)
    running = engine.start("calc", actor=system)
    engine.suspend(running, actor=system, reason="Klärung")
    assert engine.show(running).status == "suspended"
    with pytest.raises(InstanceStateError):
        engine.complete(engine_tasks(db, running)[0].id, actor=system, data={"divisor": 2})
    engine.resume(running, actor=system, reason="geklärt")
    assert engine.show(running).status == "running"
    failed = engine.start("calc", actor=system)
    engine.complete(engine_tasks(db, failed)[0].id, actor=system, data={"divisor": 0})
    engine.suspend(failed, actor=system)
    engine.resume(failed, actor=system)
    assert engine.show(failed).status == "error"


def _failed_calc(engine, system, db):
    engine.deploy({"calc.bpmn": script_process()}, actor=system)
    instance_id = engine.start("calc", actor=system, case_ref="F-1")
    engine.complete(engine_tasks(db, instance_id)[0].id, actor=system, data={"divisor": 0})
    return instance_id


def test_an_admin_skips_the_failing_step_and_the_instance_moves_on_without_running_it(engine, system, db):
    from engine.store.models import AuditEvent

    failed = _failed_calc(engine, system, db)
    admin = Actor("root", roles=frozenset({"admin"}))
    status = engine.skip(failed, actor=admin, reason_code="done_elsewhere", reason="Herr Meier hat es per Hand")
    assert status == "running"
    view = engine.show(failed)
    assert view.status == "running" and "result" not in view.data
    assert [t.element_id for t in engine_tasks(db, failed)] == ["check"]
    with db.reading() as session:
        assert session.scalars(select(Incident)).one().resolved_by == "root"
        [event] = session.scalars(select(AuditEvent).where(AuditEvent.action == "task_skipped")).all()
        row = session.get(ProcessInstance, failed)
        kept = row.summary["admin_reasons"]
    assert event.details == {"element_id": "divide", "reason_code": "done_elsewhere"}
    assert "Meier" not in str(event.details) and kept[-1]["reason"] == "Herr Meier hat es per Hand"


def test_only_admins_skip_and_only_with_a_known_reason_code_and_only_a_failed_instance(engine, system, db):
    from engine.core.errors import InstanceStateError, PermissionDenied

    failed = _failed_calc(engine, system, db)
    manager = Actor("chefin", roles=frozenset({"manager"}))
    with pytest.raises(PermissionDenied):
        engine.skip(failed, actor=manager, reason_code="not_needed")
    admin = Actor("root", roles=frozenset({"admin"}))
    with pytest.raises(InstanceStateError):
        engine.skip(failed, actor=admin, reason_code="weil ich es sage")
    assert engine.show(failed).status == "error"
    running = engine.start("calc", actor=system)
    with pytest.raises(InstanceStateError):
        engine.skip(running, actor=admin, reason_code="not_needed")


def test_skipping_a_task_whose_assignee_failed_completes_it_and_ends_the_instance(engine, system, db):
    diagram = build("assign", [("start", "s"), user("u", "Prüfen", "abh", assignee="${reviewer}"), ("end", "e")],
                    [("s", "u"), ("u", "e")])
    engine.deploy({"assign.bpmn": diagram}, actor=system)
    failed = engine.start("assign", actor=system)
    assert engine.show(failed).status == "error"
    admin = Actor("root", roles=frozenset({"admin"}))
    assert engine.skip(failed, actor=admin, reason_code="not_needed") == "completed"


def test_a_retry_that_fails_again_leaves_the_instance_failed_with_a_new_open_incident(engine, system, db):
    failed = _failed_calc(engine, system, db)
    assert engine.retry(failed, actor=system) == "error"
    with db.reading() as session:
        incidents = session.scalars(select(Incident).order_by(Incident.id)).all()
    assert [i.resolved_at is None for i in incidents] == [False, True]
