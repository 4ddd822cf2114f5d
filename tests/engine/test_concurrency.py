"""Optimistic concurrency: two writers on one instance never both succeed; the loser changes nothing."""

import pytest
from sqlalchemy import text

from engine.core.errors import ConcurrentModification
from engine.read import lists as queries
from tests.bpmn_builder import build, user


def parallel_process():
    return build("par", [("start", "s"), ("and", "split"), user("a", "Teil A", "abh"), user("b", "Teil B", "jobcenter"),
                         ("and", "join"), ("end", "e")],
                 [("s", "split"), ("split", "a"), ("split", "b"), ("a", "join"), ("b", "join"), ("join", "e")])


def test_a_writer_that_loaded_an_outdated_revision_fails_and_writes_nothing(engine, system, db, monkeypatch):
    engine.deploy({"par.bpmn": parallel_process()}, actor=system)
    instance_id = engine.start("par", actor=system)
    with db.reading() as session:
        task_a, task_b = queries.open_tasks(session, instance_id=instance_id)
    real_load = engine.executor.load

    def load_then_colleague_writes(session, row):
        workflow = real_load(session, row)
        with db.engine.begin() as other:  # a colleague's transaction commits in between
            other.execute(text("UPDATE process_instance SET revision = revision + 1 WHERE id = :id"), {"id": row.id})
        return workflow

    monkeypatch.setattr(engine.executor, "load", load_then_colleague_writes)
    with pytest.raises(ConcurrentModification):
        engine.complete(task_a.id, actor=system, data={})
    monkeypatch.undo()
    with db.reading() as session:
        still_open = {t.element_id for t in queries.open_tasks(session, instance_id=instance_id)}
    assert still_open == {"a", "b"}
    engine.complete(task_a.id, actor=system, data={})
    engine.complete(task_b.id, actor=system, data={})
    assert engine.show(instance_id).status == "completed"
