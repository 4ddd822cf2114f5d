"""Escalations in kim_case go to the team leads of the responsible unit and stay in the unit's queue."""

import datetime as dt

import pytest

from engine.core import clock
from engine.identity import org
from engine.identity.models import User
from engine.read.inbox import inbox
from engine.service.jobs import run_due_jobs
from engine.service.task_rule import available_to
from tests.workflows.conftest import open_tasks, start_case, task, to_monitoring
from workflows.demo.users import ensure_users


def _staff(session, username: str, unit: str, *, lead: bool = False) -> None:
    session.add(User(username=username, display_name=username.title(), password_hash="-", role="staff", active=True,
                     failed_logins=0, session_version=1, language="de", created_at=clock.now()))
    session.flush()
    org.add_membership(session, username, unit, actor="admin")
    if lead:
        org.set_team_lead(session, username, unit, actor="admin")


@pytest.fixture
def staffed(kim):
    """Return the KIM engine with a team lead and a clerk in the district ABH and a team lead in Neuss."""
    with kim.db.unit_of_work() as session:
        _staff(session, "krause", "abh_kreis", lead=True)
        _staff(session, "yilmaz", "abh_kreis")
        _staff(session, "nowak", "abh_neuss", lead=True)
        session.commit()
    return kim


def _escalate(engine, municipality: str) -> str:
    """Walk a case to an ABH request and let both its timers run out; return the case reference."""
    case_ref = start_case(engine, municipality)
    to_monitoring(engine, case_ref, municipality, requests={"request_abh": True, "measure_abh": "Duldung verlängern"})
    now = clock.now()
    run_due_jobs(engine, now=now + dt.timedelta(days=15))
    run_due_jobs(engine, now=now + dt.timedelta(days=23))
    return case_ref


def test_an_overdue_request_escalates_to_the_team_lead_of_the_responsible_unit(staffed):
    case_ref = _escalate(staffed, "kaarst")
    escalation = task(staffed, case_ref, "escalate_abh")
    assert (escalation.unit, escalation.candidate_users) == ("abh_kreis", ["krause"])


def test_the_escalation_for_a_neuss_resident_goes_to_the_neuss_team_lead(staffed):
    case_ref = _escalate(staffed, "neuss")
    escalation = task(staffed, case_ref, "escalate_abh")
    assert (escalation.unit, escalation.candidate_users) == ("abh_neuss", ["nowak"])


def test_ordinary_requests_have_no_candidate_users(staffed):
    case_ref = start_case(staffed, "kaarst")
    to_monitoring(staffed, case_ref, "kaarst", requests={"request_abh": True})
    assert task(staffed, case_ref, "request_abh").candidate_users == []


def test_the_escalation_stays_in_the_unit_queue_so_a_deputy_or_colleague_can_act(staffed):
    case_ref = _escalate(staffed, "kaarst")
    escalation = task(staffed, case_ref, "escalate_abh")
    with staffed.db.reading() as session:
        lead, clerk, other = (org.actor_for(session, name) for name in ("krause", "yilmaz", "nowak"))
        queues = {a.name: [t.id for t in inbox(session, "group", a, now=clock.now()).items]
                  for a in (lead, clerk, other)}
    assert queues == {"krause": [escalation.id], "yilmaz": [escalation.id], "nowak": []}
    assert available_to(clerk, escalation)
    assert not available_to(other, escalation)


def test_a_unit_without_a_team_lead_gets_the_escalation_for_the_whole_unit(kim):
    case_ref = _escalate(kim, "dormagen")
    escalation = task(kim, case_ref, "escalate_abh")
    assert (escalation.unit, escalation.candidate_users) == ("abh_dormagen", [])
    assert [t.element_id for t in open_tasks(kim, case_ref)] == ["escalate_abh"]


def test_the_demo_marks_the_clerk_of_every_unit_as_its_team_lead_once(kim):
    with kim.db.unit_of_work() as session:
        ensure_users(session)
        session.commit()
    with kim.db.unit_of_work() as session:
        assert org.team_leads(session, "abh_kreis") == ["abh-kreis"]
        org.set_team_lead(session, "abh-kreis", "abh_kreis", False, actor="admin")
        ensure_users(session)  # a second demo run keeps the administrator's change
        session.commit()
    with kim.db.reading() as session:
        assert org.team_leads(session, "abh_kreis") == []
        assert org.team_leads(session, "sozialamt_kaarst") == ["sozialamt-kaarst"]


def test_moving_the_case_hands_the_escalation_to_the_new_units_team_lead(staffed):
    from engine.core.actors import Actor
    from workflows.cases.files import move_case

    case_ref = _escalate(staffed, "kaarst")
    move_case(staffed, case_ref, "neuss", actor=Actor.system_actor("admin"))
    escalation = task(staffed, case_ref, "escalate_abh")
    assert (escalation.unit, escalation.candidate_users) == ("abh_neuss", ["nowak"])
