"""Messages correlate between instances; timers are durable jobs that fire exactly once."""

import threading

import pytest
from sqlalchemy import select

from engine.core import clock
from engine.core.errors import CorrelationError
from engine.read import lists as queries
from engine.service.jobs import run_due_jobs
from engine.store.models import Job
from tests.bpmn_builder import build, user
from tests.conftest import fixture_files

LATER = clock.parse_iso("2099-01-01T00:00:00Z")


def deploy_pair(engine, system):
    waiter = build("waiter", [("start", "s"), ("msg_catch", "wait", "approved"), user("go", "Weiter", "sozialamt"),
                              ("end", "e")], [("s", "wait"), ("wait", "go"), ("go", "e")])
    sender = build("sender", [("msg_start", "s", "bamf_decision"), user("rec", "Erfassen", "abh"),
                              ("msg_end", "e", "approved")], [("s", "rec"), ("rec", "e")])
    engine.deploy({"waiter.bpmn": waiter, "sender.bpmn": sender}, actor=system)


def test_a_message_start_event_starts_its_process(engine, system, db):
    deploy_pair(engine, system)
    [started] = engine.correlate("bamf_decision", actor=system, payload={"person": "A"}, case_ref="K-1")
    view = engine.show(started)
    assert (view.process_id, view.case_ref, view.data["person"]) == ("sender", "K-1", "A")


def test_a_message_thrown_by_one_instance_reaches_the_waiting_instance_of_the_same_case(engine, system, db):
    deploy_pair(engine, system)
    waiting = engine.start("waiter", actor=system, case_ref="K-1")
    other_case = engine.start("waiter", actor=system, case_ref="K-2")
    [sender] = engine.correlate("bamf_decision", actor=system, case_ref="K-1")
    with db.reading() as session:
        [rec] = queries.open_tasks(session, instance_id=sender)
    engine.complete(rec.id, actor=system)
    with db.reading() as session:
        assert [t.element_id for t in queries.open_tasks(session, instance_id=waiting)] == ["go"]
        assert queries.open_tasks(session, instance_id=other_case) == []


def test_a_message_nobody_waits_for_is_a_clear_error(engine, system):
    deploy_pair(engine, system)
    with pytest.raises(CorrelationError, match="unknown_message"):
        engine.correlate("unknown_message", actor=system)


def test_a_timer_job_is_due_when_the_timer_is_and_fires_once(engine, system, db):
    diagram = build("t", [("start", "s"), ("timer_catch", "wait", '"P14D"'), user("after", "Danach", "abh"),
                          ("end", "e")], [("s", "wait"), ("wait", "after"), ("after", "e")])
    engine.deploy({"t.bpmn": diagram}, actor=system)
    start = clock.parse_iso("2026-03-01T08:00:00Z")
    with clock.frozen(start):
        instance_id = engine.start("t", actor=system)
    with db.reading() as session:
        [job] = session.scalars(select(Job)).all()
    assert (job.due_at - start).days == 14
    assert run_due_jobs(engine, now=clock.parse_iso("2026-03-14T08:00:00Z")) == 0
    assert run_due_jobs(engine, now=clock.parse_iso("2026-03-15T09:00:00Z")) == 1
    assert run_due_jobs(engine, now=LATER) == 0
    with db.reading() as session:
        assert [t.element_id for t in queries.open_tasks(session, instance_id=instance_id)] == ["after"]


