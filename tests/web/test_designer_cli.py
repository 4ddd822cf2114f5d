"""`kimflow test PATH`: scenario tests from the command line, exit 0 when all pass, 1 otherwise."""

import json
from pathlib import Path

from engine.cli import Plugin, run
from web import designer_commands

SCENARIOS = Path(__file__).parent.parent / "scenarios"


def _kimflow(*argv, db_url):
    return run(["--db", db_url, *argv], plugin=Plugin(commands=[designer_commands.register]))


def test_passing_scenarios_exit_zero_with_a_summary(capsys, database_url):
    assert _kimflow("test", str(SCENARIOS / "two_tasks.bpmn"), db_url=database_url) == 0
    out = capsys.readouterr().out
    assert "4 Szenarien, 4 bestanden, 0 fehlgeschlagen" in out


def test_a_failing_scenario_exits_one_and_names_the_reason(tmp_path, capsys, database_url):
    (tmp_path / "two_tasks.bpmn").write_bytes((SCENARIOS / "two_tasks.bpmn").read_bytes())
    (tmp_path / "two_tasks.scenarios.json").write_text(json.dumps({"scenarios": [
        {"name": "falsches Ende", "tasks": {"record": {"amount": 5}}, "expect": {"end_event": "end_ok"}}]}))
    assert _kimflow("test", str(tmp_path), db_url=database_url) == 1
    out = capsys.readouterr().out
    assert "FEHLER" in out and "Erwartetes Endereignis »end_ok«" in out and "1 fehlgeschlagen" in out


def test_no_scenario_file_is_a_failure(tmp_path, capsys, database_url):
    assert _kimflow("test", str(tmp_path), db_url=database_url) == 1
    assert "Keine Szenariodateien" in capsys.readouterr().out
