"""Walk a deployed process through the façade, optionally on a fresh engine (cold spec cache) per step.

A "cold" walk builds a new ProcessEngine on the same database before every single step, as a second
worker would: the instance is saved after each verb and loaded again against freshly parsed specs.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select, update

from engine.bpmn.dialect import parse_bundle, service_topic
from engine.core.actors import Actor
from engine.core.errors import DefinitionError, KimflowError
from engine.service.engine import ProcessEngine
from engine.service.jobs import run_due_jobs
from engine.service.registry import Extensions
from engine.store.db import Database
from engine.store.models import Job, MessageSubscription, ProcessInstance
from tests.engine.test_conformance_walk import synthesise

ACTOR = Actor.system_actor("reload")
FAR_FUTURE = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)
MAX_STEPS = 60


@dataclass
class Plan:
    """How to walk one fixture: data per element (a list gives one value per visit) and who goes first."""

    data: dict = field(default_factory=dict)
    events_first: bool = False
    start_data: dict = field(default_factory=dict)

    @classmethod
    def beside(cls, path: Path) -> Plan:
        """Read the plan stored next to a diagram, or walk with synthesised data."""
        side = path.with_suffix(".json")
        raw = json.loads(side.read_text()) if side.exists() else {}
        return cls(raw.get("data", {}), raw.get("policy") == "events", raw.get("start_data", {}))


def handle_every_service_task(extensions: Extensions, files: dict[str, bytes]) -> None:
    """Register a handler returning {} for every service topic of the bundle."""
    bundle = parse_bundle(files)
    for process_id in bundle.process_ids:
        for spec in [bundle.spec(process_id), *bundle.subprocess_specs(process_id).values()]:
            for task_spec in spec.task_specs.values():
                if type(task_spec).__name__ == "ServiceTask":
                    extensions.service_handlers.setdefault(service_topic(task_spec) or "", lambda call: {})


def canon(value: object) -> object:
    """Return a comparable form of task data that keeps the value types (a set is not a list)."""
    if isinstance(value, dict):
        return {str(k): canon(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, list | tuple):
        return [canon(v) for v in value]
    if isinstance(value, set | frozenset):
        return (type(value).__name__, sorted(repr(canon(v)) for v in value))
    if isinstance(value, dt.date | dt.time | dt.timedelta | Decimal):
        return (type(value).__name__, value.isoformat() if hasattr(value, "isoformat") else str(value))
    return value


class ReloadWalk:
    """Drive one instance family to its end; `engine()` gives the engine for the next step."""

    def __init__(self, engine: Callable[[], ProcessEngine], case_ref: str, plan: Plan):
        self.engine = engine
        self.case_ref = case_ref
        self.plan = plan
        self.visits: Counter = Counter()
        self.trace: list[tuple] = []
        self.family = select(ProcessInstance.id).where(ProcessInstance.case_ref == case_ref)

    def run(self, process_id: str) -> str:
        """Start and walk; return "completed", "incident", "waiting" or "escaped" (a verb raised)."""
        root = self.engine().start(process_id, actor=ACTOR, case_ref=self.case_ref, data=self.plan.start_data)
        for _ in range(MAX_STEPS):
            status = self.engine().show(root).status
            if status != "running":
                return "completed" if status == "completed" else "incident"
            try:
                if not self.step():
                    return "waiting"
            except KimflowError as err:
                self.trace.append(("refused", type(err).__name__))
                return "waiting"
            except Exception as err:  # noqa: BLE001 - an error escaping a verb is an outcome the tests check
                self.trace.append(("escaped", type(err).__name__, str(err)[:200]))
                return "escaped"
        return "waiting"

    def step(self) -> bool:
        """Do one thing a person, another system or the clock would do; False when nothing is left."""
        engine = self.engine()
        task = next(iter(_open_tasks(engine, self.case_ref)), None)
        with engine.db.reading() as session:
            message = session.scalars(select(MessageSubscription.message_name).where(
                MessageSubscription.instance_id.in_(self.family)).order_by(MessageSubscription.id)).first()
            timer = session.scalars(select(Job.id).where(Job.instance_id.in_(self.family),
                                                         Job.status == "pending")).first()
        if message is not None and (self.plan.events_first or task is None) and self.visits[message] < 1:
            self.visits[message] += 1
            self.trace.append(("message", message))
            engine.correlate(message, actor=ACTOR, case_ref=self.case_ref, payload={"received": message})
            return True
        if task is not None:
            self._complete(engine, *task)
            return True
        if timer is not None:
            self.trace.append(("timer",))
            return run_due_jobs(engine, now=FAR_FUTURE, limit=1) > 0
        return False

    def _complete(self, engine: ProcessEngine, task_id: str, element_id: str) -> None:
        form, _data = engine.task_form(task_id)
        data = synthesise(form)
        planned = self.plan.data.get(element_id, {})
        if isinstance(planned, list):
            planned = planned[min(self.visits[element_id], len(planned) - 1)]
        data.update(planned)
        self.visits[element_id] += 1
        self.trace.append(("complete", element_id))
        engine.complete(task_id, actor=ACTOR, data=data)

    def end_state(self) -> list:
        """Return every instance's process, status, incident element and data, open tasks and timers."""
        engine = self.engine()
        with engine.db.reading() as session:
            rows = session.scalars(select(ProcessInstance).where(ProcessInstance.case_ref == self.case_ref)
                                   .order_by(ProcessInstance.id)).all()
            jobs = sorted(session.scalars(select(Job.element_id).where(
                Job.instance_id.in_(self.family), Job.status == "pending")).all())
        state: list = [(row.process_id, row.status, row.error_element, canon(engine.show(row.id).data))
                       for row in rows]
        return [*state, ("tasks", sorted(e for _t, e in _open_tasks(engine, self.case_ref))), ("jobs", jobs),
                ("trace", self.trace)]


    def finish(self) -> None:
        """Cancel what still runs so its timers cannot fire during later walks."""
        engine = self.engine()
        with engine.db.reading() as session:
            running = session.scalars(select(ProcessInstance.id).where(
                ProcessInstance.case_ref == self.case_ref,
                ProcessInstance.status.in_(("running", "error", "suspended")))).all()
        for instance_id in running:
            engine.cancel(instance_id, actor=ACTOR, reason="reload walk finished")


