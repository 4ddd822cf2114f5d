"""Concurrent workers on external tasks: each task is done exactly once, a dead worker's tasks are not lost.

Meaningful on PostgreSQL (FOR UPDATE SKIP LOCKED); on SQLite the compare-and-set path runs the same scenario.
"""

import datetime as dt
import threading
import time
from collections import Counter

from sqlalchemy import func, select

from engine.core.errors import ConcurrentModification
from engine.service import external_tasks as ext
from engine.store.models import ProcessInstance
from tests.engine.test_external_tasks import TOPIC, external_process

INSTANCES = 30


def _work(engine, actor, name: str, done: Counter, errors: list, deadline: float,
          all_started: threading.Barrier | None = None) -> None:
    while time.monotonic() < deadline:
        try:
            fetched = ext.fetch_and_lock(engine, name, [TOPIC], max_tasks=3, lock_duration=dt.timedelta(seconds=20))
            if all_started is not None:  # every worker holds work of its own before any goes on
                all_started.wait(timeout=30)
                all_started = None
            if not fetched and _all_done(engine):
                return
            for task in fetched:
                ext.complete(engine, task.id, name, actor=actor, variables={"von": name})
                done[task.id] += 1
            if not fetched:
                time.sleep(0.05)  # the dead worker's locks have not expired yet
        except (ConcurrentModification, ext.ExternalTaskError) as err:
            errors.append(err)


def _all_done(engine) -> bool:
    with engine.db.reading() as session:
        return not session.scalar(select(func.count()).select_from(ProcessInstance)
                                  .where(ProcessInstance.status == "running"))


def test_three_workers_do_every_task_exactly_once_and_a_dead_workers_tasks_are_finished_by_others(engine, system):
    engine.deploy({"ext.bpmn": external_process()}, actor=system)
    ids = [engine.start("ext", actor=system) for _ in range(INSTANCES)]
    # A worker fetches five tasks with a short lock, then dies without a word.
    dead = ext.fetch_and_lock(engine, "dead", [TOPIC], max_tasks=5, lock_duration=dt.timedelta(seconds=1))
    assert len(dead) == 5
    done: Counter = Counter()
    errors: list = []
    deadline = time.monotonic() + 60
    all_started = threading.Barrier(3)
    workers = [threading.Thread(target=_work, args=(engine, system, f"w{i}", done, errors, deadline, all_started))
               for i in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    assert len(done) == INSTANCES and set(done.values()) == {1}
    assert {task.id for task in dead} <= set(done)
    assert {engine.show(i).status for i in ids} == {"completed"}
    assert {engine.show(i).data["von"] for i in ids} == {"w0", "w1", "w2"}  # the work was really shared
