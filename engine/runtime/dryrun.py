"""Dry run of a process in memory: the designer's inputs pick the path; nothing is persisted."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import TaskState

from engine.bpmn.dialect import parse_bundle
from engine.bpmn.forms import form_for
from engine.bpmn.messages import message_event
from engine.core.errors import CorrelationError, DefinitionError, Problem
from engine.runtime.sandbox import SandboxedScriptEngine
from engine.runtime.serialization import KimflowWorkflow

MAX_ROUNDS = 500


@dataclass
class Scenario:
    """Inputs that pick a path through a process, and optionally what the designer expects."""

    name: str = "Probelauf"
    process_id: str | None = None
    start: dict[str, Any] = field(default_factory=dict)
    tasks: dict[str, Any] = field(default_factory=dict)  # user task id -> form data, or a list per visit
    decisions: dict[str, dict[str, Any]] = field(default_factory=dict)  # business rule task id -> inputs
    services: dict[str, dict[str, Any]] = field(default_factory=dict)  # service task id -> simulated result
    messages: list[dict[str, Any]] = field(default_factory=list)  # {"name": ..., "payload": {...}} in order
    timers: list[str] = field(default_factory=list)  # timer event ids that fire when they wait
    expect: dict[str, Any] = field(default_factory=dict)


@dataclass
class Step:
    """One element the run passed through."""

    element_id: str
    name: str
    kind: str
    note: str = ""

    def as_dict(self) -> dict:
        return {"element_id": self.element_id, "name": self.name, "kind": self.kind, "note": self.note}


@dataclass
class DryRunResult:
    """Where the run went, where it stopped, and the data it ended with."""

    process_id: str | None
    path: list[Step] = field(default_factory=list)
    completed: bool = False
    end_events: list[str] = field(default_factory=list)
    waiting_at: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    errors: list[Problem] = field(default_factory=list)

    @property
    def visited(self) -> list[str]:
        return [step.element_id for step in self.path]

    def as_dict(self) -> dict:
        return {"process_id": self.process_id, "path": [step.as_dict() for step in self.path],
                "completed": self.completed, "end_events": self.end_events, "waiting_at": self.waiting_at,
                "data": _jsonable(self.data), "errors": [problem.as_dict() for problem in self.errors]}


class _StopRun(Exception):
    def __init__(self, problem: Problem):
        self.problem = problem


def dry_run(files: Mapping[str, bytes | str], scenario: Scenario, *,
            functions: Mapping[str, Callable] | None = None) -> DryRunResult:
    """Run a scenario against a bundle in memory and report the path, the stop and the data."""
    try:
        bundle = parse_bundle(files)
    except DefinitionError as err:
        return DryRunResult(scenario.process_id, errors=list(err.problems))
    process_id = scenario.process_id or (bundle.process_ids[0] if bundle.process_ids else None)
    if process_id not in bundle.process_ids:
        return DryRunResult(process_id, errors=[Problem(f"Prozess »{process_id}« ist nicht im Paket.")])
    workflow = KimflowWorkflow(bundle.spec(process_id), bundle.subprocess_specs(process_id),
                               script_engine=SandboxedScriptEngine(dict(functions or {})))
    workflow.task_tree.data.update(scenario.start)
    runner = _Runner(workflow, scenario, DryRunResult(process_id))
    try:
        runner.run()
    except _StopRun as stop:
        runner.result.errors.append(stop.problem)
    except Exception as err:  # noqa: BLE001 - a failing script or expression is the designer's finding
        runner.result.errors.append(Problem(f"Der Probelauf brach ab: {err}", element_id=_failing(err)))
    return runner.finish()


class _Runner:
    def __init__(self, workflow: BpmnWorkflow, scenario: Scenario, result: DryRunResult):
        self.workflow = workflow
        self.scenario = scenario
        self.result = result
        self.visits: dict[str, int] = {}
        self.messages = list(scenario.messages)

    def run(self) -> None:
        for _ in range(MAX_ROUNDS):
            self._engine_steps()
            if self.workflow.completed:
                return
            if not (self._complete_human() or self._deliver_message() or self._fire_timer()):
                return
        raise _StopRun(Problem(f"Der Probelauf wurde nach {MAX_ROUNDS} Schritten abgebrochen (Schleife?)."))

    def _engine_steps(self) -> None:
        for _ in range(MAX_ROUNDS):
            self.workflow.do_engine_steps(will_complete_task=self._before, did_complete_task=self._after)
            started = [task for task in self.workflow.get_tasks(state=TaskState.STARTED)
                       if type(task.task_spec).__name__ == "ServiceTask"]
            if not started:
                return
            for task in started:
                task.data.update(self.scenario.services.get(task.task_spec.bpmn_id, {}))
                task.complete()
                self._after(task, note="simuliert")
        raise _StopRun(Problem("Zu viele aufeinanderfolgende Serviceaufgaben (Endlosschleife?)."))

    def _before(self, task) -> None:
        inputs = self.scenario.decisions.get(task.task_spec.bpmn_id or "")
        if inputs:
            task.data.update(inputs)

    def _after(self, task, note: str = "") -> None:
        spec = task.task_spec
        if not spec.bpmn_id or type(spec).__name__ == "ServiceTask" and task.state == TaskState.STARTED:
            return
        kind = type(spec).__name__
        self.result.path.append(Step(spec.bpmn_id, spec.bpmn_name or spec.bpmn_id, kind, note))
        if kind == "EndEvent":
            self.result.end_events.append(spec.bpmn_id)

    def _complete_human(self) -> bool:
        ready = self.workflow.get_tasks(state=TaskState.READY, manual=True)
        for task in sorted(ready, key=lambda each: each.task_spec.bpmn_id or ""):
            data = self._inputs_for(task.task_spec.bpmn_id or "")
            if data is None:
                continue
            form = form_for(task.task_spec)
            clean, errors = form.validate(data) if form is not None else (dict(data), {})
            if errors:
                details = "; ".join(f"{name}: {', '.join(messages)}" for name, messages in errors.items())
                raise _StopRun(Problem(f"Eingaben für »{task.task_spec.bpmn_name or task.task_spec.bpmn_id}« "
                                       f"sind ungültig: {details}", element_id=task.task_spec.bpmn_id))
            task.data.update(clean)
            task.run()
            self._after(task, note="Eingaben: " + ", ".join(sorted(clean)) if clean else "")
            return True
        return False

    def _inputs_for(self, element_id: str) -> dict | None:
        given = self.scenario.tasks.get(element_id)
        visit = self.visits.get(element_id, 0)
        if isinstance(given, list):
            if visit >= len(given):
                return None
            self.visits[element_id] = visit + 1
            return dict(given[visit] or {})
        if isinstance(given, dict):
            self.visits[element_id] = visit + 1
            return dict(given)
        return None

    def _deliver_message(self) -> bool:
        for index, message in enumerate(self.messages):
            name = str(message.get("name", ""))
            try:
                event = message_event(self.workflow, name, dict(message.get("payload") or {}), {})
            except CorrelationError:  # not waited for yet; try the next one
                continue
            del self.messages[index]
            self.workflow.send_event(event)
            return True
        return False

    def _fire_timer(self) -> bool:
        for task in list(self.workflow.event_manager.tasks.values()):
            if task.has_state(TaskState.WAITING) and _timer_ids(task) & set(self.scenario.timers):
                task._set_internal_data(event_fired=True)
                self.workflow.refresh_timers()
                return True
        return False

    def finish(self) -> DryRunResult:
        result = self.result
        result.completed = bool(self.workflow.completed)
        result.data = dict(self.workflow.data) if self.workflow.completed and self.workflow.data else \
            dict((self.workflow.last_task or self.workflow.task_tree).data)
        if not result.completed:
            waiting = self.workflow.get_tasks(state=TaskState.READY | TaskState.WAITING)
            result.waiting_at = sorted({task.task_spec.bpmn_id for task in waiting if task.task_spec.bpmn_id})
        return result


def _failing(err: Exception) -> str | None:
    task = getattr(err, "task", None)
    return task.task_spec.bpmn_id if task is not None else getattr(err, "element_id", None)


def _jsonable(data: dict) -> dict:
    return json.loads(json.dumps(data, default=str))


def _timer_ids(task) -> set[str]:
    """Return the ids a scenario may name a waiting timer by: its own, or an event-based gateway's timers."""
    spec = task.task_spec
    kind = type(spec.event_definition).__name__
    if "Time" in kind:
        return {spec.bpmn_id}
    if kind == "MultipleEventDefinition":
        timers = {out.bpmn_id for out, each in zip(spec.outputs, spec.event_definition.event_definitions, strict=False)
                  if "Time" in type(each).__name__}
        return timers | {spec.bpmn_id} if timers else set()
    return set()
