"""Walk the diagrams in bpmn/ through kimflow itself: deploy, start, complete, correlate and fire via the database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import select

from engine.core import clock
from engine.core.actors import Actor
from engine.service.engine import ProcessEngine
from engine.service.jobs import run_due_jobs
from engine.store.db import Database
from engine.store.models import DefinitionVersion, HumanTask, Job, ProcessInstance
from workflows.library import deploy_library
from workflows.seed import seed_units
from workflows.setup import build_extensions

BPMN_DIR = Path(__file__).resolve().parents[2] / "bpmn"
SYSTEM = Actor.system_actor("test")
# The walks run on a frozen clock: "today" is a Wednesday before the dates the diagrams' examples use.
START = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)
OPEN = ("open", "claimed")
# Messages nobody in the library catches; a sink process started by each makes what was thrown visible.
SINKS = ("registration_office_notified", "naturalisation_completed")
SINK_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="defs_sink_{name}" targetNamespace="http://kimflow/test">
<bpmn:message id="msg_{name}" name="{name}" />
<bpmn:process id="sink_{name}" name="Empfang {name}" isExecutable="true">
<bpmn:startEvent id="start_sink"><bpmn:outgoing>f1</bpmn:outgoing>
<bpmn:messageEventDefinition messageRef="msg_{name}" camunda:resultVariable="received" /></bpmn:startEvent>
<bpmn:userTask id="read_message" name="Nachricht lesen" camunda:formKey="sink:read"><bpmn:extensionElements>
<camunda:formData><camunda:formField id="read" label="gelesen" type="boolean" /></camunda:formData>
</bpmn:extensionElements><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
<bpmn:endEvent id="end_sink"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
<bpmn:sequenceFlow id="f1" sourceRef="start_sink" targetRef="read_message" />
<bpmn:sequenceFlow id="f2" sourceRef="read_message" targetRef="end_sink" />
</bpmn:process></bpmn:definitions>
"""

_DEPLOYED: dict[str, list[dict]] = {}  # database URL -> the definition rows the façade stored for the library


class World:
    """The district's database with the library deployed; every step is one engine call on a frozen clock."""

    # With `fresh`, each step runs on a new ProcessEngine (an empty parsed-spec cache, as a second worker would
    # have); otherwise one engine serves every step, still loading and saving the instance through the database.

    def __init__(self, db: Database, *, fresh: bool = False):
        self.db = db
        self.fresh = fresh
        self.now = START
        self.steps = 0
        self._engine = ProcessEngine(db, build_extensions())

    @classmethod
    def deployed(cls, db: Database, *, fresh: bool = False, redeploy: bool = False) -> World:
        """Return a world whose database holds the library, the message sinks and the district's units."""
        # The façade deploys once per database and test run (and whenever `redeploy` is asked for); later worlds
        # get the very definition rows it stored, as parsing and validating the library takes about a second.
        world = cls(db, fresh=fresh)
        key = str(db.engine.url)
        if redeploy or key not in _DEPLOYED:
            with clock.frozen(world.now):
                deploy_library(world.engine, actor=SYSTEM)
                sinks = {f"sink_{name}.bpmn": SINK_BPMN.format(name=name) for name in SINKS}
                world.engine.deploy(sinks, actor=SYSTEM)
            with db.reading() as session:
                rows = session.scalars(select(DefinitionVersion).order_by(DefinitionVersion.id))
                _DEPLOYED[key] = [{c.key: getattr(r, c.key) for c in DefinitionVersion.__table__.columns} for r in rows]
        else:
            with db.unit_of_work() as session:
                session.add_all(DefinitionVersion(**row) for row in _DEPLOYED[key])
        with db.unit_of_work() as session:
            seed_units(session)
        return world

    @property
    def engine(self) -> ProcessEngine:
        """Return the engine for reading; `step` swaps it for a fresh one in fresh mode."""
        return self._engine

    def step(self, call, *args, **kwargs) -> Any:
        """Run one engine call at the world's time, on a fresh engine in fresh mode; no instance may fail."""
        if self.fresh:
            self._engine = ProcessEngine(self.db, build_extensions())
        self.steps += 1
        with clock.frozen(self.now):
            result = call(self._engine, *args, **kwargs)
        failed = self.instances(status="error")
        assert not failed, [(r.process_id, r.error_element, r.error_message) for r in failed]
        return result

    def instances(self, process_id: str | None = None, status: str | None = None) -> list[ProcessInstance]:
        """Return the stored instances, oldest first."""
        query = select(ProcessInstance).order_by(ProcessInstance.id)
        if process_id is not None:
            query = query.where(ProcessInstance.process_id == process_id)
        if status is not None:
            query = query.where(ProcessInstance.status == status)
        with self.db.reading() as session:
            return list(session.scalars(query))

    def start(self, process_id: str, **data) -> Run:
        """Start an instance of `process_id` with `data`."""
        instance_id = self.step(lambda e: e.start(process_id, actor=SYSTEM, data=data))
        return Run(self, instance_id)

    def correlate(self, name: str, payload: dict | None = None, **narrowing) -> list[Run]:
        """Deliver a message from outside (e.g. the BAMF); return the instances that got it or were started."""
        ids = self.step(lambda e: e.correlate(name, actor=SYSTEM, payload=payload, **narrowing))
        return [Run(self, i) for i in ids]

    def pending_jobs(self) -> list[Job]:
        """Return every pending timer job."""
        with self.db.reading() as session:
            return list(session.scalars(select(Job).where(Job.status == "pending").order_by(Job.due_at, Job.id)))

    def fire(self, jobs: list[Job]) -> None:
        """Let the worker fire each of `jobs` at its due time, earliest first; nothing else may be due."""
        chosen = {job.id for job in jobs}
        for job in sorted(jobs, key=lambda j: (j.due_at, j.id)):
            early = [j.element_id for j in self.pending_jobs() if j.id not in chosen and j.due_at <= job.due_at]
            assert not early, f"firing {job.element_id} at {job.due_at} would also fire {early}"
            self.now = max(self.now, job.due_at)
            fired = self.step(lambda e: run_due_jobs(e, now=self.now, worker="test-worker"))
            assert fired == 1, f"{fired} jobs fired at {self.now}"
            with self.db.reading() as session:
                assert session.get(Job, job.id).status == "done", job.element_id

    def sink(self, name: str) -> list[dict]:
        """Return the payloads of the uncaught `name` messages the sink process received."""
        return [Run(self, row.id).data["received"] for row in self.instances(f"sink_{name}")]


