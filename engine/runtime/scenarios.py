"""Scenario tests: a JSON file of inputs per user task and the expected outcome, kept next to the diagram.

Format of `<diagram>.scenarios.json` (all keys but "scenarios" optional)::

    {"process": "application",                   # process id (default: the first executable process)
     "files": ["application.bpmn", "eligibility.dmn"],  # bundle, relative to this file (default: every
                                                 # .bpmn/.dmn in the same folder)
     "scenarios": [
       {"name": "Rejected without documents",
        "start": {"area": "north"},               # data the instance starts with
        "tasks": {"record_request": {...},        # form inputs per user task id; a list = one per visit
                  "review": [{...}, {...}]},
        "decisions": {"rule_eligibility": {...}},  # data set right before a business rule task
        "services": {"send_mail": {"sent": true}},  # simulated result of a service task
        "messages": [{"name": "documents_received", "payload": {...}}],  # delivered in order when awaited
        "timers": ["reminder_timer"],             # timer events that fire when they wait
        "expect": {"completed": true, "end_event": "end_declined",
                   "waiting_at": ["check"], "path_includes": ["review"],
                   "path_excludes": ["approve"], "data": {"eligible": false}}}]}
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from engine.core.errors import KimflowError
from engine.runtime.dryrun import DryRunResult, Scenario, dry_run

SUFFIX = ".scenarios.json"
_KEYS = {f.name for f in fields(Scenario)} - {"process_id"}


class ScenarioFileError(KimflowError):
    """A scenario file cannot be read; the message says where and why (German)."""


@dataclass
class ScenarioFile:
    """The parsed content of a scenario file."""

    process_id: str | None
    scenarios: list[Scenario]
    files: list[str] | None = None


@dataclass
class ScenarioResult:
    """The verdict of one scenario: passed, or the German reasons why not."""

    name: str
    failures: list[str]
    run: DryRunResult

    @property
    def passed(self) -> bool:
        return not self.failures

    def as_dict(self) -> dict:
        return {"name": self.name, "passed": self.passed, "failures": self.failures, "run": self.run.as_dict(),
                "stopped_at": self.stopped_at}

    @property
    def stopped_at(self) -> str | None:
        """Name the step the run ended or waits at, for the designer to find the failure on the diagram."""
        if not self.run.path:
            return None
        last = self.run.path[-1]
        return f"{last.name} ({last.element_id})" if last.name and last.name != last.element_id else last.element_id


@dataclass
class FileReport:
    """The results of every scenario in one file."""

    path: str
    results: list[ScenarioResult] = field(default_factory=list)
    error: str | None = None

    @property
    def passed(self) -> bool:
        return self.error is None and all(result.passed for result in self.results)


def parse_scenarios(text: str, *, source: str = "Szenariodatei") -> ScenarioFile:
    """Parse the JSON text of a scenario file; raise ScenarioFileError with a German message."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as err:
        raise ScenarioFileError(f"{source}: kein gültiges JSON (Zeile {err.lineno}, Spalte {err.colno}).")
    if not isinstance(raw, dict) or not isinstance(raw.get("scenarios"), list):
        raise ScenarioFileError(f"{source}: erwartet ein Objekt mit einer Liste »scenarios«.")
    process_id = raw.get("process")
    scenarios = [_scenario(item, index, process_id, source) for index, item in enumerate(raw["scenarios"], 1)]
    files = raw.get("files")
    if files is not None and not (isinstance(files, list) and all(isinstance(f, str) for f in files)):
        raise ScenarioFileError(f"{source}: »files« muss eine Liste von Dateinamen sein.")
    return ScenarioFile(process_id, scenarios, files)


def _scenario(item: Any, index: int, process_id: str | None, source: str) -> Scenario:
    if not isinstance(item, dict):
        raise ScenarioFileError(f"{source}: Szenario {index} ist kein Objekt.")
    unknown = sorted(set(item) - _KEYS)
    if unknown:
        raise ScenarioFileError(f"{source}: Szenario {index} hat unbekannte Schlüssel: {', '.join(unknown)} "
                                f"(erlaubt: {', '.join(sorted(_KEYS))}).")
    values = {key: item[key] for key in _KEYS if key in item}
    values.setdefault("name", f"Szenario {index}")
    return Scenario(process_id=item.get("process", process_id), **values)


def check(result: DryRunResult, expect: Mapping[str, Any]) -> list[str]:
    """Compare a run with the expectations; return German failure messages."""
    failures = [f"Fehler im Ablauf: {problem}" for problem in result.errors]
    if "completed" in expect and bool(expect["completed"]) != result.completed:
        failures.append(f"Der Prozess sollte beendet sein, wartet aber an {', '.join(result.waiting_at) or 'nichts'}."
                        if expect["completed"] else "Der Prozess sollte noch laufen, ist aber beendet.")
    end = expect.get("end_event")
    if end and end not in result.end_events:
        failures.append(f"Erwartetes Endereignis »{end}« nicht erreicht (erreicht: "
                        f"{', '.join(result.end_events) or 'keines'}).")
    for element in _listed(expect.get("waiting_at")):
        if element not in result.waiting_at:
            failures.append(f"Der Prozess sollte an »{element}« warten (wartet an: "
                            f"{', '.join(result.waiting_at) or 'nichts'}).")
    for element in _listed(expect.get("path_includes")):
        if element not in result.visited:
            failures.append(f"»{element}« wurde nicht durchlaufen.")
    for element in _listed(expect.get("path_excludes")):
        if element in result.visited:
            failures.append(f"»{element}« wurde durchlaufen, sollte aber nicht.")
    for key, wanted in (expect.get("data") or {}).items():
        actual = result.data.get(key, "<fehlt>")
        if actual != wanted:
            failures.append(f"Daten »{key}«: erwartet {wanted!r}, erhalten {actual!r}.")
    return failures


def _listed(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else [str(each) for each in value]


def run_scenarios(files: Mapping[str, bytes | str], scenario_file: ScenarioFile, *,
                  functions: Mapping[str, Callable] | None = None) -> list[ScenarioResult]:
    """Run every scenario of a file against a bundle and judge it."""
    results = []
    for scenario in scenario_file.scenarios:
        run = dry_run(files, scenario, functions=functions)
        results.append(ScenarioResult(scenario.name, check(run, scenario.expect), run))
    return results


def scenario_paths(path: Path) -> list[Path]:
    """Return the scenario files for a path: the file, a diagram's sibling, or all in a folder."""
    if path.is_dir():
        return sorted(path.rglob(f"*{SUFFIX}"))
    if path.name.endswith(SUFFIX):
        return [path]
    sibling = path.with_name(path.name.rsplit(".", 1)[0] + SUFFIX)
    return [sibling] if sibling.exists() else []


def bundle_for(path: Path, scenario_file: ScenarioFile) -> dict[str, bytes]:
    """Read the diagrams a scenario file runs against."""
    if scenario_file.files is not None:
        return {name: (path.parent / name).read_bytes() for name in scenario_file.files}
    return {each.name: each.read_bytes() for each in sorted(path.parent.iterdir())
            if each.suffix in (".bpmn", ".dmn")}


def run_file(path: Path, *, functions: Mapping[str, Callable] | None = None) -> FileReport:
    """Load a scenario file and its diagrams, run every scenario and report."""
    report = FileReport(str(path))
    try:
        scenario_file = parse_scenarios(path.read_text(encoding="utf-8"), source=str(path))
        files = bundle_for(path, scenario_file)
    except (OSError, ScenarioFileError) as err:
        report.error = str(err)
        return report
    report.results = run_scenarios(files, scenario_file, functions=functions)
    return report
