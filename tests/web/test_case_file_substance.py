"""The case file shows the substance: the person on top, the integration plan with each office's answer, completed
forms read-only for those with need-to-know, late work with a reminder, deadlines that close; no raw codes."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update

from engine.store.models import AuditEvent, HumanTask, ProcessInstance
from tests.web.cases_scene import seed_two_cases
from workflows.cases.models import Deadline, TaskReminder

OVERDUE_DAYS = 5


def _task(session, case_ref: str, element_id: str) -> HumanTask:
    return session.scalar(select(HumanTask).where(HumanTask.case_ref == case_ref,
                                                  HumanTask.element_id == element_id))


def seed_plan_case(database) -> dict:
    """Run the Neuss case to its integration plan: the Sozialamt Neuss has answered, the ABH Neuss is overdue."""
    from engine.service.engine import ProcessEngine
    from tests.web.scenario import complete
    from web.cli import kim_extensions

    refs = seed_two_cases(database)
    engine = ProcessEngine(database, kim_extensions())
    with engine.db.reading() as session:
        instance_id = session.scalar(select(ProcessInstance.id).where(ProcessInstance.case_ref == refs["neuss"]))
    complete(engine, instance_id, "record_referral", source="office", municipality="neuss", language="Arabisch",
             concern="Duldung läuft ab", problem_area_count=4, offices_involved=3, lacks_resources=True,
             interpreter_needed=False, standard_services_failing=False, other_case_management=False)
    complete(engine, instance_id, "record_consent", consent_given=True, consent_abh=True, consent_sozialamt=True,
             consent_categories="Stammdaten, Aufenthalt, Leistungen", consent_purpose="Fallmanagement",
             consent_direction="mutual", revocation_explained=True, consent_jobcenter=False, consent_ebh=False,
             health_data_consent=False)
    complete(engine, instance_id, "assessment", residence_title="duldung", residence_expiry="2036-01-31",
             benefits_type="asylblg", language_level="a2", integration_course="attending", work_status="seeking",
             housing="shared_accommodation")
    complete(engine, instance_id, "integration_plan", goal_area="residence", goal_target="Duldung verlängert",
             goal_priority="high", request_abh=True, measure_abh="Duldung verlängern", request_sozialamt=True,
             measure_sozialamt="Mietkosten übernehmen", measures_due_date="2036-06-30", request_jobcenter=False,
             request_ebh=False,
             next_review_date="2036-07-15")
    complete(engine, instance_id, "request_sozialamt", sozialamt_outcome="done", sozialamt_reference="SOZ-NE-77",
             sozialamt_date="2026-03-02", sozialamt_note="Mietkosten bewilligt")
    with engine.db.unit_of_work() as session:
        abh = _task(session, refs["neuss"], "request_abh")
        abh.due_at = dt.datetime.now(dt.UTC) - dt.timedelta(days=OVERDUE_DAYS, hours=1)
        sozialamt = _task(session, refs["neuss"], "request_sozialamt")
        session.execute(update(HumanTask).where(HumanTask.id == sozialamt.id).values(completed_by="s.neuss"))
        return {**refs, "instance": instance_id, "abh_task": abh.id, "sozialamt_task": sozialamt.id}


@pytest.fixture
def plan_case(services, restore_template):
    return restore_template("cases_plan", seed_plan_case, services.db)


def _audit(services, action: str) -> list[AuditEvent]:
    with services.db.reading() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_the_case_manager_reads_the_person_the_plan_and_each_offices_answer(plan_case, login):
    html = login("c.neuss").get(f"/fall/{plan_case['neuss']}").data.decode()
    assert "Al-Hassan, Mohammed" in html.split("</h1>")[0]
    assert 'id="key-facts"' in html and "17.05.1990" in html
    plan = html.split('id="plan"')[1].split("</section>")[0]
    assert "Zielbereich" in plan and "Aufenthalt" in plan and "Duldung verlängert" in plan and "30.06.2036" in plan
    measures = plan.split('id="plan-measures"')[1]
    assert "Sozialamt Stadt Neuss" in measures and "Mietkosten bewilligt" in measures and "beantwortet" in measures
    assert "Ergebnis" in measures and "erledigt" in measures and "02.03.2026" in measures
    assert "Ausländerbehörde Stadt Neuss" in measures and "überfällig" in measures


def test_no_raw_codes_or_user_names_on_the_case_file(plan_case, login):
    html = login("c.neuss").get(f"/fall/{plan_case['neuss']}").data.decode()
    for raw in ("residence<", ">high<", "sozialamt_neuss", "abh_neuss", "kim_cm_neuss", "s.neuss", "c.neuss",
                "Priorität 50", ">done<", "shared_accommodation", ">duldung<", ">office<"):
        assert raw not in html, raw


def test_the_office_sees_its_own_answer_but_not_the_plan(plan_case, login):
    html = login("s.neuss").get(f"/fall/{plan_case['neuss']}").data.decode()
    assert 'id="plan"' not in html and "Überfällige Aufgaben" not in html
    assert f"/aufgabe/{plan_case['sozialamt_task']}/ansicht" in html


@pytest.mark.parametrize("user", ["c.kaarst", "s.kaarst", "a.neuss"])
def test_a_completed_form_stays_closed_to_other_municipalities_other_units_and_other_offices(plan_case, login,
                                                                                             services, user):
    assert login(user).get(f"/aufgabe/{plan_case['sozialamt_task']}/ansicht").status_code == 404
    assert any(e.actor == user for e in _audit(services, "access_denied"))
    assert not any(e.actor == user for e in _audit(services, "completed_task_viewed"))


@pytest.mark.parametrize("user", ["s.neuss", "c.neuss"])
def test_the_completed_form_opens_read_only_in_the_forms_words(plan_case, login, services, user):
    response = login(user).get(f"/aufgabe/{plan_case['sozialamt_task']}/ansicht")
    html = response.data.decode()
    assert response.status_code == 200
    shown = html.split('id="completed-form"')[1].split("</dl>")[0]
    assert "Rückmeldung an das Fallmanagement" in shown and "Mietkosten bewilligt" in shown
    assert "<dd>erledigt</dd>" in shown and "02.03.2026" in shown and "30.06.2036" in shown
    assert "<input" not in shown and "<textarea" not in shown
    [event] = [e for e in _audit(services, "completed_task_viewed") if e.actor == user]
    assert event.task_id == plan_case["sozialamt_task"] and event.case_ref == plan_case["neuss"]


def test_the_case_file_and_the_completed_form_read_in_english(plan_case, login):
    client = login("c.neuss")
    client.post("/sprache", data={"lang": "en", "next": "/"})
    html = client.get(f"/aufgabe/{plan_case['sozialamt_task']}/ansicht").data.decode()
    assert "Form (read only)" in html and "Mietkosten bewilligt" in html
    case_file = client.get(f"/fall/{plan_case['neuss']}").data.decode()
    assert "Integration plan" in case_file and "Send reminder" in case_file and "days overdue" in case_file
    person = case_file.split('id="person-title"')[1].split("</section>")[0]
    assert "Jan 31, 2036" in person and "31.01.2036" not in person  # form dates in the reader's language


def test_the_timeline_opens_completed_forms_for_case_management(plan_case, login):
    html = login("c.neuss").get(f"/fall/{plan_case['neuss']}").data.decode()
    timeline = html.split('class="timeline"')[1].split("</ol>")[0]
    assert f"/aufgabe/{plan_case['sozialamt_task']}/ansicht" in timeline


def test_lateness_names_the_office_and_the_days(plan_case, login):
    html = login("c.neuss").get(f"/fall/{plan_case['neuss']}").data.decode()
    late = html.split('id="late-work"')[1].split("</section>")[0]
    assert "Ausländerbehörde Stadt Neuss" in late and f"{OVERDUE_DAYS} Tage überfällig" in late
    assert "Erinnerung senden" in late


def test_a_reminder_reaches_the_unit_once_a_day_and_is_audited_without_personal_data(plan_case, login, services):
    client = login("c.neuss")
    url = f"/fall/{plan_case['neuss']}/aufgabe/{plan_case['abh_task']}/erinnerung"
    assert client.post(url).status_code == 302
    client.post(url)
    with services.db.reading() as session:
        reminders = list(session.scalars(select(TaskReminder)))
    assert [(r.task_id, r.unit) for r in reminders] == [(plan_case["abh_task"], "abh_neuss")]
    [event] = _audit(services, "task_reminder_sent")
    assert event.details == {"unit": "abh_neuss", "office": "abh"}
    assert "heute erinnert" in client.get(f"/fall/{plan_case['neuss']}").data.decode()
    task_page = login("a.neuss").get(f"/aufgabe/{plan_case['abh_task']}").data.decode()
    assert 'id="task-reminder"' in task_page and "Das Fallmanagement hat am" in task_page


@pytest.mark.parametrize("user", ["s.neuss", "a.neuss", "c.kaarst", "s.kaarst"])
def test_only_the_responsible_case_management_sends_reminders(plan_case, login, services, user):
    url = f"/fall/{plan_case['neuss']}/aufgabe/{plan_case['abh_task']}/erinnerung"
    assert login(user).post(url).status_code == 404
    with services.db.reading() as session:
        assert session.scalar(select(TaskReminder.id)) is None


def _deadline(services, case_ref: str, label: str) -> Deadline:
    with services.db.reading() as session:
        return session.scalar(select(Deadline).where(Deadline.case_ref == case_ref, Deadline.label == label))


def test_the_measures_deadline_closes_itself_when_the_last_office_has_answered(plan_case, login, services, app):
    from tests.web.scenario import complete

    label = "Maßnahmen aus dem Integrationsplan fällig"
    assert _deadline(services, plan_case["neuss"], label).done_at is None  # the ABH has not answered yet
    complete(services.engine, plan_case["instance"], "request_abh", abh_outcome="done", abh_date="2026-03-04")
    closed = _deadline(services, plan_case["neuss"], label)
    assert closed.done_at is not None and closed.done_by == "system"
    assert _deadline(services, plan_case["neuss"], "Aufenthaltstitel läuft ab").done_at is None  # an expiry stays
    assert [e.task_id for e in _audit(services, "deadline_closed_with_task")] == [plan_case["abh_task"]]
    assert "mit der Aufgabe erledigt" in login("c.neuss").get(f"/fall/{plan_case['neuss']}").data.decode()


def test_case_management_closes_a_deadline_by_hand_only_with_a_reason(plan_case, login, services):
    deadline = _deadline(services, plan_case["neuss"], "Aufenthaltstitel läuft ab")
    url = f"/fall/{plan_case['neuss']}/frist/{deadline.id}/schliessen"
    client = login("c.neuss")
    client.post(url, data={"grund": "  "})
    assert _deadline(services, plan_case["neuss"], "Aufenthaltstitel läuft ab").done_at is None
    client.post(url, data={"grund": "Neuer Titel liegt vor"})
    closed = _deadline(services, plan_case["neuss"], "Aufenthaltstitel läuft ab")
    assert closed.done_reason == "Neuer Titel liegt vor" and closed.done_by == "c.neuss"
    [event] = _audit(services, "deadline_closed_by_hand")
    assert "Neuer Titel" not in str(event.details)
    assert "geschlossen: Neuer Titel liegt vor" in client.get(f"/fall/{plan_case['neuss']}").data.decode()


@pytest.mark.parametrize("user", ["s.neuss", "c.kaarst", "s.kaarst"])
def test_only_the_responsible_case_management_closes_deadlines(plan_case, login, services, user):
    deadline = _deadline(services, plan_case["neuss"], "Aufenthaltstitel läuft ab")
    response = login(user).post(f"/fall/{plan_case['neuss']}/frist/{deadline.id}/schliessen",
                                data={"grund": "weg damit"})
    assert response.status_code == 404
    assert _deadline(services, plan_case["neuss"], "Aufenthaltstitel läuft ab").done_at is None


def test_anonymising_the_case_erases_a_reason_typed_by_hand(plan_case, login, services):
    from workflows import retention
    from workflows.cases.models import Case

    deadline = _deadline(services, plan_case["neuss"], "Aufenthaltstitel läuft ab")
    login("c.neuss").post(f"/fall/{plan_case['neuss']}/frist/{deadline.id}/schliessen",
                          data={"grund": "Herr Al-Hassan hat den neuen Titel"})
    with services.db.unit_of_work() as session:
        case = session.scalar(select(Case).where(Case.case_ref == plan_case["neuss"]))
        retention.anonymise_case(services.engine, session, case, actor="system")
    assert _deadline(services, plan_case["neuss"], "Aufenthaltstitel läuft ab").done_reason == ""


@pytest.mark.parametrize("path", ["/frist/99999999999999999999/schliessen", "/aufgabe/" + "x" * 300 + "/erinnerung"])
def test_an_out_of_range_id_in_the_address_is_a_plain_404(plan_case, login, path):
    response = login("c.neuss").post(f"/fall/{plan_case['neuss']}{path}", data={"grund": "weg"})
    assert response.status_code == 404
