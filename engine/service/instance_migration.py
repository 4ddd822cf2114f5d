"""Move running instances to a newer version of their process where the engine finds it safe."""

from __future__ import annotations

import copy
import logging
import threading
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from SpiffWorkflow.bpmn.util.diff import diff_workflow
from SpiffWorkflow.task import TaskState
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from engine.bpmn.version_diff import REGISTRY
from engine.core.actors import Actor
from engine.core.errors import ConcurrentModification, KimflowError
from engine.service.definitions import DefinitionLibrary
from engine.service.engine import ProcessEngine
from engine.store import audit
from engine.store.models import DefinitionVersion, HumanTask, Job, MessageSubscription, ProcessInstance

ACTIVE = ("running", "suspended", "error")
STATUS_WORDS = {"running": "läuft", "suspended": "angehalten", "error": "gestört"}
LOG = logging.getLogger(__name__)
# Why an instance cannot move, by code; screens word the code in the user's language, these German
# sentences are for the command line and logs. Parameters: name (an element), version, status, message.
REASON_TEXTS = {
    "subprocess_removed": "Der Teilprozess »{name}« läuft gerade und fehlt in der neuen Version.",
    "subprocess_changed": "Der Teilprozess »{name}« läuft gerade und wurde geändert; das lässt sich nicht sicher "
                          "übertragen.",
    "current_step_removed": "Der Vorgang steht an »{name}«; das gibt es in Version {version} nicht mehr.",
    "completed_step_removed": "Der Vorgang hat »{name}« schon durchlaufen; das fehlt in Version {version}, der "
                              "Verlauf ließe sich nicht mehr lesen.",
    "cancelled_step_removed": "Der Vorgang hat »{name}« abgebrochen; das fehlt in Version {version}, der Verlauf "
                              "ließe sich nicht mehr lesen.",
    "planned_step_removed": "Der geplante Schritt »{name}« fehlt in Version {version}.",
    "not_running": "Nur laufende Vorgänge können umziehen; dieser ist {status}.",
    "unsafe": "Die Engine kann den Verlauf dieses Vorgangs nicht sicher auf die neue Version übertragen.",
    "changed_meanwhile": "Der Vorgang wurde gleichzeitig geändert; bitte erneut versuchen.",
    "other_process": "Dieser Vorgang gehört nicht zu diesem Prozess.",
    "already_moved": "Der Vorgang ist schon auf Version {version}.",
    "refused": "{message}",
}
_STATE_CODES = {TaskState.COMPLETED: "completed_step_removed", TaskState.CANCELLED: "cancelled_step_removed"}


@dataclass(frozen=True)
class Reason:
    """Why an instance cannot move: a code and its parameters (an element's name, a version, a status)."""

    code: str
    params: tuple[tuple[str, str | int], ...] = ()

    @classmethod
    def of(cls, code: str, **params: str | int) -> Reason:
        return cls(code, tuple(sorted(params.items())))

    @property
    def values(self) -> dict[str, str | int]:
        return dict(self.params)

    def __str__(self) -> str:
        values = self.values
        if "status" in values:
            values["status"] = STATUS_WORDS.get(str(values["status"]), values["status"])
        return REASON_TEXTS[self.code].format(**values)

    def as_dict(self) -> dict:
        return {"code": self.code, "params": self.values, "text": str(self)}


@dataclass
class Candidate:
    """One instance and the engine's verdict on moving it to the target version."""

    instance_id: int
    from_version: int
    status: str
    business_key: str | None
    case_ref: str | None
    reasons: list[Reason] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)

    @property
    def movable(self) -> bool:
        return not self.reasons

    @property
    def status_label(self) -> str:
        return STATUS_WORDS.get(self.status, self.status)

    def as_dict(self) -> dict:
        return {"instance_id": self.instance_id, "from_version": self.from_version, "status": self.status,
                "business_key": self.business_key, "case_ref": self.case_ref, "movable": self.movable,
                "reasons": [reason.as_dict() for reason in self.reasons], "steps": self.steps}


