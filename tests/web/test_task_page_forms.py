"""Task forms: drafts saved while typing, a required checkbox must be ticked, amounts in German notation."""

from __future__ import annotations

import pytest

from engine.bpmn.form_values import ConversionError, to_decimal
from engine.bpmn.forms import Form, FormField
from tests.web.conftest import csrf_token
from web.staff.form_values import rendered_fields, submitted_values

AUTOSAVE = {"X-Autosave": "1", "Accept": "application/json"}


def test_the_task_form_offers_autosave_and_erledigen_und_naechste(scene, login):
    html = login("s.sozial").get(f"/aufgabe/{scene.sozialamt_task}").data.decode()
    assert "data-autosave" in html and 'id="autosave-status"' in html and 'role="status"' in html
    assert f'data-login-url="/login?next=/aufgabe/{scene.sozialamt_task}"' in html
    assert 'value="erledigen_weiter"' in html and "Erledigen und nächste" in html
    assert "/static/js/workspace.js" in html and "cdn" not in html.lower()


def test_an_autosave_answers_json_and_keeps_the_draft(scene, login):
    client = login("s.sozial")
    response = client.post(f"/aufgabe/{scene.sozialamt_task}", headers=AUTOSAVE,
                           data={"last_payment_date": "2026-03-31", "aktion": "entwurf"})
    assert response.status_code == 200 and response.json["saved"] is True
    assert 'value="2026-03-31"' in client.get(f"/aufgabe/{scene.sozialamt_task}").data.decode()


def test_an_autosave_on_a_completed_task_says_so_in_json(scene, login, services):
    from tests.web.scenario import fill

    client = login("s.sozial")
    form, _data = services.engine.task_form(scene.sozialamt_task)
    client.post(f"/aufgabe/{scene.sozialamt_task}", data={**fill(form), "aktion": "erledigen"})
    response = client.post(f"/aufgabe/{scene.sozialamt_task}", headers=AUTOSAVE, data={"aktion": "entwurf"})
    assert response.status_code == 409


def test_an_autosave_without_the_csrf_token_is_refused(scene, login, app):
    client = login("s.sozial")
    app.config["WTF_CSRF_ENABLED"] = True
    refused = client.post(f"/aufgabe/{scene.sozialamt_task}", headers=AUTOSAVE,
                          data={"last_payment_date": "2026-03-31", "aktion": "entwurf"})
    assert refused.status_code == 400
    token = csrf_token(client.get(f"/aufgabe/{scene.sozialamt_task}").data.decode())
    accepted = client.post(f"/aufgabe/{scene.sozialamt_task}", headers=AUTOSAVE,
                           data={"last_payment_date": "2026-03-31", "aktion": "entwurf", "csrf_token": token})
    assert accepted.status_code == 200 and accepted.json["saved"] is True


def test_an_autosave_after_the_session_ended_gets_no_json(scene, app):
    response = app.test_client().post(f"/aufgabe/{scene.sozialamt_task}", headers=AUTOSAVE,
                                      data={"aktion": "entwurf"})
    assert response.status_code in (302, 401) and not response.is_json


def test_a_required_checkbox_must_be_ticked(scene, login):
    response = login("s.sozial").post(f"/aufgabe/{scene.sozialamt_task}",
                                      data={"last_payment_date": "2026-03-31", "aktion": "erledigen"})
    html = response.data.decode()
    assert response.status_code == 400
    assert '<p class="field-error" id="f-transfer_sent-error">Bitte ankreuzen</p>' in html
    assert 'value="2026-03-31"' in html  # nothing typed is lost


def test_a_ticked_required_checkbox_completes_the_task(scene, login):
    response = login("s.sozial").post(f"/aufgabe/{scene.sozialamt_task}", data={
        "last_payment_date": "2026-03-31", "transfer_sent": "on", "aktion": "erledigen"})
    assert response.status_code == 302


def test_the_engine_refuses_an_unticked_required_checkbox_too(scene, services):
    from engine import FormErrors
    from engine.core.actors import Actor

    with pytest.raises(FormErrors) as refused:
        services.engine.complete(scene.sozialamt_task, actor=Actor.system_actor(),
                                 data={"last_payment_date": "2026-03-31", "transfer_sent": False})
    assert refused.value.errors == {"transfer_sent": ["Bitte ankreuzen"]}


