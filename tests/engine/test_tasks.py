"""The human-task projection and the task lifecycle: open -> claimed -> completed / cancelled."""

import pytest
from sqlalchemy import select

from engine.core.actors import Actor
from engine.core.errors import FormErrors, NotFound, TaskAlreadyCompleted, TaskClaimedByOther
from engine.read import lists as queries
from engine.store import audit
from engine.store.models import HumanTask
from tests.conftest import fixture_files

CLERK = Actor("s.mueller", offices=frozenset({"sozialamt"}))
COLLEAGUE = Actor("k.schmidt", offices=frozenset({"sozialamt"}))
OUTSIDER = Actor("j.berg", offices=frozenset({"jobcenter"}))


@pytest.fixture
def started(engine, system):
    engine.deploy(fixture_files("two_tasks.bpmn"), actor=system)
    return engine.start("two_tasks", actor=system, business_key="F-1")


def open_task(db, instance_id):
    with db.reading() as session:
        return queries.open_tasks(session, instance_id=instance_id)[0]


def test_start_projects_the_first_user_task_with_office_due_date_and_priority(engine, db, started):
    task = open_task(db, started)
    assert (task.element_id, task.name, task.office, task.status) == ("record", "Antrag erfassen", "sozialamt", "open")
    assert task.priority == 70
    assert task.due_at is not None and (task.due_at - task.created_at).days == 10
    assert task.business_key == "F-1"


def test_invalid_form_data_reports_every_field_and_changes_nothing(engine, db, started):
    task = open_task(db, started)
    with pytest.raises(FormErrors) as err:
        engine.complete(task.id, actor=CLERK, data={"amount": "viel"})
    assert "amount" in err.value.errors
    assert open_task(db, started).id == task.id
    assert engine.show(started).data.get("amount") is None


def test_completing_moves_the_process_to_the_next_office(engine, db, started):
    engine.complete(open_task(db, started).id, actor=CLERK, data={"amount": 250})
    nxt = open_task(db, started)
    assert (nxt.element_id, nxt.office) == ("decide", "jobcenter")
    assert engine.show(started).data["amount"] == 250


def test_completing_a_task_a_colleague_already_completed_says_who(engine, db, started):
    task = open_task(db, started)
    engine.complete(task.id, actor=COLLEAGUE, data={"amount": 5})
    with pytest.raises(TaskAlreadyCompleted) as err:
        engine.complete(task.id, actor=CLERK, data={"amount": 7})
    assert "k.schmidt" in str(err.value)
    assert engine.show(started).data["amount"] == 5


def test_a_task_claimed_by_a_colleague_cannot_be_claimed_or_completed(engine, db, started):
    task = open_task(db, started)
    engine.claim(task.id, actor=COLLEAGUE)
    with pytest.raises(TaskClaimedByOther):
        engine.claim(task.id, actor=CLERK)
    with pytest.raises(TaskClaimedByOther):
        engine.complete(task.id, actor=CLERK, data={"amount": 1})
    engine.unclaim(task.id, actor=COLLEAGUE)
    engine.claim(task.id, actor=CLERK)
    with db.reading() as session:
        assert queries.my_tasks(session, "s.mueller").total == 1


def test_another_office_gets_not_found_and_the_attempt_is_audited(engine, db, started):
    task = open_task(db, started)
    with pytest.raises(NotFound):
        engine.claim(task.id, actor=OUTSIDER)
    with db.reading() as session:
        actions = [e.action for e in audit.events(session, actor="j.berg")]
    assert actions == ["access_denied"]


def test_delegating_hands_the_task_to_a_colleague_of_the_office_only(engine, db, started):
    task = open_task(db, started)
    engine.delegate(task.id, actor=CLERK, to=COLLEAGUE)
    assert open_task(db, started).claimed_by == "k.schmidt"
    with pytest.raises(Exception, match="gehört nicht"):
        engine.delegate(task.id, actor=COLLEAGUE, to=OUTSIDER)


def test_a_boundary_timer_cancels_the_task_it_interrupts(engine, db, started):
    from engine.core.clock import parse_iso
    from engine.service.jobs import run_due_jobs

    engine.complete(open_task(db, started).id, actor=CLERK, data={"amount": 250})
    decide = open_task(db, started)
    assert run_due_jobs(engine, now=parse_iso("2099-01-01T00:00:00Z")) == 1
    with db.reading() as session:
        assert session.get(HumanTask, decide.id).status == "cancelled"
    assert engine.show(started).status == "completed"


def test_the_audit_log_records_start_claim_and_completion(engine, db, started):
    task = open_task(db, started)
    engine.claim(task.id, actor=CLERK)
    engine.complete(task.id, actor=CLERK, data={"amount": 1})
    with db.reading() as session:
        events = [(e.actor, e.action) for e in reversed(audit.events(session, instance_id=started))]
        rows = session.scalars(select(HumanTask).where(HumanTask.instance_id == started)).all()
    assert events[:3] == [("test", "instance_started"), ("s.mueller", "task_claimed"), ("s.mueller", "task_completed")]
    assert {r.status for r in rows} == {"completed"}


def test_a_completed_task_stays_completed_while_the_process_moves_on(engine, db, started):
    task = open_task(db, started)
    engine.complete(task.id, actor=CLERK, data={"amount": 250})
    with db.reading() as session:
        row = session.get(HumanTask, task.id)
    assert (row.status, row.completed_by) == ("completed", "s.mueller")
    with db.reading() as session:
        assert queries.completed_by(session, "s.mueller").total == 1
