"""The inbox: three views with badges, claim/unclaim/delegate, filters, search and pagination."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update

from engine.store.models import AuditEvent, HumanTask
from workflows.cases.consent import record_consent


def release_names(services, case_ref: str) -> None:
    """Record the statutory basis that releases the person's master data to the Sozialamt."""
    with services.db.unit_of_work() as session:
        record_consent(session, case_ref, "sozialamt", ["stammdaten"], "Leistungswechsel", actor="test",
                       valid_from=dt.date(2020, 1, 1), legal_basis="§ 69 SGB X")


def test_without_released_master_data_the_inbox_shows_no_name_and_name_search_finds_nothing(scene, login):
    client = login("s.sozial")
    html = client.get("/aufgaben/gruppe").data.decode()
    assert "AsylbLG zum Monatsende einstellen" in html and "Haddad" not in html
    assert "AsylbLG zum Monatsende" not in client.get("/aufgaben/gruppe?suche=haddad").data.decode()


def test_group_view_lists_the_unit_task_with_the_person_and_counts(scene, login, services):
    release_names(services, scene.case_ref)
    client = login("s.sozial")
    html = client.get("/aufgaben/gruppe").data.decode()
    assert "AsylbLG zum Monatsende einstellen" in html
    assert "Haddad, Amina" in html and scene.case_ref in html
    assert 'id="badge-group">1<' in html and 'id="badge-mine">0<' in html


def test_a_clerk_of_another_municipality_does_not_see_the_task(scene, login):
    html = login("k.kaarst").get("/aufgaben/gruppe").data.decode()
    assert "AsylbLG zum Monatsende einstellen" not in html
    assert 'id="badge-group">0<' in html


def test_claim_moves_the_task_to_meine_aufgaben(scene, login):
    client = login("s.sozial")
    response = client.post(f"/aufgabe/{scene.sozialamt_task}/uebernehmen", data={"next": "/aufgaben"})
    assert response.status_code == 302
    html = client.get("/aufgaben").data.decode()
    assert "AsylbLG zum Monatsende einstellen" in html and 'id="badge-mine">1<' in html


def test_a_colleague_sees_who_holds_a_claimed_task(scene, login):
    login("s.sozial").post(f"/aufgabe/{scene.sozialamt_task}/uebernehmen")
    html = login("s.kollege").get("/aufgaben/gruppe?alle=1").data.decode()
    assert "in Bearbeitung bei s.sozial" in html


def test_unclaim_returns_the_task_to_the_group(scene, login):
    client = login("s.sozial")
    client.post(f"/aufgabe/{scene.sozialamt_task}/uebernehmen")
    client.post(f"/aufgabe/{scene.sozialamt_task}/freigeben")
    assert 'id="badge-group">1<' in client.get("/aufgaben/meine").data.decode()


def test_delegate_hands_the_task_to_a_colleague_of_the_unit(scene, login):
    login("s.sozial").post(f"/aufgabe/{scene.sozialamt_task}/weitergeben",
                           data={"an": "s.kollege", "grund": "Urlaub ab morgen"})
    assert "AsylbLG zum Monatsende einstellen" in login("s.kollege").get("/aufgaben").data.decode()


def test_delegating_to_someone_outside_the_unit_is_refused_in_german(scene, login):
    client = login("s.sozial")
    client.post(f"/aufgabe/{scene.sozialamt_task}/weitergeben", data={"an": "j.center", "grund": "Zuständigkeit"})
    html = client.get("/aufgaben/meine").data.decode()
    assert "gehört nicht zur zuständigen Stelle" in html


def test_claiming_a_task_of_another_unit_is_a_404_and_audited(scene, login, services):
    response = login("k.kaarst").post(f"/aufgabe/{scene.sozialamt_task}/uebernehmen")
    assert response.status_code == 404
    with services.db.reading() as session:
        denied = session.scalars(select(AuditEvent).where(AuditEvent.action == "access_denied",
                                                          AuditEvent.actor == "k.kaarst")).all()
    assert denied and denied[0].task_id == scene.sozialamt_task


def test_search_finds_the_task_by_person_name_and_case_number(scene, login, services):
    release_names(services, scene.case_ref)
    client = login("s.sozial")
    assert "AsylbLG zum Monatsende" in client.get("/aufgaben/gruppe?suche=haddad").data.decode()
    assert "AsylbLG zum Monatsende" in client.get(f"/aufgaben/gruppe?suche={scene.case_ref}").data.decode()
    assert "AsylbLG zum Monatsende" not in client.get("/aufgaben/gruppe?suche=meier").data.decode()


