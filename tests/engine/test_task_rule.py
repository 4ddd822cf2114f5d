"""One rule for whose task it is: units, office, assignee, candidate users and deputies, in every view."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.core import clock
from engine.core.actors import Actor
from engine.core.errors import NotFound, TaskStateError
from engine.read.inbox import inbox
from engine.service import task_rule
from engine.store.models import AuditEvent, HumanTask
from tests.bpmn_builder import build, user

NEUSS_A = Actor("a.neuss", units=frozenset({"sozialamt_neuss_a"}), offices=frozenset({"sozialamt"}))
NEUSS_B = Actor("b.neuss", units=frozenset({"sozialamt_neuss_b"}), offices=frozenset({"sozialamt"}))
KAARST = Actor("c.kaarst", units=frozenset({"sozialamt_kaarst"}), offices=frozenset({"sozialamt"}))


def _personal_process(**attrs: str) -> dict[str, str]:
    xml = build("personal", [("start", "s"), user("check", "Prüfen", None, **attrs), ("end", "e")],
                [("s", "check"), ("check", "e")])
    return {"personal.bpmn": xml}


def _views(db, actor: Actor) -> dict[str, list[str]]:
    with db.reading() as session:
        return {view: [t.element_id for t in inbox(session, view, actor, now=clock.now()).items]
                for view in ("mine", "group")}


def test_a_task_with_only_an_assignee_lands_in_the_assignees_own_inbox(engine, db, system):
    engine.deploy(_personal_process(assignee="a.neuss"), actor=system)
    engine.start("personal", actor=system)
    assert _views(db, NEUSS_A)["mine"] == ["check"]
    assert _views(db, NEUSS_B) == {"mine": [], "group": []}
    assert _views(db, KAARST) == {"mine": [], "group": []}


def test_a_task_offered_to_candidate_users_lands_in_their_group_inbox_only(engine, db, system):
    engine.deploy(_personal_process(candidateUsers="a.neuss, c.kaarst"), actor=system)
    engine.start("personal", actor=system)
    assert _views(db, NEUSS_A)["group"] == ["check"]
    assert _views(db, KAARST)["group"] == ["check"]
    assert _views(db, NEUSS_B)["group"] == []


def test_the_assignee_completes_the_task_and_others_get_not_found(engine, db, system):
    engine.deploy(_personal_process(assignee="a.neuss"), actor=system)
    instance = engine.start("personal", actor=system)
    with db.reading() as session:
        task_id = session.scalars(select(HumanTask.id)).one()
    with pytest.raises(NotFound):
        engine.complete(task_id, actor=NEUSS_B, data={})
    assert engine.complete(task_id, actor=NEUSS_A, data={}) == "completed"
    assert engine.show(instance).status == "completed"


def test_a_refused_attempt_is_audited_although_the_verb_fails(engine, db, system):
    engine.deploy(_personal_process(assignee="a.neuss"), actor=system)
    engine.start("personal", actor=system)
    with db.reading() as session:
        task_id = session.scalars(select(HumanTask.id)).one()
    with pytest.raises(NotFound):
        engine.claim(task_id, actor=KAARST)
    with db.reading() as session:
        denied = session.scalars(select(AuditEvent).where(AuditEvent.action == "access_denied")).all()
    assert [(e.actor, e.task_id) for e in denied] == [("c.kaarst", task_id)]


def test_a_deputy_works_the_personal_tasks_of_the_absent_colleague():
    task = HumanTask(unit=None, office=None, assignee="a.neuss", candidate_users=[])
    deputy = Actor("b.neuss", units=frozenset({"sozialamt_neuss_b"}), stands_in_for=frozenset({"a.neuss"}))
    assert task_rule.available_to(deputy, task)
    assert not task_rule.available_to(NEUSS_B, task)


@pytest.mark.parametrize(("actor", "expected"), [(NEUSS_A, True), (NEUSS_B, False), (KAARST, False)])
def test_a_unit_task_is_available_to_its_unit_only_not_to_the_same_office_elsewhere(actor, expected):
    task = HumanTask(unit="sozialamt_neuss_a", office="sozialamt", assignee=None, candidate_users=[])
    assert task_rule.available_to(actor, task) is expected


def test_the_state_machine_refuses_work_on_a_cancelled_task():
    with pytest.raises(TaskStateError, match="abgebrochen"):
        task_rule.transition(HumanTask(status="cancelled"), "complete")
    assert task_rule.transition(HumanTask(status="open"), "claim") == "claimed"
    with pytest.raises(TaskStateError):
        task_rule.transition(HumanTask(status="completed"), "unclaim")


def test_two_clerks_claiming_at_once_leave_exactly_one_holder(engine, db, system):
    engine.deploy(_personal_process(candidateUsers="a.neuss, c.kaarst"), actor=system)
    engine.start("personal", actor=system)
    with db.reading() as session:
        task_id = session.scalars(select(HumanTask.id)).one()
    engine.claim(task_id, actor=NEUSS_A)
    with pytest.raises(Exception, match="übernommen|bearbeitet|c.kaarst|a.neuss"):
        engine.claim(task_id, actor=KAARST)
    assert engine.task(task_id).claimed_by == "a.neuss"
