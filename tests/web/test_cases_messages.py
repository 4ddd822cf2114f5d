"""Recording what arrives from outside: the agency's answer, status changes and structural problems."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from sqlalchemy import select

from engine.store.models import AuditEvent, HumanTask, ProcessInstance
from tests.web.cases_scene import seed_permit_waiting


@pytest.fixture
def permit(services, restore_template):
    """Two cases; the Neuss case's work permit waits for the Federal Employment Agency's answer."""
    return restore_template("cases_permit", seed_permit_waiting, services.db)


def _open_elements(services, instance_id: int) -> list[str]:
    with services.db.reading() as session:
        return list(session.scalars(select(HumanTask.element_id).where(
            HumanTask.instance_id == instance_id, HumanTask.status.in_(("open", "claimed")))))


def test_the_case_lists_every_message_its_instances_wait_for(permit, login):
    html = login("c.neuss").get(f"/faelle/{permit['neuss']}/eingang").data.decode()
    assert "Antwort der Bundesagentur erfassen" in html  # work_permit at its event-based gateway
    assert "Strukturproblem melden" in html  # kim_case's non-interrupting event subprocess
    assert "Statusänderung melden" not in html  # kim_case is not in monitoring yet


def test_a_structural_problem_starts_the_coordinations_assessment(permit, login, services):
    client = login("c.neuss")
    with services.db.reading() as session:
        kim_case = session.scalar(select(ProcessInstance.id).where(
            ProcessInstance.case_ref == permit["neuss"], ProcessInstance.process_id == "kim_case"))
    response = client.post(f"/faelle/{permit['neuss']}/eingang/{kim_case}/structural_problem_reported",
                           data={"problem_office": "abh", "problem_category": "waiting_time",
                                 "text": "Termine erst in 6 Monaten"})
    assert response.status_code == 302
    assert "assess_structural_problem" in _open_elements(services, kim_case)


def test_recording_the_agency_answer_moves_the_permit_on_and_is_audited(permit, login, services):
    client = login("c.neuss")
    url = f"/faelle/{permit['neuss']}/eingang/{permit['permit']}/agency_consent_response"
    response = client.post(url, data={"consent": "granted", "reference": "BA-4711"})
    assert response.status_code == 302
    assert _open_elements(services, permit["permit"]) == ["record_agency_answer"]
    shown = services.engine.show(permit["permit"])
    assert shown.data["agency_response"] == {"consent": "granted", "reference": "BA-4711"}
    with services.db.reading() as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "message_recorded"))
    assert event.details == {"message": "agency_consent_response", "fields": ["consent", "reference"]}
    assert event.actor == "c.neuss" and event.case_ref == permit["neuss"]


def test_an_answer_without_the_decision_is_refused_next_to_the_field(permit, login, services):
    response = login("c.neuss").post(
        f"/faelle/{permit['neuss']}/eingang/{permit['permit']}/agency_consent_response", data={"reference": "x"})
    assert response.status_code == 400 and "Pflichtfeld" in response.data.decode()
    assert _open_elements(services, permit["permit"]) == []


def test_a_kaarst_case_manager_cannot_record_messages_of_a_neuss_case(permit, login, services):
    client = login("c.kaarst")
    assert client.get(f"/faelle/{permit['neuss']}/eingang").status_code == 404
    url = f"/faelle/{permit['neuss']}/eingang/{permit['permit']}/agency_consent_response"
    assert client.post(url, data={"consent": "granted"}).status_code == 404
    assert _open_elements(services, permit["permit"]) == []


def _kimflow(database_url: str, *args: str) -> subprocess.CompletedProcess:
    code = "import sys; from web.cli import main; sys.argv = ['kimflow', *sys.argv[1:]]; main()"
    return subprocess.run([sys.executable, "-c", code, "--db", database_url, *args], capture_output=True, text=True,
                          check=False)


def test_the_cli_delivers_the_agency_answer_to_the_case(permit, services, database_url):
    result = _kimflow(database_url, "correlate", "agency_consent_response", "--case", permit["neuss"],
                      "--data", json.dumps({"consent": "refused"}))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["instances"] == [permit["permit"]]
    assert _open_elements(services, permit["permit"]) == ["record_agency_answer"]


def test_the_cli_exits_2_with_a_message_when_nothing_waits(permit, services, database_url):
    result = _kimflow(database_url, "correlate", "agency_consent_response", "--case", permit["kaarst"])
    assert result.returncode == 2
    assert "Keine Instanz" in result.stderr and permit["kaarst"] in result.stderr
    with services.db.reading() as session:
        assert session.scalar(select(ProcessInstance.status).where(ProcessInstance.id == permit["permit"])) == "running"
