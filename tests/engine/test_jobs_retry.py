"""Failed jobs are retried with growing pauses, then become incidents a manager can retry."""

import pytest
from sqlalchemy import select

from engine.core import clock
from engine.core.errors import InstanceStateError
from engine.read import lists as queries
from engine.service import jobs
from engine.service.jobs import retry_job, run_due_jobs
from engine.store.models import AuditEvent, Incident, Job, ProcessInstance
from tests.bpmn_builder import build, user
from tests.engine.test_messages_and_timers import timer_start_process

START = clock.parse_iso("2026-03-01T08:00:00Z")
DUE = clock.parse_iso("2026-03-01T09:00:01Z")


def waiting_instance(engine, system) -> int:
    diagram = build("t", [("start", "s"), ("timer_catch", "wait", '"PT1H"'), user("after", "Danach", "abh"),
                          ("end", "e")], [("s", "wait"), ("wait", "after"), ("after", "e")])
    engine.deploy({"t.bpmn": diagram}, actor=system)
    with clock.frozen(START):
        return engine.start("t", actor=system)


@pytest.fixture
def broken_advance(engine, monkeypatch):
    """Let the instance's advance fail as a lost database connection would, while broken is set."""
    original = engine.executor.advance
    state = {"broken": False}

    def advance(*args, **kwargs):
        if state["broken"]:
            raise RuntimeError("Verbindung verloren")
        return original(*args, **kwargs)

    monkeypatch.setattr(engine.executor, "advance", advance)
    return state


def the_job(db) -> Job:
    with db.reading() as session:
        [job] = session.scalars(select(Job).where(Job.kind == "timer")).all()
        return job


def test_a_failing_timer_job_waits_twice_as_long_before_each_retry(engine, system, db, broken_advance):
    waiting_instance(engine, system)
    broken_advance["broken"] = True
    assert run_due_jobs(engine, now=DUE) == 0
    first = the_job(db)
    assert (first.status, first.attempts) == ("pending", 1)
    assert first.retry_at == DUE + jobs.BACKOFF
    assert run_due_jobs(engine, now=DUE + jobs.BACKOFF / 2) == 0
    assert the_job(db).attempts == 1  # not retried before its pause ended
    run_due_jobs(engine, now=first.retry_at)
    second = the_job(db)
    assert (second.attempts, second.retry_at) == (2, first.retry_at + 2 * jobs.BACKOFF)


def test_a_timer_job_failing_every_attempt_becomes_an_incident_on_its_instance(engine, system, db, broken_advance):
    instance_id = waiting_instance(engine, system)
    broken_advance["broken"] = True
    now = DUE
    for _ in range(jobs.MAX_ATTEMPTS):
        run_due_jobs(engine, now=now)
        now = the_job(db).retry_at or now
    job = the_job(db)
    assert (job.status, job.attempts) == ("failed", jobs.MAX_ATTEMPTS)
    with db.reading() as session:
        [incident] = session.scalars(select(Incident)).all()
        row = session.get(ProcessInstance, instance_id)
        failures = session.scalars(select(AuditEvent).where(AuditEvent.action == "job_failed")).all()
    assert (incident.kind, incident.instance_id, incident.element_id) == ("job", instance_id, "wait")
    assert "Verbindung verloren" in incident.message and "3 Versuchen" in incident.message
    assert row.status == "error"
    assert len(failures) == jobs.MAX_ATTEMPTS


def test_a_retried_job_fires_and_resolves_its_incident(engine, system, db, broken_advance):
    instance_id = waiting_instance(engine, system)
    broken_advance["broken"] = True
    now = DUE
    for _ in range(jobs.MAX_ATTEMPTS):
        run_due_jobs(engine, now=now)
        now = the_job(db).retry_at or now
    broken_advance["broken"] = False
    retry_job(engine, the_job(db).id, system)
    assert run_due_jobs(engine, now=now) == 1
    with db.reading() as session:
        [incident] = session.scalars(select(Incident)).all()
        assert incident.resolved_by == system.name
        assert session.get(ProcessInstance, instance_id).status == "running"
        assert [t.element_id for t in queries.open_tasks(session, instance_id=instance_id)] == ["after"]
        assert session.scalars(select(AuditEvent.action).where(AuditEvent.action == "job_retried")).all()


def test_only_a_failed_job_can_be_retried(engine, system, db):
    waiting_instance(engine, system)
    with pytest.raises(InstanceStateError, match="nicht fehlgeschlagen"):
        retry_job(engine, the_job(db).id, system)


def test_a_failing_timer_start_job_is_stored_failed_on_the_job_and_can_be_retried(engine, system, db, monkeypatch):
    engine.deploy({"daily.bpmn": timer_start_process("<bpmn:timeDate>2027-01-31T12:00:00Z</bpmn:timeDate>")},
                  actor=system)
    original = engine.runner.start
    monkeypatch.setattr(engine.runner, "start", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("kaputt")))
    now = clock.parse_iso("2027-01-31T12:30:00Z")
    for _ in range(jobs.MAX_ATTEMPTS):
        run_due_jobs(engine, now=now)
        now += jobs.BACKOFF * 4
    with db.reading() as session:
        [job] = session.scalars(select(Job)).all()
        assert session.scalars(select(Incident)).all() == []
    assert (job.status, job.attempts) == ("failed", jobs.MAX_ATTEMPTS)
    assert "kaputt" in (job.last_error or "")
    monkeypatch.setattr(engine.runner, "start", original)
    retry_job(engine, job.id, system)
    assert run_due_jobs(engine, now=now) == 1
    with db.reading() as session:
        assert session.scalar(select(ProcessInstance.process_id)) == "daily"


def test_two_timers_of_an_instance_due_at_once_are_both_done_and_audited(engine, system, db):
    diagram = build("two", [("start", "s"), ("and", "fork"), ("timer_catch", "a", '"PT1H"'),
                            ("timer_catch", "b", '"PT1H"'), user("ua", "A", "abh"), user("ub", "B", "abh"),
                            ("end", "ea"), ("end", "eb")],
                    [("s", "fork"), ("fork", "a"), ("fork", "b"), ("a", "ua"), ("b", "ub"), ("ua", "ea"),
                     ("ub", "eb")])
    engine.deploy({"two.bpmn": diagram}, actor=system)
    with clock.frozen(START):
        instance_id = engine.start("two", actor=system)
    run_due_jobs(engine, now=DUE)
    with db.reading() as session:
        assert {j.status for j in session.scalars(select(Job))} == {"done"}
        fired = session.scalars(select(AuditEvent).where(AuditEvent.action == "timer_fired")).all()
        assert sorted(e.details["element_id"] for e in fired) == ["a", "b"]
        assert sorted(t.element_id for t in queries.open_tasks(session, instance_id=instance_id)) == ["ua", "ub"]
