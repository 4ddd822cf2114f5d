"""Write-side figures: start, complete, bare SpiffWorkflow for comparison, stored bytes per instance."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.camunda.parser import CamundaParser
from SpiffWorkflow.task import TaskState
from sqlalchemy import select

from bench.timing import Stats, measure
from engine.core.actors import Actor
from engine.read import lists as queries
from engine.service.engine import ProcessEngine
from engine.store.models import AuditEvent, HumanTask, ProcessInstance
from tests.bpmn_builder import linear

PROCESS_ID = "bench_two_tasks"
ACTOR = Actor.system_actor("bench")
NOTE = {"note": "Rückruf vereinbart"}


def deploy_two_tasks(engine: ProcessEngine) -> str:
    """Deploy the two-user-task process the start and complete figures use; return its XML."""
    xml = linear(PROCESS_ID, tasks=2)
    engine.deploy({f"{PROCESS_ID}.bpmn": xml}, actor=ACTOR)
    return xml


def first_open_task(engine: ProcessEngine, instance_id: int) -> str:
    """Return the id of the instance's oldest open human task."""
    with engine.db.reading() as session:
        return queries.open_tasks(session, instance_id=instance_id, limit=1)[0].id


def measure_start(engine: ProcessEngine, count: int, warmup: int) -> tuple[Stats, list[int]]:
    """Time start → first user task persisted; return the figures and the started instance ids."""
    started: list[int] = []

    def start() -> None:
        started.append(engine.start(PROCESS_ID, actor=ACTOR, data={"applicant": "A. Beispiel"}))

    stats = measure([start] * (count + warmup), warmup=warmup)
    return stats, started[warmup:]


def measure_complete(engine: ProcessEngine, instance_ids: list[int], warmup: int) -> Stats:
    """Time completing the first task of each instance (load, validate, run, persist)."""
    task_ids = [first_open_task(engine, instance_id) for instance_id in instance_ids]
    calls = [lambda task_id=task_id: engine.complete(task_id, actor=ACTOR, data=NOTE) for task_id in task_ids]
    return measure(calls, warmup=warmup)


@dataclass(frozen=True)
class BareFigures:
    """The same steps done by bare SpiffWorkflow in memory: no database, no validation, no projection."""

    start: Stats
    complete: Stats


def measure_bare(xml: str, count: int, warmup: int) -> BareFigures:
    """Parse once; time create + run to the first task, and complete (run + engine steps)."""
    parser = CamundaParser()
    parser.add_bpmn_str(xml.encode())
    spec, subprocesses = parser.get_spec(PROCESS_ID), parser.get_subprocess_specs(PROCESS_ID)
    workflows: list[BpmnWorkflow] = []

    def start() -> None:
        workflow = BpmnWorkflow(spec, subprocesses)
        workflow.task_tree.data.update({"applicant": "A. Beispiel"})
        workflow.do_engine_steps()
        workflow.get_tasks(state=TaskState.READY, manual=True)
        workflows.append(workflow)

    def complete(workflow: BpmnWorkflow) -> None:
        task = workflow.get_tasks(state=TaskState.READY, manual=True)[0]
        task.data.update(NOTE)
        task.run()
        workflow.do_engine_steps()

    start_stats = measure([start] * (count + warmup), warmup=warmup)
    complete_calls = [lambda workflow=workflow: complete(workflow) for workflow in workflows]
    return BareFigures(start_stats, measure(complete_calls, warmup=warmup))


def _value_bytes(value: object) -> int:
    if value is None:
        return 0
    if isinstance(value, dict | list):
        return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())
    if isinstance(value, bool):
        return 1
    if isinstance(value, int | float | dt.datetime):
        return 8
    return len(str(value).encode())


def row_bytes(row: object) -> int:
    """Return the bytes a row's column values take (no row headers, no indexes)."""
    return sum(_value_bytes(getattr(row, column.key)) for column in row.__table__.columns)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class StoredBytes:
    """Bytes per completed instance, by table."""

    state: float
    tasks: float
    audit: float

    @property
    def total(self) -> float:
        return self.state + self.tasks + self.audit


def stored_bytes(engine: ProcessEngine, count: int) -> StoredBytes:
    """Run `count` instances to completion and average the bytes of their state, task and audit rows."""
    ids = []
    for _ in range(count):
        instance_id = engine.start(PROCESS_ID, actor=ACTOR, data={"applicant": "A. Beispiel"})
        for _task in range(2):
            engine.complete(first_open_task(engine, instance_id), actor=ACTOR, data=NOTE)
        ids.append(instance_id)
    with engine.db.reading() as session:
        rows = list(session.scalars(select(ProcessInstance).where(ProcessInstance.id.in_(ids))))
        assert all(row.status == "completed" for row in rows), "bench instances did not complete"
        state = sum(len(row.state.encode()) for row in rows)
        tasks = sum(row_bytes(t) for t in session.scalars(select(HumanTask).where(HumanTask.instance_id.in_(ids))))
        audit = sum(row_bytes(a) for a in session.scalars(select(AuditEvent).where(AuditEvent.instance_id.in_(ids))))
    return StoredBytes(state / count, tasks / count, audit / count)
