"""Run the diagrams in bpmn/ on bare SpiffWorkflow: parse, step, fire timers, send messages, round-trip."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.task_spec import BpmnTaskSpecConverter
from SpiffWorkflow.bpmn.specs.defaults import ServiceTask
from SpiffWorkflow.camunda.parser.CamundaParser import CamundaParser
from SpiffWorkflow.camunda.serializer import DEFAULT_CONFIG
from SpiffWorkflow.util.task import TaskState

BPMN_DIR = Path(__file__).resolve().parents[2] / "bpmn"
PAST = "2000-01-01T00:00:00+00:00"


def _date(value: str) -> dt.date:
    return dt.date.fromisoformat(value[:10])


def add_days(value: str, days: int) -> str:
    """Return the ISO date `days` after `value`."""
    return (_date(value) + dt.timedelta(days=days)).isoformat()


def month_end(value: str) -> str:
    """Return the last day of the month of `value`."""
    d = _date(value)
    return d.replace(day=calendar.monthrange(d.year, d.month)[1]).isoformat()


def first_of_next_month(value: str) -> str:
    """Return the first day of the month after `value`."""
    return add_days(month_end(value), 1)


def days_until(value: str) -> int:
    """Return the number of days from today until `value` (negative when past)."""
    return (_date(value) - dt.date.today()).days


# Reference implementations of the functions the engine must register for the diagrams.
FUNCTIONS = {
    "add_days": add_days,
    "month_end": month_end,
    "first_of_next_month": first_of_next_month,
    "days_until": days_until,
}


def script_engine() -> PythonScriptEngine:
    """Return a script engine that knows the kimflow date functions."""
    return PythonScriptEngine(environment=TaskDataEnvironment(dict(FUNCTIONS)))


def parser() -> CamundaParser:
    """Return a Camunda parser loaded with every diagram and table in bpmn/."""
    p = CamundaParser()
    p.add_bpmn_files(sorted(str(f) for f in BPMN_DIR.glob("*.bpmn")))
    p.add_dmn_files(sorted(str(f) for f in BPMN_DIR.glob("*.dmn")))
    return p


# The Camunda serializer config lacks a converter for the base ServiceTask; the engine must add it too.
SERIALIZER = BpmnWorkflowSerializer(
    BpmnWorkflowSerializer.configure({**DEFAULT_CONFIG, ServiceTask: BpmnTaskSpecConverter})
)


class Run:
    """A running workflow that round-trips through the serializer after every step."""

    def __init__(self, process_id: str, data: dict | None = None):
        p = parser()
        self.workflow = BpmnWorkflow(
            p.get_spec(process_id), p.get_subprocess_specs(process_id), script_engine=script_engine()
        )
        self.workflow.task_tree.data.update(data or {})
        self.thrown: list[BpmnEvent] = []
        self.step()

    def step(self) -> None:
        """Run engine steps, collect outgoing messages, then serialize and continue on the copy."""
        self.workflow.do_engine_steps()
        self.thrown.extend(self.workflow.get_events())
        self.roundtrip()

    def roundtrip(self) -> None:
        """Replace the workflow by its deserialized copy, checking the JSON is stable."""
        first = SERIALIZER.serialize_json(self.workflow)
        copy = SERIALIZER.deserialize_json(first)
        copy.script_engine = script_engine()
        assert SERIALIZER.serialize_json(copy) == first
        self.workflow = copy

    @property
    def data(self) -> dict:
        """Return the data of the most recently completed task."""
        done = [t for t in self.workflow.get_tasks(state=TaskState.COMPLETED)]
        return max(done, key=lambda t: t.last_state_change).data if done else {}

    def ready(self) -> list[str]:
        """Return the ids of the user tasks waiting for a person."""
        return sorted(
            t.task_spec.bpmn_id for t in self.workflow.get_tasks(state=TaskState.READY, manual=True)
        )

    def task(self, bpmn_id: str):
        """Return the single ready human task with this id."""
        found = [
            t
            for t in self.workflow.get_tasks(state=TaskState.READY, manual=True)
            if t.task_spec.bpmn_id == bpmn_id
        ]
        assert len(found) == 1, f"{bpmn_id} not ready; ready: {self.ready()}"
        return found[0]

    def complete(self, bpmn_id: str, **data) -> None:
        """Fill in the task's form with `data` and complete it."""
        task = self.task(bpmn_id)
        task.data.update(submit(task.task_spec, data))
        task.run()
        self.step()

    def complete_service(self, bpmn_id: str, **data) -> None:
        """Complete a service task the application performs itself."""
        found = [
            t for t in self.workflow.get_tasks(state=TaskState.STARTED) if t.task_spec.bpmn_id == bpmn_id
        ]
        assert len(found) == 1, f"service task {bpmn_id} not started"
        found[0].data.update(data)
        found[0].complete()
        self.step()

    def waiting_timers(self) -> list[str]:
        """Return the ids of waiting tasks that hold a timer due time."""
        return sorted(
            t.task_spec.bpmn_id
            for t in self.workflow.get_tasks(state=TaskState.WAITING)
            if "event_value" in t.internal_data
        )

    def timer_value(self, bpmn_id: str):
        """Return the due time a waiting timer task computed."""
        return next(
            t.internal_data["event_value"]
            for t in self.workflow.get_tasks(state=TaskState.WAITING)
            if t.task_spec.bpmn_id == bpmn_id
        )

    def fire(self, *bpmn_ids: str) -> None:
        """Move the due time of the named waiting timers into the past and let them fire."""
        tasks = [
            t for t in self.workflow.get_tasks(state=TaskState.WAITING) if t.task_spec.bpmn_id in bpmn_ids
        ]
        assert {t.task_spec.bpmn_id for t in tasks} == set(bpmn_ids), f"waiting: {self.waiting_timers()}"
        for t in tasks:
            assert "event_value" in t.internal_data, t.task_spec.bpmn_id
            t.internal_data["event_value"] = PAST
        self.workflow.refresh_timers()
        self.step()

    def send(self, event: BpmnEvent) -> None:
        """Deliver a message event to this workflow."""
        self.workflow.send_event(event)
        self.step()

    def messages(self, name: str) -> list[BpmnEvent]:
        """Return the thrown, uncaught messages with this name."""
        return [e for e in self.thrown if e.event_definition.name == name]

    def lanes(self, ids: Iterable[str]) -> set[str]:
        """Return the lanes of the named ready tasks."""
        return {self.task(i).task_spec.lane for i in ids}

    @property
    def completed(self) -> bool:
        return self.workflow.completed


