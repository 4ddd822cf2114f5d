"""Handing a task on (colleague, deputy, another unit of the same office) and setting due and follow-up dates."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from engine.core.localtime import LOCAL_TIME, local_date
from engine.identity import org
from engine.store.models import AuditEvent, HumanTask, ProcessInstance
from workflows.retention import scrub

REASON = "Frau Haddad ist nach Kaarst umgezogen"


def _task(services, task_id: str) -> HumanTask:
    with services.db.reading() as session:
        return session.get(HumanTask, task_id)


def _hand_on(client, task_id: str, to: str, reason: str = REASON):
    return client.post(f"/aufgabe/{task_id}/weitergeben", data={"an": to, "grund": reason, "next": "/aufgaben/meine"})


def test_the_task_page_offers_colleagues_and_units_of_the_same_office_only(scene, login):
    html = login("s.sozial").get(f"/aufgabe/{scene.sozialamt_task}").data.decode()
    assert '<option value="s.kollege">Stefan Kollege</option>' in html
    assert '<option value="einheit:sozialamt_kaarst">' in html
    assert "einheit:jobcenter_rkn" not in html and "einheit:sozialamt_neuss" not in html
    assert 'name="grund"' in html and "required" in html


def test_a_task_goes_to_another_unit_of_the_same_office_with_its_reason(scene, login, services):
    client = login("s.sozial")
    _hand_on(client, scene.sozialamt_task, "einheit:sozialamt_kaarst")
    task = _task(services, scene.sozialamt_task)
    assert (task.unit, task.status, task.claimed_by) == ("sozialamt_kaarst", "open", None)
    kaarst = login("k.kaarst")
    assert "AsylbLG zum Monatsende einstellen" in kaarst.get("/aufgaben/gruppe").data.decode()
    assert REASON in kaarst.get(f"/aufgabe/{scene.sozialamt_task}").data.decode()
    assert client.get(f"/aufgabe/{scene.sozialamt_task}").status_code == 404  # it has left the Neuss unit


def test_the_reason_is_kept_where_retention_scrubs_it_never_in_the_audit_log(scene, login, services):
    _hand_on(login("s.sozial"), scene.sozialamt_task, "einheit:sozialamt_kaarst")
    with services.db.reading() as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "task_delegated"))
        summary = session.get(ProcessInstance, scene.instance_id).summary
    assert event.details["reason_given"] is True and REASON not in str(event.details)
    assert summary["delegation_reasons"][-1]["reason"] == REASON
    assert REASON not in str(scrub(dict(summary), frozenset()))


def test_a_unit_of_another_office_cannot_be_chosen(scene, login, services):
    client = login("s.sozial")
    _hand_on(client, scene.sozialamt_task, "einheit:jobcenter_rkn")
    assert _task(services, scene.sozialamt_task).unit == "sozialamt_neuss"
    assert "nur an eine Einheit derselben Behörde" in client.get("/aufgaben/meine").data.decode()


def test_handing_on_needs_a_reason(scene, login, services):
    client = login("s.sozial")
    _hand_on(client, scene.sozialamt_task, "s.kollege", reason="  ")
    assert _task(services, scene.sozialamt_task).claimed_by is None
    assert "Bitte geben Sie einen Grund für die Weitergabe an." in client.get("/aufgaben/meine").data.decode()


def test_a_task_goes_to_a_deputy_of_a_colleague(scene, login, services, make_user):
    make_user("v.vertretung", units=("jobcenter_rkn",), display_name="Vera Vertretung")
    with services.db.unit_of_work() as session:
        org.set_deputy(session, "s.kollege", "v.vertretung", dt.date(2020, 1, 1), None, actor="test")
    client = login("s.sozial")
    assert '<option value="v.vertretung">Vera Vertretung (Vertretung)</option>' in client.get(
        f"/aufgabe/{scene.sozialamt_task}").data.decode()
    _hand_on(client, scene.sozialamt_task, "v.vertretung")
    assert _task(services, scene.sozialamt_task).claimed_by == "v.vertretung"
    assert "AsylbLG zum Monatsende einstellen" in login("v.vertretung").get("/aufgaben/meine").data.decode()


def _claimed(login, scene):
    client = login("s.sozial")
    client.post(f"/aufgabe/{scene.sozialamt_task}/uebernehmen")
    return client


def test_a_clerk_sets_due_and_follow_up_dates_on_an_own_task(scene, login, services):
    client = _claimed(login, scene)
    today = local_date(dt.datetime.now(dt.UTC))
    due = today + dt.timedelta(days=10)
    response = client.post(f"/aufgabe/{scene.sozialamt_task}/termine",
                           data={"faellig_am": due.isoformat(), "wiedervorlage_am": today.strftime("%d.%m.%Y")})
    assert response.status_code == 302
    task = _task(services, scene.sozialamt_task)
    assert task.due_at.astimezone(LOCAL_TIME).date() == due
    assert task.follow_up_at.astimezone(LOCAL_TIME).date() == today
    html = client.get(f"/aufgabe/{scene.sozialamt_task}").data.decode()
    assert f'value="{due.isoformat()}"' in html and "Fälligkeit und Wiedervorlage wurden gespeichert." in html
    assert "AsylbLG zum Monatsende" in client.get("/aufgaben/meine?wiedervorlage=due").data.decode()


def test_a_follow_up_in_the_past_is_refused_in_german_next_to_the_field(scene, login, services):
    client = _claimed(login, scene)
    before = _task(services, scene.sozialamt_task)
    yesterday = local_date(dt.datetime.now(dt.UTC)) - dt.timedelta(days=1)
    client.post(f"/aufgabe/{scene.sozialamt_task}/termine", data={"wiedervorlage_am": yesterday.isoformat()})
    html = client.get(f"/aufgabe/{scene.sozialamt_task}").data.decode()
    assert 'id="wiedervorlage_am-error">Die Wiedervorlage darf nicht in der Vergangenheit liegen.' in html
    after = _task(services, scene.sozialamt_task)
    assert (after.due_at, after.follow_up_at) == (before.due_at, before.follow_up_at)


def test_an_impossible_date_is_refused_in_german(scene, login):
    client = _claimed(login, scene)
    client.post(f"/aufgabe/{scene.sozialamt_task}/termine", data={"faellig_am": "31.02.2027"})
    html = client.get(f"/aufgabe/{scene.sozialamt_task}").data.decode()
    assert 'id="faellig_am-error">Bitte ein gültiges Datum im Format TT.MM.JJJJ eingeben.' in html
    assert 'value="31.02.2027"' in html


def test_dates_are_set_only_on_own_tasks(scene, login, services):
    client = login("s.kollege")
    assert 'id="termine"' not in client.get(f"/aufgabe/{scene.sozialamt_task}").data.decode()
    client.post(f"/aufgabe/{scene.sozialamt_task}/termine", data={"faellig_am": "2030-01-01"})
    assert _task(services, scene.sozialamt_task).due_at.year != 2030
    assert login("k.kaarst").post(f"/aufgabe/{scene.sozialamt_task}/termine",
                                  data={"faellig_am": "2030-01-01"}).status_code == 404


def test_refusals_and_the_new_controls_speak_english_after_switching(scene, login):
    client = login("s.sozial")
    client.post("/sprache", data={"lang": "en", "next": "/aufgaben"})
    html = client.get(f"/aufgabe/{scene.sozialamt_task}").data.decode()
    assert "Hand on to" in html and "Complete and next" in html and "Weitergeben an" not in html
    _hand_on(client, scene.sozialamt_task, "einheit:jobcenter_rkn")
    client.post(f"/aufgabe/{scene.sozialamt_task}/termine", data={"faellig_am": "2030-01-01"})
    html = client.get("/aufgaben/meine").data.decode()
    assert "Tasks can only be handed on to a unit of the same office." in html
    assert "You set due and follow-up dates on your own tasks" in html


def test_the_history_names_the_date_change_in_words(scene, login):
    client = _claimed(login, scene)
    client.post(f"/aufgabe/{scene.sozialamt_task}/termine", data={"faellig_am": "2030-01-01"})
    html = client.get(f"/aufgabe/{scene.sozialamt_task}").data.decode()
    assert "Fälligkeit / Wiedervorlage gesetzt" in html and "task_dates_set" not in html
