"""Scenarios on the designer page: shipped files appear, no scenario is neutral, a failure names step and difference."""

import json

import pytest

from engine.core.actors import Actor
from tests.conftest import fixture_files
from workflows.library import bpmn_dir

XML = fixture_files("two_tasks.bpmn")["two_tasks.bpmn"].decode()
SYSTEM = Actor.system_actor("test")


@pytest.fixture
def designer(make_user, login):
    make_user("d.berg", role="designer")
    return login("d.berg")


def _run(client, text: str):
    return client.post("/designer/api/process/two_tasks/szenarien", json={"xml": XML, "text": text}).json


def test_the_designer_page_of_a_library_process_shows_its_shipped_scenario_file(designer, services):
    files = {name: (bpmn_dir() / name).read_bytes()
             for name in ("work_permit.bpmn", "agency_consent.dmn", "employment_toleration.dmn")}
    services.engine.deploy(files, actor=SYSTEM)
    shipped = json.loads((bpmn_dir() / "work_permit.scenarios.json").read_text(encoding="utf-8"))
    page = designer.get("/designer/process/work_permit/").get_data(as_text=True)
    first = shipped["scenarios"][0]["name"]
    assert first.split(":")[0] in page


def test_a_process_without_a_shipped_file_starts_with_an_empty_list_and_runs_nothing(designer, services):
    services.engine.deploy({"two_tasks.bpmn": XML}, actor=SYSTEM)
    page = designer.get("/designer/process/two_tasks/").get_data(as_text=True)
    assert "{&#34;scenarios&#34;: []}" in page or '{"scenarios": []}' in page
    assert (_run(designer, '{"scenarios": []}')["total"]) == 0


def test_a_failing_scenario_names_the_step_it_stopped_at_and_expected_against_actual(designer, services):
    services.engine.deploy({"two_tasks.bpmn": XML}, actor=SYSTEM)
    text = json.dumps({"scenarios": [{"name": "falsches Ende", "tasks": {"record": {"amount": 5}},
                                      "expect": {"end_event": "end_ok", "data": {"amount": 7}}}]})
    [result] = _run(designer, text)["results"]
    assert result["passed"] is False and result["stopped_at"]
    assert any("»end_ok«" in failure and "end_small" in failure for failure in result["failures"])
    assert "Daten »amount«: erwartet 7, erhalten 5." in result["failures"]
