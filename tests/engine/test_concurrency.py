"""Optimistic concurrency: two writers on one instance never both succeed; the loser changes nothing.

Races through the façade: of clerks completing or claiming one task at once, exactly one wins and every other one
gets an error naming the winner (never a database error).
"""

import threading

import pytest
from sqlalchemy import text

from engine.core.actors import Actor
from engine.core.errors import ConcurrentModification, TaskAlreadyCompleted, TaskClaimedByOther
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


CLERKS = 8


def _at_once(count: int, work) -> list:
    """Run `work(i)` in `count` threads released together; return each result or the exception it raised."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def one(index: int) -> None:
        barrier.wait()
        try:
            results[index] = work(index)
        except Exception as err:  # noqa: BLE001 - the outcome under test
            results[index] = err

    threads = [threading.Thread(target=one, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _clerk(index: int) -> Actor:
    return Actor(f"clerk{index}", offices=frozenset({"abh"}))


def _one_task(engine, system, db) -> str:
    engine.deploy({"par.bpmn": parallel_process()}, actor=system)
    instance_id = engine.start("par", actor=system)
    with db.reading() as session:
        return next(t.id for t in queries.open_tasks(session, instance_id=instance_id) if t.element_id == "a")


def test_of_clerks_completing_one_task_at_once_one_wins_and_the_others_learn_who_and_when(engine, system, db):
    task_id = _one_task(engine, system, db)
    results = _at_once(CLERKS, lambda i: engine.complete(task_id, actor=_clerk(i), data={}))
    winners = [i for i, r in enumerate(results) if r == "running"]
    losers = [r for r in results if isinstance(r, TaskAlreadyCompleted)]
    assert len(winners) == 1 and len(losers) == CLERKS - 1, results
    assert {r.completed_by for r in losers} == {f"clerk{winners[0]}"}
    assert all(r.completed_at is not None and "bereits von clerk" in str(r) for r in losers)


def test_of_clerks_claiming_one_task_at_once_exactly_one_holds_it_and_the_others_are_told_who(engine, system, db):
    task_id = _one_task(engine, system, db)
    results = _at_once(CLERKS, lambda i: engine.claim(task_id, actor=_clerk(i)))
    holder = engine.task(task_id).claimed_by
    refused = [r for r in results if isinstance(r, TaskClaimedByOther)]
    assert [f"clerk{i}" for i, r in enumerate(results) if r is None] == [holder]
    assert len(refused) == CLERKS - 1 and {r.claimed_by for r in refused} == {holder}
