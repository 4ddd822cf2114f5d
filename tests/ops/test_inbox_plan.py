"""The group inbox read through index-served branches lists exactly what the task rule makes available."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update

from engine.core.actors import Actor
from engine.read import inbox
from engine.service.task_rule import available_to
from engine.store.models import HumanTask, TaskCandidate
from tests.bpmn_builder import linear

# (unit, office, assignee, candidate, due in days) per task: two units of one office, two municipalities.
SHAPES = [("sozialamt_neuss", "sozialamt", None, None, 3), ("sozialamt_kaarst", "sozialamt", None, None, 1),
          (None, "sozialamt", None, None, None), (None, "jobcenter", None, None, 2),
          ("jobcenter_rkn", "jobcenter", "s.sozial", None, 5), ("abh_neuss", "abh", None, "s.sozial", None),
          ("sozialamt_neuss", "sozialamt", None, None, None), ("abh_kaarst", "abh", "k.kaarst", None, 0)]


def _tasks(engine, system) -> list[str]:
    engine.deploy({"p.bpmn": linear("p", tasks=1)}, actor=system)
    for _ in SHAPES:
        engine.start("p", actor=system, data={})
    now = dt.datetime.now(dt.UTC)
    with engine.db.unit_of_work() as session:
        ids = list(session.scalars(select(HumanTask.id).order_by(HumanTask.instance_id)))
        for task_id, (unit, office, assignee, candidate, due) in zip(ids, SHAPES, strict=True):
            session.execute(update(HumanTask).where(HumanTask.id == task_id).values(
                unit=unit, office=office, assignee=assignee,
                due_at=now + dt.timedelta(days=due) if due is not None else None))
            if candidate:
                session.add(TaskCandidate(task_id=task_id, username=candidate))
    return ids


def test_the_group_view_lists_exactly_the_available_tasks_in_due_order(engine, system):
    _tasks(engine, system)
    clerk = Actor(name="s.sozial", units=frozenset({"sozialamt_neuss"}), offices=frozenset({"sozialamt"}))
    with engine.db.reading() as session:
        every = list(session.scalars(select(HumanTask)))
        page = inbox.inbox(session, "group", clerk, now=dt.datetime.now(dt.UTC), limit=50)
        expected = [t for t in every if available_to(clerk, t) or t.id in _candidate_ids(session, "s.sozial")]
    assert {t.id for t in page.items} == {t.id for t in expected} and page.total == len(expected)
    assert "sozialamt_kaarst" not in {t.unit for t in page.items}  # the colleague unit of the same office
    dated = [t.due_at for t in page.items if t.due_at is not None]
    assert dated == sorted(dated) and page.items[-1].due_at is None


def test_a_small_page_and_its_next_page_split_the_view_without_overlap(engine, system):
    _tasks(engine, system)
    clerk = Actor(name="s.sozial", units=frozenset({"sozialamt_neuss"}), offices=frozenset({"sozialamt"}))
    now = dt.datetime.now(dt.UTC)
    with engine.db.reading() as session:
        whole = [t.id for t in inbox.inbox(session, "group", clerk, now=now, limit=50).items]
        first = [t.id for t in inbox.inbox(session, "group", clerk, now=now, limit=2).items]
        second = [t.id for t in inbox.inbox(session, "group", clerk, now=now, limit=2, offset=2).items]
    assert first + second == whole[:4]


def _candidate_ids(session, username: str) -> set[str]:
    return set(session.scalars(select(TaskCandidate.task_id).where(TaskCandidate.username == username)))
