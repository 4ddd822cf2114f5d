"""Starting over the API: only the process's starters may, and the variables are checked against the start form."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from engine.store.models import AuditEvent, DefinitionVersion, ProcessInstance
from tests.api.conftest import SYSTEM
from tests.web.test_start_process import START_PROCESSES, process_xml
from workflows.cases import files as cases

URL = "/api/v1/process-instances"
VALID = {"municipality": "neuss", "household_size": 3, "applied_on": "2026-03-02", "urgent": True}


@pytest.fixture
def processes(services):
    """Deploy the application process (starters: Sozialamt) and the Neuss-only special fund."""
    services.engine.deploy(START_PROCESSES, actor=SYSTEM)


def _started(services, process_id: str = "hilfe_antrag") -> list[int]:
    with services.db.reading() as session:
        return list(session.scalars(select(ProcessInstance.id).where(ProcessInstance.process_id == process_id)))


def test_invalid_variables_are_refused_with_a_problem_listing_each_field(processes, client, token_for, services):
    headers = token_for("fachverfahren-soz", units=("sozialamt_neuss",), verbs=["start", "read"])
    answer = client.post(URL, headers=headers, json={"key": "hilfe_antrag", "variables": {
        "municipality": "paris", "household_size": 0, "applied_on": "gestern"}})
    assert answer.status_code == 422 and answer.content_type == "application/problem+json"
    errors = {item["field"]: item["messages"] for item in answer.get_json()["errors"]}
    assert errors == {"variables.municipality": ["Ungültige Auswahl"],
                      "variables.household_size": ["Wert muss ≥ 1 sein"],
                      "variables.applied_on": ["Bitte ein gültiges Datum im Format TT.MM.JJJJ eingeben"]}
    assert _started(services) == []


def test_valid_variables_start_the_instance_with_typed_values(processes, client, token_for):
    headers = token_for("fachverfahren-soz", units=("sozialamt_kaarst",), verbs=["start", "read"])
    answer = client.post(URL, headers=headers, json={"key": "hilfe_antrag", "business_key": "SOZ-1",
                                                     "variables": {**VALID, "household_size": "3", "unknown": 1}})
    assert answer.status_code == 201, answer.get_data(as_text=True)
    variables = answer.get_json()["variables"]
    assert (variables["household_size"], variables["applied_on"], variables["urgent"]) == (3, "2026-03-02", True)
    assert "unknown" not in variables


def test_a_caller_outside_the_starter_groups_gets_403_and_the_refusal_is_audited(processes, client, token_for,
                                                                                 services):
    foreigners = token_for("fachverfahren-abh", units=("abh_neuss",), verbs=["start", "read"])
    answer = client.post(URL, headers=foreigners, json={"key": "hilfe_antrag", "variables": VALID})
    assert answer.status_code == 403 and answer.content_type == "application/problem+json"
    kaarst = token_for("fachverfahren-kaarst", units=("sozialamt_kaarst",), verbs=["start", "read"])
    assert client.post(URL, headers=kaarst, json={"key": "neuss_sonderfonds", "variables": {}}).status_code == 403
    assert _started(services) == [] and _started(services, "neuss_sonderfonds") == []
    with services.db.reading() as session:
        refused = list(session.scalars(select(AuditEvent).where(AuditEvent.action == "access_denied")))
    assert sorted((e.actor, e.details["process_id"], e.details["reason"]) for e in refused) == [
        ("system:fachverfahren-abh", "hilfe_antrag", "not_a_starter"),
        ("system:fachverfahren-kaarst", "neuss_sonderfonds", "not_a_starter")]


def test_a_token_without_the_start_verb_is_refused(processes, client, token_for, services):
    headers = token_for("nur-lesen", units=("sozialamt_neuss",), verbs=["read"])
    assert client.post(URL, headers=headers, json={"key": "hilfe_antrag", "variables": VALID}).status_code == 403
    assert _started(services) == []


def test_starting_for_a_case_the_caller_may_not_see_is_answered_404(processes, client, token_for, services):
    with services.db.unit_of_work() as session:
        case_ref = cases.open_case(session, actor="test", area="neuss", given_name="Amina", family_name="Haddad",
                                   birth_date=dt.date(1991, 4, 12)).case_ref
    headers = token_for("fallmanagement-kaarst", units=("kim_cm_kaarst",), verbs=["start", "read"])
    answer = client.post(URL, headers=headers, json={"key": "fallkonferenz", "case_ref": case_ref,
                                                     "variables": {"topic": "Wohnung"}})
    assert answer.status_code == 404
    assert _started(services, "fallkonferenz") == []


def test_a_starter_reads_the_start_form_as_json_schema_and_others_get_404(processes, client, token_for):
    starter = token_for("fachverfahren-soz", units=("sozialamt_neuss",), verbs=["start"])
    answer = client.get("/api/v1/process-definitions/key/hilfe_antrag/start-form", headers=starter)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    form = answer.get_json()["form"]
    assert form["required"] == ["municipality", "household_size", "applied_on"]
    assert form["properties"]["household_size"] == {"title": "Personen im Haushalt", "type": "integer",
                                                    "minimum": 1, "maximum": 20}
    assert [choice["const"] for choice in form["properties"]["municipality"]["oneOf"]] == ["neuss", "kaarst"]
    foreigners = token_for("fachverfahren-abh", units=("abh_neuss",), verbs=["start"])
    assert client.get("/api/v1/process-definitions/key/hilfe_antrag/start-form", headers=foreigners).status_code == 404


def test_a_start_form_with_an_unsupported_field_is_refused_at_deploy(client, token_for, services):
    headers = token_for("designer-tool", verbs=["deploy"])
    bad = process_xml("zuschuss", "Zuschuss", "sozialamt", form='<camunda:formField id="betrag" type="currency" />')
    answer = client.post("/api/v1/process-definitions", headers=headers, json={"files": {"zuschuss.bpmn": bad}})
    assert answer.status_code == 422
    [error] = answer.get_json()["errors"]
    assert "[start]" in error["messages"][0] and "Feldtyp »currency«" in error["messages"][0]
    with services.db.reading() as session:
        assert session.scalar(select(DefinitionVersion.id).where(DefinitionVersion.process_id == "zuschuss")) is None
