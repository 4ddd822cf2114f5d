"""The case file decides a task basis from the case's tasks it has read: the same answer as the query, for everyone.

The world is the access matrix's (two municipalities, two case-management units, open and completed tasks, a
consent) and the web scene (a benefit transfer waiting at one Sozialamt clerk's unit).
"""

from __future__ import annotations

import pytest

from engine.core import clock
from engine.core.errors import NotFound
from engine.identity import org
from engine.store.models import HumanTask
from tests.web.scenario import CLERKS
from tests.web.test_access_matrix import seed_matrix
from workflows.cases.files import tasks_of_case
from workflows.cases.visibility import visible_case
from workflows.demo.users import demo_users


@pytest.fixture
def residents(services, restore_template) -> list[dict]:
    """The access matrix's two residents (Neuss, Kaarst): case_ref and an open task of each."""
    return list(restore_template("access_matrix", seed_matrix, services.db).values())


def _seen(session, case_ref: str, username: str, **known) -> tuple[str, frozenset[str]] | None:
    actor = org.actor_for(session, username, clock.now())
    try:
        view = visible_case(session, case_ref, actor, clock.now(), audited=False, **known)
    except NotFound:
        return None
    return view.basis, view.categories


def test_every_demo_account_sees_both_cases_alike_whether_the_tasks_are_queried_or_already_read(services,
                                                                                               residents):
    with services.db.reading() as session:
        for person in residents:
            ref = person["case_ref"]
            tasks, held = tasks_of_case(session, ref), session.get(HumanTask, person["open_task"])
            outcomes = set()
            for user in demo_users():
                queried = _seen(session, ref, user.username)
                assert _seen(session, ref, user.username, case_tasks=tasks) == queried, user.username
                assert _seen(session, ref, user.username, held_task=held) == queried, user.username
                outcomes.add(queried is None)
            assert outcomes == {True, False}  # some accounts see the case and some do not: the check can fail


@pytest.mark.parametrize("username", sorted(CLERKS))
def test_the_task_at_hand_gives_the_same_basis_as_the_query_for_every_clerk(services, scene, username):
    with services.db.reading() as session:
        task = session.get(HumanTask, scene.sozialamt_task)
        tasks = tasks_of_case(session, scene.case_ref)
        queried = _seen(session, scene.case_ref, username)
        assert _seen(session, scene.case_ref, username, held_task=task) == queried
        assert _seen(session, scene.case_ref, username, case_tasks=tasks) == queried
        if username == "s.sozial":  # the Sozialamt clerk sees the case through the open task alone
            assert queried is not None and queried[0] == "legal basis: task"
