"""The case list finds the cases of an actor's open tasks one way per index; together the ways are the task rule.

The world is the access matrix's (two municipalities, open and completed tasks), with tasks addressed in person
(assignee, candidate user, a deputy's) and one claimed, so that every way has a task to find.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import or_, select, union

from engine.core import clock
from engine.identity import org
from engine.service import task_rule
from engine.store.models import HumanTask
from tests.web.test_access_matrix import seed_matrix
from workflows.cases.visibility import held_case_refs
from workflows.demo.users import demo_users


@pytest.fixture
def residents(services, restore_template) -> list[dict]:
    """The access matrix's residents, their open tasks addressed in person to some of the demo accounts."""
    people = list(restore_template("access_matrix", seed_matrix, services.db).values())
    users = sorted(u.username for u in demo_users() if u.role == "staff")
    with services.db.unit_of_work() as session:
        neuss, kaarst = (session.get(HumanTask, p["open_task"]) for p in people)
        neuss.assignee, neuss.unit = users[0], None  # found by the assignee and by its office (no unit)
        kaarst.offer_to([users[1]])
        kaarst.status, kaarst.claimed_by = task_rule.CLAIMED, users[3]
        org.set_deputy(session, users[1], users[2], dt.date(2020, 1, 1), None, actor="test")  # stands in for 1
    return people


def test_the_ways_together_find_the_cases_of_exactly_the_tasks_the_rule_gives_every_account(services, residents):
    found_by = [0] * 5  # claimant, assignee, candidate, unit, office: each way finds a case for someone
    with services.db.reading() as session:
        for user in demo_users():
            actor = org.actor_for(session, user.username, clock.now())
            rule = set(session.scalars(select(HumanTask.case_ref).where(
                HumanTask.status.in_(task_rule.OPEN_STATES), HumanTask.case_ref.is_not(None),
                or_(task_rule.available_clause(actor), HumanTask.claimed_by == actor.name))))
            ways = held_case_refs(actor)
            assert set(session.scalars(union(*ways))) == rule, user.username
            if len(ways) == len(found_by):
                found_by = [n + bool(session.scalars(way).first()) for n, way in zip(found_by, ways, strict=True)]
    assert all(found_by), found_by