def test_overdue_tasks_stand_out_and_can_be_filtered(scene, login, services):
    with services.db.unit_of_work() as session:
        session.execute(update(HumanTask).where(HumanTask.id == scene.sozialamt_task)
                        .values(due_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=1)))
    client = login("s.sozial")
    html = client.get("/aufgaben/gruppe?faellig=overdue").data.decode()
    assert 'class="overdue"' in html and "überfällig" in html
    assert "AsylbLG zum Monatsende" not in client.get("/aufgaben/gruppe?faellig=soon").data.decode()


def test_due_soon_tasks_are_marked(scene, login, services):
    with services.db.unit_of_work() as session:
        session.execute(update(HumanTask).where(HumanTask.id == scene.sozialamt_task)
                        .values(due_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=1)))
    html = login("s.sozial").get("/aufgaben/gruppe?faellig=soon").data.decode()
    assert 'class="due-soon"' in html


def test_filters_by_process_municipality_priority_and_follow_up(scene, login):
    client = login("s.sozial")
    html = client.get("/aufgaben/gruppe?prozess=benefit_transfer&kommune=neuss").data.decode()
    assert "AsylbLG zum Monatsende" in html
    assert "AsylbLG zum Monatsende" not in client.get("/aufgaben/gruppe?prozess=kim_case").data.decode()
    assert "AsylbLG zum Monatsende" not in client.get("/aufgaben/gruppe?kommune=kaarst").data.decode()
    assert "AsylbLG zum Monatsende" not in client.get("/aufgaben/gruppe?prioritaet=high").data.decode()
    assert "AsylbLG zum Monatsende" not in client.get("/aufgaben/gruppe?wiedervorlage=due").data.decode()
    assert "AsylbLG zum Monatsende" in client.get("/aufgaben/gruppe?von=2000-01-01&sort=priority").data.decode()


def test_pagination_splits_long_lists(scene, login, services, app):
    app.config["INBOX_PAGE_SIZE"] = 1
    client = login("f.fall")
    first = client.get("/aufgaben/gruppe").data.decode()
    assert "Seite 1 von 1" in first
    with services.db.unit_of_work() as session:
        task = session.scalar(select(HumanTask).where(HumanTask.unit == "kim_cm_neuss"))
        session.add(HumanTask(id="00000000-0000-0000-0000-000000000001", instance_id=task.instance_id,
                              process_id=task.process_id, element_id="extra", name="Zweite Aufgabe", office="kim_cm",
                              unit="kim_cm_neuss", area="neuss", case_ref=task.case_ref, candidate_users=[],
                              priority=50, status="open", created_at=dt.datetime.now(dt.UTC)))
    html = client.get("/aufgaben/gruppe?seite=2").data.decode()
    assert "Seite 2 von 2" in html and 'rel="prev"' in html


def test_erledigt_lists_what_the_user_completed(scene, login, services):
    from tests.web.scenario import fill

    form, _data = services.engine.task_form(scene.sozialamt_task)
    client = login("s.sozial")
    client.post(f"/aufgabe/{scene.sozialamt_task}", data={**fill(form), "aktion": "erledigen"})
    html = client.get("/aufgaben/erledigt").data.decode()
    assert "AsylbLG zum Monatsende einstellen" in html and 'id="badge-done">1<' in html
    readable = f'href="/aufgabe/{scene.sozialamt_task}/ansicht"'
    assert readable in html  # the completed form opens read-only from here
    assert client.get(f"/aufgabe/{scene.sozialamt_task}/ansicht").status_code == 200


def test_an_inbox_page_that_shows_people_is_audited_with_their_cases(scene, login, services):
    release_names(services, scene.case_ref)
    login("s.sozial").get("/aufgaben/gruppe")
    with services.db.reading() as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "inbox_viewed"))
    assert event.actor == "s.sozial" and event.details["cases"] == [scene.case_ref]


def test_beyond_the_count_cap_the_inbox_says_more_than(scene, login, services, monkeypatch):
    import engine.read.lists
    from tests.web import scenario

    scenario.benefit_transfer_at_sozialamt(services.engine)  # a second task for the Sozialamt Neuss
    assert "2 Aufgaben" in login("s.sozial").get("/aufgaben/gruppe").data.decode()
    monkeypatch.setattr(engine.read.lists, "COUNT_CAP", 1)
    html = login("s.sozial").get("/aufgaben/gruppe").data.decode()
    assert "mehr als 1 Aufgaben" in html and 'id="badge-group">1+<' in html
