"""The task page: form rendering, German errors without losing input, drafts, completion and races."""

from __future__ import annotations

from sqlalchemy import select

from engine.core.actors import Actor
from engine.store.models import AuditEvent, HumanTask
from tests.web.scenario import fill
from tests.web.test_inbox import release_names


def test_the_form_renders_every_field_with_labels_required_marks_and_date_inputs(scene, login):
    html = login("s.sozial").get(f"/aufgabe/{scene.sozialamt_task}").data.decode()
    assert '<label for="f-last_payment_date">Letzte Zahlung am' in html
    assert 'type="date"' in html and 'class="required"' in html
    assert 'type="checkbox" id="f-transfer_sent"' in html
    assert "AsylbLG endet am" in html  # readonly field shown, not editable
    assert 'name="asylblg_end"' not in html


def test_enum_fields_offer_their_choices(scene, login, services):
    form, _data = services.engine.task_form(scene.sozialamt_task)
    services.engine.complete(scene.sozialamt_task, actor=Actor.system_actor(), data=fill(form))
    with services.db.reading() as session:
        task = session.scalar(select(HumanTask).where(HumanTask.element_id == "decide_application"))
    html = login("j.center").get(f"/aufgabe/{task.id}").data.decode()
    assert '<option value="approved" >bewilligt</option>' in html.replace("  ", " ")
    assert "– bitte wählen –" in html


def test_invalid_input_shows_german_errors_next_to_fields_and_keeps_what_was_typed(scene, login):
    client = login("s.sozial")
    response = client.post(f"/aufgabe/{scene.sozialamt_task}",
                           data={"last_payment_date": "31.02.2026x", "aktion": "erledigen"})
    html = response.data.decode()
    assert response.status_code == 400
    assert 'id="f-last_payment_date-error"' in html and 'aria-invalid="true"' in html
    assert 'value="31.02.2026x"' in html
    assert "Bitte korrigieren Sie die markierten Felder" in html


def test_a_missing_required_field_says_pflichtfeld(scene, login):
    html = login("s.sozial").post(f"/aufgabe/{scene.sozialamt_task}", data={"aktion": "erledigen"}).data.decode()
    assert "Pflichtfeld" in html


def test_a_draft_keeps_the_input_for_later(scene, login):
    client = login("s.sozial")
    client.post(f"/aufgabe/{scene.sozialamt_task}", data={"last_payment_date": "2026-03-31", "aktion": "entwurf"})
    html = client.get(f"/aufgabe/{scene.sozialamt_task}").data.decode()
    assert 'value="2026-03-31"' in html


def test_completing_the_sozialamt_task_creates_the_jobcenter_task(scene, login, services):
    form, _data = services.engine.task_form(scene.sozialamt_task)
    response = login("s.sozial").post(f"/aufgabe/{scene.sozialamt_task}", data={**fill(form), "aktion": "erledigen"})
    assert response.status_code == 302
    html = login("j.center").get("/aufgaben/gruppe").data.decode()
    assert "Antrag entscheiden" in html and scene.case_ref in html


def test_a_colleague_who_lost_the_race_is_told_who_completed_it(scene, login, services):
    form, _data = services.engine.task_form(scene.sozialamt_task)
    services.engine.complete(scene.sozialamt_task, actor=Actor("s.kollege", units=frozenset({"sozialamt_neuss"})),
                             data=fill(form))
    response = login("s.sozial").post(f"/aufgabe/{scene.sozialamt_task}", data={**fill(form), "aktion": "erledigen"})
    assert response.status_code == 409
    assert "bereits von Stefan Kollege (s.kollege) am" in response.data.decode()


def test_a_clerk_of_another_unit_gets_404_for_the_task_and_the_attempt_is_audited(scene, login, services):
    assert login("k.kaarst").get(f"/aufgabe/{scene.sozialamt_task}").status_code == 404
    assert login("j.center").get(f"/aufgabe/{scene.sozialamt_task}/diagramm.bpmn").status_code == 404
    with services.db.reading() as session:
        actors = set(session.scalars(select(AuditEvent.actor).where(AuditEvent.action == "access_denied")))
    assert {"k.kaarst", "j.center"} <= actors


def test_the_task_page_shows_the_case_summary_history_and_diagram_container(scene, login):
    html = login("s.sozial").get(f"/aufgabe/{scene.sozialamt_task}").data.decode()
    assert f"Fall {scene.case_ref}" in html
    assert f'data-diagram-url="/aufgabe/{scene.sozialamt_task}/diagramm.bpmn"' in html
    assert 'data-current="end_asylblg"' in html
    assert "Verlauf" in html and "Fällig" in html


def test_the_diagram_is_served_as_bpmn_xml(scene, login):
    response = login("s.sozial").get(f"/aufgabe/{scene.sozialamt_task}/diagramm.bpmn")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    assert b'id="end_asylblg"' in response.data


def test_viewing_a_task_is_audited(scene, login, services):
    login("s.sozial").get(f"/aufgabe/{scene.sozialamt_task}")
    with services.db.reading() as session:
        viewed = session.scalars(select(AuditEvent).where(AuditEvent.action.in_(("task_viewed", "case_viewed")),
                                                          AuditEvent.actor == "s.sozial")).all()
    assert {e.action for e in viewed} == {"task_viewed", "case_viewed"}


def test_a_comment_and_a_document_can_be_added_from_the_task_page(scene, login, services):
    import io

    release_names(services, scene.case_ref)  # a task alone releases no notes or documents
    client = login("s.sozial")
    page = f"/aufgabe/{scene.sozialamt_task}"
    response = client.post(f"/fall/{scene.case_ref}/notiz", data={"text": "Rückruf vereinbart", "next": page})
    assert response.location == page
    client.post(f"/fall/{scene.case_ref}/dokument", data={"datei": (io.BytesIO(b"\x89PNG\r\n\x1a\nxx"), "scan.png"),
                                                          "next": page}, content_type="multipart/form-data")
    html = client.get(page).data.decode()
    assert "Rückruf vereinbart" in html and "scan.png" in html


def test_the_task_page_says_priority_and_people_in_words(scene, login, services):
    client = login("s.sozial")
    client.post(f"/aufgabe/{scene.sozialamt_task}/uebernehmen")
    html = client.get(f"/aufgabe/{scene.sozialamt_task}").data.decode()
    assert "<dt>Priorität</dt><dd>normal</dd>" in html or "<dt>Priorität</dt><dd>hoch</dd>" in html
    assert "In Bearbeitung bei Sabine Sozial" in html and "bei s.sozial" not in html