def test_concurrent_workers_fire_each_job_exactly_once(engine, system, db):
    diagram = build("t", [("start", "s"), ("timer_catch", "wait", '"PT1H"'), user("after", "Danach", "abh"),
                          ("end", "e")], [("s", "wait"), ("wait", "after"), ("after", "e")])
    engine.deploy({"t.bpmn": diagram}, actor=system)
    for _ in range(12):
        engine.start("t", actor=system)
    counts = []

    def work():
        counts.append(run_due_jobs(engine, now=LATER))

    threads = [threading.Thread(target=work) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(counts) == 12
    with db.reading() as session:
        assert len(queries.open_tasks(session)) == 12
        assert {j.status for j in session.scalars(select(Job))} == {"done"}


def timer_start_process(definition: str) -> str:
    return build("daily", [("start", "tick"), user("check", "Fristen prüfen", "kim_coord"), ("end", "e")],
                 [("tick", "check"), ("check", "e")]).replace(
        '<bpmn:startEvent id="tick" />',
        f'<bpmn:startEvent id="tick"><bpmn:timerEventDefinition>{definition}</bpmn:timerEventDefinition>'
        "</bpmn:startEvent>")


def test_a_timer_start_event_starts_an_instance_when_due_and_only_once(engine, system, db):
    engine.deploy({"daily.bpmn": timer_start_process("<bpmn:timeDate>2027-01-31T12:00:00Z</bpmn:timeDate>")},
                  actor=system)
    assert run_due_jobs(engine, now=clock.parse_iso("2027-01-31T11:00:00Z")) == 0
    assert run_due_jobs(engine, now=clock.parse_iso("2027-01-31T12:30:00Z")) == 1
    assert run_due_jobs(engine, now=LATER) == 0
    with db.reading() as session:
        assert [t.element_id for t in queries.open_tasks(session)] == ["check"]


def test_a_cycle_timer_start_event_starts_one_instance_per_cycle(engine, system, db):
    engine.deploy({"daily.bpmn": timer_start_process(
        "<bpmn:timeCycle>R3/2027-01-01T00:00:00Z/P1D</bpmn:timeCycle>")}, actor=system)
    assert run_due_jobs(engine, now=clock.parse_iso("2027-01-01T00:00:01Z")) == 1
    assert run_due_jobs(engine, now=clock.parse_iso("2027-01-02T00:00:01Z")) == 1
    assert run_due_jobs(engine, now=LATER) == 1
    assert run_due_jobs(engine, now=LATER) == 0
    with db.reading() as session:
        assert len(queries.open_tasks(session)) == 3


def test_a_message_reaches_an_event_based_gateway_and_lands_in_its_result_variable(engine, system, db):
    engine.deploy(fixture_files("event_gateway_and_subprocess.bpmn"), actor=system)
    instance_id = engine.start("evt", actor=system)
    assert engine.correlate("status_changed", actor=system, payload={"status": "anerkannt"}) == [instance_id]
    assert engine.show(instance_id).data["status_event"] == {"status": "anerkannt"}
    with db.reading() as session:
        assert [t.element_id for t in queries.open_tasks(session, instance_id=instance_id)] == ["after"]
        assert session.scalars(select(Job).where(Job.status == "pending")).all() == []


def test_a_message_triggers_a_non_interrupting_event_subprocess(engine, system, db):
    engine.deploy(fixture_files("event_gateway_and_subprocess.bpmn"), actor=system)
    instance_id = engine.start("evt", actor=system)
    assert engine.correlate("problem_reported", actor=system, payload={"category": "wohnen"}) == [instance_id]
    with db.reading() as session:
        elements = sorted(t.element_id for t in queries.open_tasks(session, instance_id=instance_id))
    assert elements == ["assess"]
    assert run_due_jobs(engine, now=LATER) == 1  # the gateway's timer still runs beside the subprocess
    with db.reading() as session:
        elements = sorted(t.element_id for t in queries.open_tasks(session, instance_id=instance_id))
    assert elements == ["after", "assess"]


def test_a_message_thrown_outside_any_case_reaches_only_its_business_key(engine, system):
    catcher = build("catcher", [("start", "s"), ("msg_catch", "wait", "ping"), ("end", "e")],
                    [("s", "wait"), ("wait", "e")])
    thrower = build("thrower", [("start", "s"), ("msg_end", "e", "ping")], [("s", "e")])
    engine.deploy({"catcher.bpmn": catcher, "thrower.bpmn": thrower}, actor=system)
    mine = engine.start("catcher", actor=system, business_key="A-1")
    other = engine.start("catcher", actor=system, business_key="B-2")
    engine.start("thrower", actor=system, business_key="A-1")
    assert (engine.show(mine).status, engine.show(other).status) == ("completed", "running")