class Run:
    """One process instance as the tests see it: its open tasks, timers and data, all read from the database."""

    def __init__(self, world: World, instance_id: int):
        self.world = world
        self.id = instance_id

    @property
    def row(self) -> ProcessInstance:
        with self.world.db.reading() as session:
            row = session.get(ProcessInstance, self.id)
        assert row is not None
        return row

    @property
    def status(self) -> str:
        return self.row.status

    @property
    def completed(self) -> bool:
        return self.status == "completed"

    @property
    def case_ref(self) -> str | None:
        return self.row.case_ref

    @property
    def data(self) -> dict:
        """Return the instance's current data as the engine shows it."""
        with clock.frozen(self.world.now):
            return self.world.engine.show(self.id).data

    def tasks(self, bpmn_id: str | None = None) -> list[HumanTask]:
        """Return the open human-task rows of this instance."""
        query = select(HumanTask).where(HumanTask.instance_id == self.id, HumanTask.status.in_(OPEN))
        if bpmn_id is not None:
            query = query.where(HumanTask.element_id == bpmn_id)
        with self.world.db.reading() as session:
            return list(session.scalars(query.order_by(HumanTask.element_id, HumanTask.id)))

    def ready(self) -> list[str]:
        """Return the ids of the open human tasks, sorted."""
        return [t.element_id for t in self.tasks()]

    def task(self, bpmn_id: str) -> HumanTask:
        """Return the single open human task with this id."""
        found = self.tasks(bpmn_id)
        assert len(found) == 1, f"{bpmn_id} not open; open: {self.ready()}"
        return found[0]

    def offices(self, ids: Iterable[str]) -> set[str]:
        """Return the offices (lanes) of the named open tasks."""
        return {t.office for i in ids for t in self.tasks(i)}

    def complete(self, bpmn_id: str, **data) -> None:
        """Fill in the task's form with `data` (only fields it has, none read-only) and complete it."""
        human = self.task(bpmn_id)
        form, _ = self.world.engine.task_form(human.id)
        assert form is not None, bpmn_id
        fields = {f.id: f for f in form.fields}
        unknown = set(data) - set(fields)
        assert not unknown, f"{bpmn_id} has no form fields {unknown}"
        readonly = {k for k in data if fields[k].readonly}
        assert not readonly, f"{bpmn_id}: {readonly} are read-only"
        self.world.step(lambda e: e.complete(human.id, actor=SYSTEM, data=data))

    def send(self, name: str, payload: dict | None = None) -> None:
        """Deliver a message to this instance (narrowed by its case or business key)."""
        row = self.row
        narrowing = {"case_ref": row.case_ref} if row.case_ref else {"business_key": row.business_key}
        ids = self.world.step(lambda e: e.correlate(name, actor=SYSTEM, payload=payload, **narrowing))
        assert ids == [self.id], ids

    def jobs(self) -> list[Job]:
        """Return this instance's pending timer jobs."""
        return [j for j in self.world.pending_jobs() if j.instance_id == self.id]

    def waiting_timers(self) -> list[str]:
        """Return the elements of the pending timer jobs, sorted."""
        return sorted(j.element_id for j in self.jobs())

    def timer_value(self, bpmn_id: str) -> dt.datetime:
        """Return the due time of the pending timer job of this element."""
        [due] = [j.due_at for j in self.jobs() if j.element_id == bpmn_id]
        return due

    def timer_date(self, bpmn_id: str) -> str:
        """Return the due date (ISO) of the pending timer job of this element."""
        return self.timer_value(bpmn_id).date().isoformat()

    def fire(self, *bpmn_ids: str) -> None:
        """Let the worker fire the named timers at their due time."""
        jobs = [j for j in self.jobs() if j.element_id in bpmn_ids]
        assert {j.element_id for j in jobs} == set(bpmn_ids), f"waiting: {self.waiting_timers()}"
        self.world.fire(jobs)

    def children(self, process_id: str) -> list[Run]:
        """Return the instances of `process_id` that belong to this instance's case."""
        return [Run(self.world, r.id) for r in self.world.instances(process_id) if r.case_ref == self.case_ref]