@pytest.mark.parametrize(("typed", "amount"), [
    ("12,50", 12.5), ("1.234,50", 1234.5), ("12.50", 12.5), ("1234", 1234.0), ("1.234", 1234.0),
    ("-3,5", -3.5), ("12,50 €", 12.5), (" 7 ", 7.0), (99, 99.0)])
def test_amounts_are_accepted_in_german_notation(typed, amount):
    assert to_decimal(typed) == amount


@pytest.mark.parametrize("typed", ["1,2,3", "abc", "1.23.4", "12,", "", True, "12.345.6"])
def test_other_amounts_are_refused_in_german(typed):
    with pytest.raises(ConversionError, match="Bitte einen Betrag wie 12,50 oder 1.234,50 eingeben"):
        to_decimal(typed)


def test_an_amount_is_shown_back_in_german_notation_and_typed_text_stays_as_typed(app):
    form = Form(key=None, fields=[FormField(id="betrag", label="Betrag", type="double")])
    with app.test_request_context():
        [stored] = rendered_fields(form, {"betrag": 1234.5})
        [typed] = rendered_fields(form, {}, submitted=submitted_values(form, {"betrag": "1.234,5x"}))
    assert stored.text == "1.234,50" and stored.decimal
    assert typed.text == "1.234,5x"


def test_an_autosave_after_the_idle_timeout_is_sent_to_sign_in_not_saved(scene, login, services):
    client = login("s.sozial")
    with client.session_transaction() as session:
        session["seen"] = 0  # idle since 1970: the session has expired
    response = client.post(f"/aufgabe/{scene.sozialamt_task}", headers=AUTOSAVE,
                           data={"last_payment_date": "2026-03-31", "aktion": "entwurf"})
    assert response.status_code == 302 and response.location.startswith("/login")
    assert services.engine.task(scene.sozialamt_task).draft is None


AMOUNT_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="defs_amount" targetNamespace="http://kimflow">
<bpmn:process id="amount_check" name="Betrag erfassen" isExecutable="true">
<bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="record_amount" />
<bpmn:userTask id="record_amount" name="Betrag erfassen"><bpmn:extensionElements><camunda:formData>
<camunda:formField id="betrag" label="Betrag (Euro)" type="double"><camunda:validation>
<camunda:constraint name="required" /></camunda:validation></camunda:formField>
</camunda:formData></bpmn:extensionElements><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
</bpmn:userTask>
<bpmn:sequenceFlow id="f2" sourceRef="record_amount" targetRef="end" />
<bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
</bpmn:process></bpmn:definitions>"""


def test_a_double_field_takes_a_german_amount_end_to_end(services):
    from engine.core.actors import Actor
    from engine.read import lists

    system = Actor.system_actor()
    services.engine.deploy({"amount_check.bpmn": AMOUNT_BPMN}, actor=system)
    instance_id = services.engine.start("amount_check", actor=system)
    with services.db.reading() as session:
        [task] = lists.open_tasks(session, instance_id=instance_id)
    services.engine.complete(task.id, actor=system, data={"betrag": "1.234,50"})
    assert services.engine.show(instance_id).data["betrag"] == 1234.5


def test_a_double_field_refuses_an_amount_outside_its_bounds_in_german(services):
    from engine.core.actors import Actor
    from engine.core.errors import FormErrors
    from engine.read import lists

    required = '<camunda:constraint name="required" />'
    bounded = AMOUNT_BPMN.replace(required, required + '<camunda:constraint name="max" config="5000" />')
    system = Actor.system_actor()
    services.engine.deploy({"amount_check.bpmn": bounded}, actor=system)
    instance_id = services.engine.start("amount_check", actor=system)
    with services.db.reading() as session:
        [task] = lists.open_tasks(session, instance_id=instance_id)
    with pytest.raises(FormErrors) as refused:
        services.engine.complete(task.id, actor=system, data={"betrag": "12.000,00"})
    assert "5.000" in str(refused.value.errors["betrag"]) or "5000" in str(refused.value.errors["betrag"])


def test_a_date_field_tells_the_browser_its_bounds_as_days(app):
    import datetime as dt

    from engine import clock

    form = Form(key=None, fields=[FormField(id="geburt", label="Geburtsdatum", type="date", min_date="1900-01-01",
                                            max_date="today-P18Y")])
    with app.test_request_context(), clock.frozen(dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)):
        [field] = rendered_fields(form, {})
        assert field.bounds == ("1900-01-01", "2008-11-30")