def _has(form_field, constraint: str) -> bool:
    return any(v.name == constraint for v in form_field.validation)


def _default(form_field):
    if form_field.type == "boolean":
        return str(form_field.default_value).lower() == "true"
    if form_field.type == "long" and form_field.default_value:
        return int(form_field.default_value)
    return form_field.default_value or None


def submit(task_spec, data: dict) -> dict:
    """Check `data` against the task's form and add every unsent field the way kimflow's forms do."""
    fields = {f.id: f for f in task_spec.form.fields}
    unknown = set(data) - set(fields)
    assert not unknown, f"{task_spec.bpmn_id} has no form fields {unknown}"
    clean = dict(data)
    for fid, form_field in fields.items():
        if _has(form_field, "readonly"):
            assert fid not in data, f"{fid} is read-only"
            continue
        clean.setdefault(fid, _default(form_field))
        if _has(form_field, "required"):
            assert clean[fid] is not None, f"{task_spec.bpmn_id}: {fid} is required"
        if form_field.type == "enum" and clean[fid] is not None:
            assert clean[fid] in {o.id for o in form_field.options}, f"{fid}: {clean[fid]!r}"
    return clean


def message(name: str, payload=None, result_var: str | None = None) -> BpmnEvent:
    """Build a Camunda-style message event as another instance (or the engine) would send it."""
    from SpiffWorkflow.camunda.specs.event_definitions import MessageEventDefinition

    return BpmnEvent(MessageEventDefinition(name), payload={"payload": payload, "result_var": result_var})


class _DecisionTask:
    """The little a DMN engine needs from a task: data and a workflow with a script engine."""

    def __init__(self, data: dict):
        self.data = data
        self.workflow = type("W", (), {"script_engine": script_engine()})()


def decide(p: CamundaParser, decision_id: str, **data) -> dict:
    """Evaluate one decision table against `data` and return its outputs."""
    return p.get_engine(decision_id, None).result(_DecisionTask(data))


def matching_rules(p: CamundaParser, decision_id: str, **data) -> int:
    """Return how many rules of the table match `data` (UNIQUE tables must match exactly one)."""
    engine = p.get_engine(decision_id, None)
    task = _DecisionTask(data)
    policy, engine.decision_table.hit_policy = engine.decision_table.hit_policy, "COLLECT"
    try:
        return len(engine.decide(task))
    finally:
        engine.decision_table.hit_policy = policy
