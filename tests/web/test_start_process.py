"""Vorgang starten: the start page lists what this user may start, and the start form is checked like a task form."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engine.store.models import AuditEvent, HumanTask, ProcessInstance
from tests.web.cases_scene import SYSTEM, seed_two_cases

CAMUNDA = 'xmlns:camunda="http://camunda.org/schema/1.0/bpmn"'
REQUIRED = '<camunda:validation><camunda:constraint name="required" /></camunda:validation>'
APPLICATION_FORM = (
    '<camunda:formField id="municipality" label="Wohnort" type="enum">' + REQUIRED +
    '<camunda:value id="neuss" name="Neuss" /><camunda:value id="kaarst" name="Kaarst" /></camunda:formField>'
    '<camunda:formField id="household_size" label="Personen im Haushalt" type="long"><camunda:validation>'
    '<camunda:constraint name="required" /><camunda:constraint name="min" config="1" />'
    '<camunda:constraint name="max" config="20" /></camunda:validation></camunda:formField>'
    '<camunda:formField id="applied_on" label="Antrag vom" type="date">' + REQUIRED + '</camunda:formField>'
    '<camunda:formField id="urgent" label="Eilig" type="boolean" />')


def process_xml(pid: str, name: str, task_office: str, *, starters: str = "", form: str = "",
                users: str = "") -> str:
    """Return a process whose start event carries `form` and whose one user task goes to `task_office`."""
    starter = f' camunda:candidateStarterGroups="{starters}"' if starters else ""
    starter += f' camunda:candidateStarterUsers="{users}"' if users else ""
    start_form = f"<bpmn:extensionElements><camunda:formData>{form}</camunda:formData></bpmn:extensionElements>" \
        if form else ""
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions '
            f'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" {CAMUNDA} id="defs_{pid}" '
            f'targetNamespace="http://kimflow.test">'
            f'<bpmn:process id="{pid}" name="{name}" isExecutable="true"{starter}>'
            f'<bpmn:startEvent id="start" name="Start">{start_form}</bpmn:startEvent>'
            f'<bpmn:userTask id="work" name="{name} bearbeiten" camunda:candidateGroups="{task_office}" />'
            '<bpmn:endEvent id="end" />'
            '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work" />'
            '<bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end" /></bpmn:process></bpmn:definitions>')


START_PROCESSES = {
    "hilfe_antrag.bpmn": process_xml("hilfe_antrag", "Antrag auf Hilfe", "sozialamt", starters="sozialamt",
                                     form=APPLICATION_FORM),
    "neuss_sonderfonds.bpmn": process_xml("neuss_sonderfonds", "Sonderfonds Neuss", "sozialamt",
                                          starters="sozialamt_neuss"),
    "fallkonferenz.bpmn": process_xml("fallkonferenz", "Fallkonferenz einberufen", "kim_cm", starters="kim_cm",
                                      form='<camunda:formField id="topic" label="Anlass" type="string">'
                                           + REQUIRED + "</camunda:formField>"),
}


def seed_start_scene(database) -> dict[str, str]:
    """Seed two cases (Neuss, Kaarst) and deploy three processes that name who may start them."""
    from engine.service.engine import ProcessEngine
    from web.cli import kim_extensions

    refs = seed_two_cases(database)
    ProcessEngine(database, kim_extensions()).deploy(START_PROCESSES, actor=SYSTEM)
    return refs


@pytest.fixture
def cases(services, restore_template):
    """Two cases, the KIM library and the three startable processes above."""
    return restore_template("start_process", seed_start_scene, services.db)


def _instances(services, process_id: str) -> list[ProcessInstance]:
    with services.db.reading() as session:
        return list(session.scalars(select(ProcessInstance).where(ProcessInstance.process_id == process_id)))


VALID = {"municipality": "neuss", "household_size": "3", "applied_on": "02.03.2026", "urgent": "true"}


def test_the_start_page_lists_only_what_the_users_groups_may_start(cases, login):
    neuss = login("s.neuss").get("/vorgaenge/starten").data.decode()
    kaarst = login("s.kaarst").get("/vorgaenge/starten").data.decode()
    foreigners_office = login("a.neuss").get("/vorgaenge/starten").data.decode()
    assert "Antrag auf Hilfe" in neuss and "Sonderfonds Neuss" in neuss
    assert "Antrag auf Hilfe" in kaarst and "Sonderfonds Neuss" not in kaarst  # same office, other unit
    assert "Antrag auf Hilfe" not in foreigners_office and "Fallkonferenz" not in foreigners_office
    assert "KIM-Fallmanagement" not in neuss  # message and timer starts and intake are no start-page entries


def test_a_user_of_another_group_can_neither_open_nor_submit_the_start_form(cases, login, services):
    client = login("a.neuss")
    assert client.get("/vorgaenge/starten/hilfe_antrag").status_code == 404
    assert client.post("/vorgaenge/starten/hilfe_antrag", data=VALID).status_code == 404
    assert login("s.kaarst").post("/vorgaenge/starten/neuss_sonderfonds", data={}).status_code == 404
    assert _instances(services, "hilfe_antrag") == [] and _instances(services, "neuss_sonderfonds") == []
    with services.db.reading() as session:
        refused = session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "access_denied", AuditEvent.actor == "a.neuss"))
    assert refused == 2


def test_the_start_form_is_shown_with_the_task_form_fields(cases, login):
    html = login("s.neuss").get("/vorgaenge/starten/hilfe_antrag").data.decode()
    assert 'name="household_size" type="number"' in html and 'name="applied_on" type="date"' in html
    assert '<option value="kaarst"' in html and 'name="csrf_token"' in html


def test_an_invalid_start_form_shows_german_errors_by_the_fields_and_starts_nothing(cases, login, services):
    invalid = {"municipality": "duesseldorf", "household_size": "0", "applied_on": "31.02.2026"}
    response = login("s.neuss").post("/vorgaenge/starten/hilfe_antrag", data=invalid)
    html = response.data.decode()
    assert response.status_code == 400
    assert "Ungültige Auswahl" in html and "Wert muss ≥ 1 sein" in html and "TT.MM.JJJJ" in html
    assert 'id="f-household_size-error"' in html and 'value="0"' in html  # the input is kept
    assert _instances(services, "hilfe_antrag") == []


def test_a_valid_start_starts_with_typed_data_and_lands_on_the_new_task(cases, login, services):
    response = login("s.neuss").post("/vorgaenge/starten/hilfe_antrag", data={**VALID, "extra": "x"})
    [row] = _instances(services, "hilfe_antrag")
    data = services.engine.show(row.id).data
    assert (data["household_size"], data["applied_on"], data["urgent"]) == (3, "2026-03-02", True)
    assert "extra" not in data and row.started_by == "s.neuss"
    with services.db.reading() as session:
        task = session.scalar(select(HumanTask).where(HumanTask.instance_id == row.id))
    assert task.unit == "sozialamt_neuss"
    assert response.status_code == 302 and response.location.endswith(f"/aufgabe/{task.id}")


def test_a_start_whose_task_goes_elsewhere_returns_to_the_start_page_with_a_message(cases, login, services):
    client = login("s.kaarst")
    response = client.post("/vorgaenge/starten/hilfe_antrag", data=VALID, follow_redirects=True)
    assert "ist gestartet" in response.data.decode() and response.request.path == "/vorgaenge/starten"
    assert len(_instances(services, "hilfe_antrag")) == 1


def test_a_case_manager_starts_a_process_for_a_case_from_the_case_file(cases, login, services):
    client = login("c.neuss")
    assert f'/faelle/{cases["neuss"]}/starten' in client.get(f"/fall/{cases['neuss']}").data.decode()
    listing = client.get(f"/faelle/{cases['neuss']}/starten").data.decode()
    assert "Fallkonferenz einberufen" in listing and "Antrag auf Hilfe" not in listing
    response = client.post(f"/faelle/{cases['neuss']}/starten/fallkonferenz", data={"topic": "Wohnung"})
    [row] = _instances(services, "fallkonferenz")
    assert row.case_ref == cases["neuss"]
    with services.db.reading() as session:
        task = session.scalar(select(HumanTask).where(HumanTask.instance_id == row.id))
    assert task.unit == "kim_cm_neuss" and response.location.endswith(f"/aufgabe/{task.id}")


def test_a_case_manager_of_another_municipality_cannot_start_for_the_case(cases, login, services):
    client = login("c.kaarst")
    assert client.get(f"/faelle/{cases['neuss']}/starten").status_code == 404
    assert client.post(f"/faelle/{cases['neuss']}/starten/fallkonferenz", data={"topic": "x"}).status_code == 404
    assert _instances(services, "fallkonferenz") == []
    with services.db.reading() as session:
        refusals = list(session.scalars(select(AuditEvent.action).where(AuditEvent.actor == "c.kaarst",
                                                                        AuditEvent.case_ref == cases["neuss"])))
    assert refusals == ["case_access_denied", "case_access_denied"]


def test_the_facade_refuses_a_start_outside_the_starter_groups_and_checks_the_form(cases, services):
    from engine import Actor, FormErrors, PermissionDenied

    clerk = Actor("x.abh", units=frozenset({"abh_neuss"}), offices=frozenset({"abh"}), roles=frozenset({"staff"}))
    with pytest.raises(PermissionDenied):
        services.engine.start("hilfe_antrag", actor=clerk, data=VALID)
    with pytest.raises(FormErrors) as refused:
        services.engine.start("hilfe_antrag", actor=SYSTEM, data={"municipality": "neuss"})
    assert set(refused.value.errors) == {"household_size", "applied_on"}
    assert _instances(services, "hilfe_antrag") == []


def test_the_start_form_needs_a_csrf_token(cases, app, login, services):
    client = login("s.neuss")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert client.post("/vorgaenge/starten/hilfe_antrag", data=VALID).status_code in (400, 403)
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert _instances(services, "hilfe_antrag") == []


def test_a_process_may_name_its_starters_in_person(cases, login, services):
    services.engine.deploy({"pilot.bpmn": process_xml("pilot", "Pilotverfahren", "sozialamt", users="s.kaarst")},
                           actor=SYSTEM)
    assert "Pilotverfahren" in login("s.kaarst").get("/vorgaenge/starten").data.decode()
    neuss = login("s.neuss")
    assert "Pilotverfahren" not in neuss.get("/vorgaenge/starten").data.decode()
    assert neuss.post("/vorgaenge/starten/pilot", data={}).status_code == 404
    assert _instances(services, "pilot") == []


def test_a_process_naming_no_starters_is_open_to_every_clerk_as_before(cases, login, services):
    services.engine.deploy({"offen.bpmn": process_xml("offen", "Allgemeiner Vorgang", "abh")}, actor=SYSTEM)
    client = login("a.neuss")
    assert "Allgemeiner Vorgang" in client.get("/vorgaenge/starten").data.decode()
    assert client.post("/vorgaenge/starten/offen", data={}).status_code == 302
    assert len(_instances(services, "offen")) == 1


def test_the_start_page_speaks_english_after_switching(cases, login):
    client = login("s.neuss")
    client.post("/sprache", data={"lang": "en", "next": "/vorgaenge/starten"})
    html = client.get("/vorgaenge/starten").data.decode()
    assert "Start a process" in html and "You may start these processes" in html
    assert "Vorgang starten" not in html
