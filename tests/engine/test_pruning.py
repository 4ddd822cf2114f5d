"""Long-lived instances: completed history is cut, so loops stay cheap and never exceed the tree depth."""

import json

from engine.core import clock
from engine.read import lists as queries
from engine.service.jobs import run_due_jobs
from engine.store.models import ProcessInstance
from tests.bpmn_builder import build, user


def review_loop():
    """Monthly review with a reminder timer and two parallel checks, repeated until `done`."""
    # flow_10 (again -> e) is the default flow
    return build("review", [
        ("start", "s"), ("script", "init", "cycle = 0"), ("xor", "merge"),
        ("and", "split"), user("check_a", "Prüfen A", "kim_cm"), user("check_b", "Prüfen B", "abh"), ("and", "join"),
        ("boundary_timer", "remind", "check_a", '"P30D"', False), ("end", "reminded"),
        ("script", "count", "cycle = cycle + 1"), ("xor", "again", "flow_10"), ("end", "e")],
        [("s", "init"), ("init", "merge"), ("merge", "split"), ("split", "check_a"), ("split", "check_b"),
         ("check_a", "join"), ("check_b", "join"), ("join", "count"), ("count", "again"),
         ("again", "merge", "not done"), ("again", "e"), ("remind", "reminded")])


def complete_all(engine, db, system, instance_id, data):
    with db.reading() as session:
        tasks = queries.open_tasks(session, instance_id=instance_id)
    for task in tasks:
        engine.complete(task.id, actor=system, data=data)
    return len(tasks)


def test_a_long_loop_keeps_its_tree_small_and_its_data_and_timers_right(engine, system, db):
    engine.deploy({"review.bpmn": review_loop()}, actor=system)
    instance_id = engine.start("review", actor=system)
    for _ in range(120):
        assert complete_all(engine, db, system, instance_id, {"done": False}) == 2
    with db.reading() as session:
        state = json.loads(session.get(ProcessInstance, instance_id).state)
    assert len(state["tasks"]) < 400
    assert engine.show(instance_id).data["cycle"] == 120
    assert run_due_jobs(engine, now=clock.parse_iso("2099-01-01T00:00:00Z")) == 1  # the current reminder fires
    with db.reading() as session:
        assert sorted(t.element_id for t in queries.open_tasks(session, instance_id=instance_id)) == ["check_a",
                                                                                                      "check_b"]
    complete_all(engine, db, system, instance_id, {"done": True})
    view = engine.show(instance_id)
    assert (view.status, view.data["cycle"]) == ("completed", 121)


def test_a_loop_back_into_a_parallel_gateway_is_not_cut_where_its_join_looks_back(engine, system, db):
    diagram = review_loop().replace('targetRef="merge"', 'targetRef="split"')  # loop and start enter the split
    engine.deploy({"review.bpmn": diagram}, actor=system)
    instance_id = engine.start("review", actor=system)
    for _ in range(60):
        assert complete_all(engine, db, system, instance_id, {"done": False}) == 2
    complete_all(engine, db, system, instance_id, {"done": True})
    assert engine.show(instance_id).status == "completed"
