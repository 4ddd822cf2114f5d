"""Scenario files: inputs per user task and the expected outcome, judged in German."""

import json
from pathlib import Path

import pytest

from engine.runtime.scenarios import ScenarioFileError, parse_scenarios, run_file, run_scenarios, scenario_paths
from tests.conftest import BPMN_DIR, fixture_files

SCENARIOS = Path(__file__).parent.parent / "scenarios"
FILES = fixture_files("two_tasks.bpmn")


def _one(expect, **inputs):
    return json.dumps({"process": "two_tasks", "scenarios": [{"name": "s", **inputs, "expect": expect}]})


def test_the_example_scenario_file_passes_completely():
    report = run_file(SCENARIOS / "two_tasks.scenarios.json")
    assert report.error is None and len(report.results) == 4
    assert [r.failures for r in report.results] == [[], [], [], []]


def test_a_wrong_end_event_fails_with_a_german_reason():
    text = _one({"end_event": "end_ok"}, tasks={"record": {"amount": 5}})
    [result] = run_scenarios(FILES, parse_scenarios(text))
    assert not result.passed
    assert result.failures == ["Erwartetes Endereignis »end_ok« nicht erreicht (erreicht: end_small)."]


def test_wrong_data_and_an_unexpected_wait_are_both_reported():
    text = _one({"completed": True, "data": {"amount": 9}}, tasks={"record": {"amount": 250}})
    [result] = run_scenarios(FILES, parse_scenarios(text))
    assert any("sollte beendet sein, wartet aber an" in f and "decide" in f for f in result.failures)
    assert "Daten »amount«: erwartet 9, erhalten 250." in result.failures


def test_a_path_that_should_be_avoided_fails_when_taken():
    text = _one({"path_excludes": ["decide"]}, tasks={"record": {"amount": 250}, "decide": {}})
    [result] = run_scenarios(FILES, parse_scenarios(text))
    assert result.failures == ["»decide« wurde durchlaufen, sollte aber nicht."]


@pytest.mark.parametrize("text, message", [
    ("{", "kein gültiges JSON"),
    ('{"scenarios": 3}', "Liste »scenarios«"),
    ('{"scenarios": [{"taks": {}}]}', "unbekannte Schlüssel: taks"),
])
def test_a_broken_scenario_file_is_refused_with_a_german_message(text, message):
    with pytest.raises(ScenarioFileError, match=message):
        parse_scenarios(text)


def test_scenario_files_are_found_next_to_a_diagram_and_in_folders():
    assert scenario_paths(SCENARIOS / "two_tasks.bpmn") == [SCENARIOS / "two_tasks.scenarios.json"]
    assert SCENARIOS / "two_tasks.scenarios.json" in scenario_paths(SCENARIOS)


@pytest.mark.parametrize("path", sorted(BPMN_DIR.rglob("*.scenarios.json")), ids=lambda p: p.name)
def test_every_scenario_file_in_the_process_library_passes(path):
    from web.cli import kim_extensions

    report = run_file(path, functions=kim_extensions().script_functions)
    assert report.error is None
    assert {r.name: r.failures for r in report.results if not r.passed} == {}


@pytest.mark.parametrize("name", ["work_permit_silence", "kim_case_review_timer"])
def test_a_timer_behind_an_event_based_gateway_can_be_fired_in_a_scenario(name):
    from web.cli import kim_extensions

    report = run_file(SCENARIOS / f"{name}.scenarios.json", functions=kim_extensions().script_functions)
    assert report.error is None
    assert report.results and {r.name: r.failures for r in report.results if not r.passed} == {}
