"""Due and follow-up dates of user tasks: the designer hears about an unusable value at save and deploy."""

import pytest

from engine.core.actors import Actor
from tests.conftest import fixture_files

XML = fixture_files("two_tasks.bpmn")["two_tasks.bpmn"].decode()
SYSTEM = Actor.system_actor("test")


def _with_due(value: str, attribute: str = "dueDate") -> str:
    return XML.replace('camunda:dueDate="P10D"', f'camunda:{attribute}="{value}"', 1)


@pytest.fixture
def designer(make_user, login, services):
    services.engine.deploy({"two_tasks.bpmn": XML}, actor=SYSTEM)
    make_user("d.berg", role="designer")
    return login("d.berg")


def _save(client, xml):
    return client.post("/designer/api/process/two_tasks/entwurf", json={"xml": xml, "file_name": "two_tasks.bpmn"})


def _date_problems(response) -> list[dict]:
    return [p for p in response.json["problems"] if p["element_id"] == "record"]


def test_a_due_date_in_words_is_reported_in_german_on_its_task_and_blocks_the_deploy(designer, services):
    [problem] = _date_problems(_save(designer, _with_due("3 Tage")))
    assert problem["severity"] == "error"
    assert problem["message"].startswith("Fälligkeit: »3 Tage« ist kein gültiges Datum")
    assert "P10D" in problem["message"]
    response = designer.post("/designer/api/process/two_tasks/bereitstellen", json={})
    assert response.status_code == 422
    assert any("3 Tage" in p["message"] for p in response.json["problems"])


@pytest.mark.parametrize("value", ["P10D", "PT4H", "2027-01-31", "2027-01-31T12:00:00Z", "${frist}"])
def test_iso_durations_dates_and_compiling_expressions_are_accepted(designer, value):
    assert _date_problems(_save(designer, _with_due(value))) == []


def test_a_follow_up_expression_that_does_not_compile_is_reported_once_with_the_expression(designer):
    [problem] = _date_problems(_save(designer, _with_due("${frist +}", "followUpDate")))
    assert "»${frist +}« ist ungültig" in problem["message"]