def _open_tasks(engine: ProcessEngine, case_ref: str) -> list[tuple[str, str]]:
    from engine.store.models import HumanTask

    with engine.db.reading() as session:
        family = select(ProcessInstance.id).where(ProcessInstance.case_ref == case_ref)
        return [tuple(row) for row in session.execute(
            select(HumanTask.id, HumanTask.element_id).where(HumanTask.instance_id.in_(family),
                                                             HumanTask.status.in_(("open", "claimed")))
            .order_by(HumanTask.element_id, HumanTask.created_at, HumanTask.id)).all()]


@dataclass
class Comparison:
    """One process walked twice: on one engine and on a fresh engine per step."""

    path: Path
    process_id: str
    outcome: str
    same: bool
    warm: list
    cold: list


def deploy(db: Database, extensions: Extensions, files: dict[str, bytes]) -> list[str]:
    """Deploy a bundle and answer its service tasks; return the processes deployed."""
    deployed = ProcessEngine(db, extensions).deploy(files, actor=ACTOR)
    handle_every_service_task(extensions, files)
    with db.unit_of_work() as session:  # the walk starts instances itself; timer starts would add more
        session.execute(update(Job).where(Job.kind == "start", Job.status == "pending").values(status="cancelled"))
    return [item.process_id for item in deployed if item.kind == "process"]


def compare(db: Database, extensions: Extensions, path: Path, process_id: str, tag: str) -> Comparison:
    """Walk a deployed process warm and cold and compare the end states."""
    plan = Plan.beside(path)
    warm_engine = ProcessEngine(db, extensions)
    warm = ReloadWalk(lambda: warm_engine, f"{tag}-warm", plan)
    outcome = warm.run(process_id)
    warm_state = warm.end_state()
    warm.finish()
    cold = ReloadWalk(lambda: ProcessEngine(db, extensions), f"{tag}-cold", plan)
    cold_outcome = cold.run(process_id)
    cold_state = cold.end_state()
    cold.finish()
    same = outcome == cold_outcome and warm_state == cold_state
    return Comparison(path, process_id, outcome, same, warm_state, cold_state)


def try_deploy(db: Database, extensions: Extensions, files: dict[str, bytes]) -> tuple[str, list[str], str]:
    """Deploy; return ("deployed", processes, "") or ("refused"/"crashed", [], reason)."""
    try:
        return "deployed", deploy(db, extensions, files), ""
    except DefinitionError as err:
        return "refused", [], "; ".join(str(problem) for problem in err.problems)[:300]
    except Exception as err:  # noqa: BLE001 - counted as a crash, and the tests fail on it
        return "crashed", [], f"{type(err).__name__}: {err}"[:300]
