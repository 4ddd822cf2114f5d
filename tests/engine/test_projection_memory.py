"""An instance remembers what it projected: completing a task reads and rewrites only what changed (issue 16)."""

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event, select

from engine.core.actors import Actor
from engine.read import lists as queries
from engine.service import projection
from engine.store.models import HumanTask, Job, ProcessInstance
from tests.conftest import fixture_files

CLERK = Actor("s.mueller", offices=frozenset({"sozialamt"}))


@pytest.fixture
def started(engine, system):
    engine.deploy(fixture_files("two_tasks.bpmn"), actor=system)
    return engine.start("two_tasks", actor=system, business_key="F-1")


@contextmanager
def statements(db) -> Iterator[list[str]]:
    sent: list[str] = []

    def one(_conn, _cursor, statement, *_args) -> None:
        sent.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", one)
    try:
        yield sent
    finally:
        event.remove(db.engine, "before_cursor_execute", one)


def _open(db, instance_id):
    with db.reading() as session:
        return queries.open_tasks(session, instance_id=instance_id)


def test_completing_a_task_reads_no_table_the_instance_left_nothing_in(engine, db, started):
    [task] = _open(db, started)
    with statements(db) as sent:
        engine.complete(task.id, actor=CLERK, data={"amount": 500})  # "decide" comes with a timer
    touched = [s.split(" (")[0] for s in sent if any(t in s for t in ("job", "message_subscription",
                                                                          "external_task"))]
    assert touched == ["INSERT INTO job"]
    assert [t.element_id for t in _open(db, started)] == ["decide"]


def test_the_instance_summary_names_the_open_tasks_the_last_sync_left(engine, db, started):
    [task] = _open(db, started)
    engine.complete(task.id, actor=CLERK, data={"amount": 500})
    [follow_up] = _open(db, started)
    with db.reading() as session:
        row = session.get(ProcessInstance, started)
        [job] = session.scalars(select(Job).where(Job.instance_id == started, Job.status == "pending")).all()
        assert projection.projected(row) == {"tasks": [follow_up.id], "timers": [[job.task_id, job.due_at.isoformat()]],
                                             "messages": [], "external": []}


def test_an_instance_from_before_the_summary_kept_it_reads_its_tables_and_still_projects_right(engine, db, started):
    with db.unit_of_work() as session:
        row = session.get(ProcessInstance, started)
        row.summary = {k: v for k, v in (row.summary or {}).items() if k != projection.PROJECTED}
    [task] = _open(db, started)
    engine.complete(task.id, actor=CLERK, data={"amount": 500})
    with db.reading() as session:
        rows = session.scalars(select(HumanTask).where(HumanTask.instance_id == started)
                               .order_by(HumanTask.created_at)).all()
        assert [(t.element_id, t.status) for t in rows] == [("record", "completed"), ("decide", "open")]
        assert projection.projected(session.get(ProcessInstance, started))["tasks"] == [rows[1].id]