@dataclass
class BatchProgress:
    """How far a background migration has got (kept in this process's memory)."""

    batch_id: str
    process_id: str
    to_version: int
    total: int
    done: int = 0
    moved: int = 0
    finished: bool = False
    failed: bool = False
    refused: dict[int, list[Reason]] = field(default_factory=dict)

    def count(self, *, moved: bool) -> None:
        with _BATCH_LOCK:
            self.done += 1
            self.moved += int(moved)

    def as_dict(self) -> dict:
        return {"batch_id": self.batch_id, "total": self.total, "done": self.done, "moved": self.moved,
                "refused": len(self.refused) if self.finished else self.done - self.moved,
                "finished": self.finished, "failed": self.failed, "to_version": self.to_version}


_BATCH_LOCK = threading.Lock()
BATCHES: dict[str, BatchProgress] = {}


@dataclass
class MigrationReport:
    """Which instances moved, and why the others stayed."""

    to_version: int
    moved: list[int] = field(default_factory=list)
    refused: dict[int, list[Reason]] = field(default_factory=dict)


def _name(spec) -> str:
    return spec.bpmn_name or spec.bpmn_id or spec.name


def _subprocess_reasons(sp_diffs, workflow) -> list[Reason]:
    reasons = []
    for sp_id, diff in sp_diffs.items():
        name = workflow.subprocesses[sp_id].spec.name
        if diff is None:
            reasons.append(Reason.of("subprocess_removed", name=name))
        elif diff.removed or diff.changed:
            reasons.append(Reason.of("subprocess_changed", name=name))
    return reasons


def _move(workflow, diff, spec) -> None:
    """Point tasks at the aligned new specs and re-predict waiting branches, keeping data and timers."""
    changed = set(diff.changed)
    workflow.spec = spec
    for task in workflow.tasks.values():
        if diff.alignment.get(task) is not None:
            task.task_spec = diff.alignment[task]
    for task in list(workflow.get_tasks(state=TaskState.READY | TaskState.WAITING, skip_subprocesses=True)):
        if task.id not in workflow.tasks:
            continue
        internal = copy.deepcopy(task.internal_data)
        task.reset_branch(copy.deepcopy(task.data))
        if task not in changed:
            task.internal_data.update(internal)  # an unchanged timer keeps its original due time
    if workflow.last_task not in workflow.tasks.values():
        workflow.last_task = None


def _leftovers(workflow, version: int) -> list[Reason]:
    reasons = set()
    for task in workflow.tasks.values():
        if workflow.spec.task_specs.get(task.task_spec.name) is task.task_spec:
            continue
        if task.has_state(TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.ERROR):
            code = "current_step_removed"
        else:
            code = _STATE_CODES.get(task.state, "planned_step_removed")
        reasons.add(Reason.of(code, name=_name(task.task_spec), version=version))
    return sorted(reasons, key=lambda reason: (reason.code, reason.params))


def try_migrate(workflow, spec, subprocess_specs: dict, version: int) -> list[Reason]:
    """Move a workflow (in memory) to new specs; return why it is unsafe (empty: it moved)."""
    top_diff, sp_diffs = diff_workflow(REGISTRY, workflow, spec, subprocess_specs)
    reasons = _subprocess_reasons(sp_diffs, workflow)
    if reasons:
        return reasons
    _move(workflow, top_diff, spec)
    for sp_id, sp_diff in sp_diffs.items():
        subworkflow = workflow.subprocesses[sp_id]
        _move(subworkflow, sp_diff, subprocess_specs[subworkflow.spec.name])
    return _leftovers(workflow, version)


class Migrator:
    """Plans and performs migrations of a process's instances, one transaction per instance."""

    def __init__(self, engine: ProcessEngine):
        self.engine = engine

    def _target(self, session: Session, process_id: str, version: int | None) -> DefinitionVersion:
        return DefinitionLibrary.get(session, process_id, version)

    def plan(self, process_id: str, to_version: int | None = None) -> list[Candidate]:
        """List every unfinished instance on an older version, its current step and whether it can move.

        Instances of one version waiting at the same steps get the same verdict, so the engine checks one
        of them in full; the move itself checks every instance again.
        """
        with self.engine.db.reading() as session:
            target = self._target(session, process_id, to_version)
            rows = session.execute(select(
                ProcessInstance.id, ProcessInstance.version, ProcessInstance.status, ProcessInstance.business_key,
                ProcessInstance.case_ref).where(
                ProcessInstance.process_id == process_id, ProcessInstance.status.in_(ACTIVE),
                ProcessInstance.version < target.version).order_by(ProcessInstance.id)).all()
            waiting = _waiting_elements(session, [row.id for row in rows])
            names = self._step_names(session, process_id, {row.version for row in rows})
            verdicts: dict[tuple, list[Reason]] = {}
            candidates = []
            for row in rows:
                candidate = Candidate(row.id, row.version, row.status, row.business_key, row.case_ref)
                elements = waiting.get(row.id, {})
                candidate.steps = sorted({label or names.get((row.version, element), element)
                                          for element, label in elements.items()})
                if row.status != "running":
                    candidate.reasons = [Reason.of("not_running", status=row.status)]
                else:
                    key = (row.version, frozenset(elements))
                    if key not in verdicts:
                        full = session.get_one(ProcessInstance, row.id)
                        verdicts[key] = self._judge(session, full, target).reasons
                    candidate.reasons = list(verdicts[key])
                candidates.append(candidate)
            return candidates

    def _step_names(self, session: Session, process_id: str, versions: set[int]) -> dict[tuple[int, str], str]:
        names = {}
        for row in session.scalars(select(DefinitionVersion).where(
                DefinitionVersion.process_id == process_id, DefinitionVersion.kind == "process",
                DefinitionVersion.version.in_(versions))):
            loaded = self.engine.library.load(row)
            for spec in [loaded.spec, *loaded.subprocess_specs.values()]:
                for task_spec in spec.task_specs.values():
                    if task_spec.bpmn_id:
                        names[(row.version, task_spec.bpmn_id)] = _name(task_spec)
        return names

    def _judge(self, session: Session, row: ProcessInstance, target: DefinitionVersion) -> Candidate:
        candidate = Candidate(row.id, row.version, row.status, row.business_key, row.case_ref)
        if row.status != "running":
            candidate.reasons.append(Reason.of("not_running", status=row.status))
            return candidate
        workflow = self.engine.executor.load(session, row)
        loaded = self.engine.library.load(target)
        try:
            candidate.reasons = try_migrate(workflow, loaded.spec, loaded.subprocess_specs, target.version)
            if not candidate.reasons:
                text = self.engine.executor.serializer.dumps(workflow)
                self.engine.executor.serializer.loads(text, loaded.spec, loaded.subprocess_specs)
        except Exception:  # noqa: BLE001 - whatever fails here makes the move unsafe
            LOG.warning("migration check of instance %s failed", row.id, exc_info=True)
            candidate.reasons = [Reason.of("unsafe")]
        return candidate

    def migrate(self, process_id: str, instance_ids: list[int], *, actor: Actor,
                to_version: int | None = None, progress: BatchProgress | None = None) -> MigrationReport:
        """Move the given instances that are safe to move, one transaction each; audit each move."""
        with self.engine.db.reading() as session:
            target_version = self._target(session, process_id, to_version).version
        report = MigrationReport(target_version)
        for instance_id in instance_ids:
            reasons = self._migrate_guarded(process_id, instance_id, target_version, actor)
            if reasons:
                report.refused[instance_id] = reasons
            else:
                report.moved.append(instance_id)
            if progress is not None:
                progress.count(moved=not reasons)
        return report

    def start_batch(self, process_id: str, instance_ids: list[int], *, actor: Actor) -> BatchProgress:
        """Migrate in a background thread; return the progress the page polls."""
        with self.engine.db.reading() as session:
            target_version = self._target(session, process_id, None).version
        progress = BatchProgress(uuid.uuid4().hex, process_id, target_version, len(instance_ids))
        with _BATCH_LOCK:
            BATCHES[progress.batch_id] = progress

        def run() -> None:
            try:
                report = self.migrate(process_id, instance_ids, actor=actor, to_version=target_version,
                                      progress=progress)
                progress.refused = report.refused
            except Exception:  # noqa: BLE001 - the page must learn that the batch stopped
                LOG.exception("migration batch %s stopped", progress.batch_id)
                progress.failed = True
            progress.finished = True

        threading.Thread(target=run, name=f"migration-{progress.batch_id[:8]}", daemon=True).start()
        return progress

    def _migrate_guarded(self, process_id: str, instance_id: int, version: int, actor: Actor) -> list[Reason]:
        try:
            with self.engine.db.unit_of_work() as session:
                return self._migrate_one(session, process_id, instance_id, version, actor)
        except (StaleDataError, ConcurrentModification):
            return [Reason.of("changed_meanwhile")]
        except KimflowError as err:
            return [Reason.of("refused", message=str(err))]

    def _migrate_one(self, session: Session, process_id: str, instance_id: int, version: int,
                     actor: Actor) -> list[Reason]:
        row = session.get(ProcessInstance, instance_id)
        if row is None or row.process_id != process_id:
            return [Reason.of("other_process")]
        target = self._target(session, process_id, version)
        candidate = self._judge(session, row, target)
        if row.version >= version:
            return [Reason.of("already_moved", version=row.version)]
        if not candidate.movable:
            return candidate.reasons
        workflow = self.engine.executor.load(session, row)
        loaded = self.engine.library.load(target)
        try_migrate(workflow, loaded.spec, loaded.subprocess_specs, version)
        old_version = row.version
        row.definition_version_id, row.version = target.id, target.version
        self._rename_open_tasks(session, row, workflow)
        audit.record(session, actor.name, "instance_migrated", instance_id=row.id, case_ref=row.case_ref,
                     process_id=process_id, from_version=old_version, to_version=version)
        self.engine.executor.advance(session, row, workflow, actor.name)
        return []

    @staticmethod
    def _rename_open_tasks(session: Session, row: ProcessInstance, workflow) -> None:
        specs = {str(task.id): task.task_spec for task in workflow.get_tasks(state=TaskState.READY, manual=True)}
        for human in session.scalars(select(HumanTask).where(HumanTask.instance_id == row.id,
                                                             HumanTask.status.in_(("open", "claimed")))):
            spec = specs.get(human.id)
            if spec is not None:
                human.element_id, human.name = spec.bpmn_id or spec.name, _name(spec)


def _waiting_elements(session: Session, instance_ids: list[int]) -> dict[int, dict[str, str]]:
    """Return, per instance, the elements it waits at (open tasks by name, timers and messages by id)."""
    waiting: dict[int, dict[str, str]] = defaultdict(dict)
    for chunk in (instance_ids[i:i + 500] for i in range(0, len(instance_ids), 500)):
        for instance_id, element, name in session.execute(select(
                HumanTask.instance_id, HumanTask.element_id, HumanTask.name).where(
                HumanTask.instance_id.in_(chunk), HumanTask.status.in_(("open", "claimed")))):
            waiting[instance_id][element] = name
        for job_instance, element in session.execute(select(Job.instance_id, Job.element_id).where(
                Job.instance_id.in_(chunk), Job.status == "pending")):
            if job_instance is not None:
                waiting[job_instance].setdefault(element, "")
        for instance_id, element in session.execute(select(
                MessageSubscription.instance_id, MessageSubscription.element_id).where(
                MessageSubscription.instance_id.in_(chunk))):
            waiting[instance_id].setdefault(element, "")
    return waiting
