"""The process designer's façade: library, drafts, validation, dry runs, deploy, diff and migration."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.bpmn.expressions import ExpressionError, compile_problem, is_juel, iso_timer_kind, juel_to_python
from engine.bpmn.validation import validate_bundle
from engine.bpmn.version_diff import VersionDiff, diff_versions
from engine.bpmn.xmlsafe import parse_xml
from engine.core.actors import Actor
from engine.core.errors import DefinitionError, NotFound, Problem
from engine.runtime.dryrun import DryRunResult, Scenario, dry_run
from engine.runtime.scenarios import ScenarioResult, parse_scenarios, run_scenarios
from engine.service import drafts
from engine.service.definitions import Deployed
from engine.service.drafts import DraftInput, DraftView
from engine.service.engine import ProcessEngine
from engine.service.instance_migration import BATCHES, BatchProgress, Candidate, MigrationReport, Migrator
from engine.store.models import DefinitionVersion, ProcessInstance

_ID = re.compile(r"^[A-Za-z_][\w.-]{0,199}$")
_PROCESS = re.compile(r"<(?:\w+:)?process\b[^>]*?\bid=\"([^\"]+)\"[^>]*>", re.DOTALL)
_EXECUTABLE = re.compile(r"isExecutable=\"true\"")
_DECISION = re.compile(r"<(?:\w+:)?decision\b[^>]*?\bid=\"([^\"]+)\"", re.DOTALL)
_CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
_DATE_ATTRIBUTES = {"dueDate": "Fälligkeit", "followUpDate": "Wiedervorlage"}


@dataclass
class VersionInfo:
    """One deployed version as the library lists it."""

    version: int
    deployed_by: str
    deployed_at: dt.datetime
    running: int = 0
    total: int = 0


@dataclass
class LibraryEntry:
    """A process or decision with its versions and the draft being edited, if any."""

    process_id: str
    kind: str
    name: str
    versions: list[VersionInfo] = field(default_factory=list)
    draft: DraftView | None = None

    @property
    def latest(self) -> int | None:
        return self.versions[-1].version if self.versions else None


@dataclass
class Opened:
    """What the modeler loads: the draft if there is one, else the latest deployed source."""

    process_id: str
    kind: str
    file_name: str
    xml: str
    revision: int | None
    base_version: int | None
    scenarios: str | None = None


def defined_id(file_name: str, xml: str) -> tuple[str, str]:
    """Return (kind, id) of the executable process or decision a file defines; raise DefinitionError."""
    if file_name.lower().endswith(".dmn"):
        found = _DECISION.findall(xml)
        kind = "decision"
    else:
        found = [match.group(1) for match in _PROCESS.finditer(xml) if _EXECUTABLE.search(match.group(0))]
        found = found or _PROCESS.findall(xml)
        kind = "process"
    if not found or not _ID.match(found[0]):
        raise DefinitionError([Problem("Die Datei enthält keinen Prozess und keine Entscheidung mit gültiger ID.",
                                       file=file_name)])
    return kind, found[0]


def _source_file(row: DefinitionVersion) -> tuple[str, str]:
    suffix = ".dmn" if row.kind == "decision" else ".bpmn"
    for name, text in row.files.items():
        if name.endswith(suffix) and f'id="{row.process_id}"' in text:
            return name, text
    raise NotFound(f"Die Quelle von »{row.process_id}« Version {row.version} fehlt")


class Designer:
    """What the designer workspace may do; every method is one short transaction."""

    def __init__(self, engine: ProcessEngine):
        self.engine = engine
        self.migrator = Migrator(engine)

    # -- library -------------------------------------------------------------------------------
    def library(self) -> list[LibraryEntry]:
        """List every process and decision with versions, instance counts and drafts."""
        with self.engine.db.reading() as session:
            entries: dict[tuple[str, str], LibraryEntry] = {}
            for row in session.scalars(select(DefinitionVersion).order_by(DefinitionVersion.process_id,
                                                                          DefinitionVersion.version)):
                entry = entries.setdefault((row.kind, row.process_id),
                                           LibraryEntry(row.process_id, row.kind, row.name))
                entry.name = row.name
                entry.versions.append(VersionInfo(row.version, row.deployed_by, row.deployed_at))
            self._count_instances(session, entries)
            for draft in drafts.all_drafts(session):
                entry = entries.setdefault((draft.kind, draft.process_id),
                                           LibraryEntry(draft.process_id, draft.kind, draft.process_id))
                entry.draft = draft
        return sorted(entries.values(), key=lambda e: (e.kind != "process", e.name.lower()))

    @staticmethod
    def _count_instances(session: Session, entries: dict[tuple[str, str], LibraryEntry]) -> None:
        counts: dict[tuple[str, int], dict[str, int]] = defaultdict(dict)
        query = (select(ProcessInstance.process_id, ProcessInstance.version, ProcessInstance.status,
                        func.count()).group_by(ProcessInstance.process_id, ProcessInstance.version,
                                               ProcessInstance.status))
        for process_id, version, status, count in session.execute(query):
            counts[(process_id, version)][status] = count
        for (kind, process_id), entry in entries.items():
            if kind != "process":
                continue
            for info in entry.versions:
                by_status = counts.get((process_id, info.version), {})
                info.running = sum(n for s, n in by_status.items() if s not in ("completed", "cancelled"))
                info.total = sum(by_status.values())

    # -- drafts --------------------------------------------------------------------------------
    def open(self, process_id: str, kind: str = "process", version: int | None = None) -> Opened:
        """Return the draft of a process or decision, else its latest (or given) deployed source."""
        with self.engine.db.reading() as session:
            draft = drafts.get(session, process_id, kind) if version is None else None
            if draft is not None:
                return Opened(process_id, kind, draft.file_name, draft.xml, draft.revision, draft.base_version,
                              draft.scenarios)
            row = self._version(session, process_id, kind, version)
            name, text = _source_file(row)
            return Opened(process_id, kind, name, text, None, row.version)

    @staticmethod
    def _version(session: Session, process_id: str, kind: str, version: int | None) -> DefinitionVersion:
        query = select(DefinitionVersion).where(DefinitionVersion.process_id == process_id,
                                                DefinitionVersion.kind == kind)
        query = query.where(DefinitionVersion.version == version) if version is not None else \
            query.order_by(DefinitionVersion.version.desc())
        row = session.scalars(query.limit(1)).first()
        if row is None:
            raise NotFound(f"»{process_id}« ist nicht bereitgestellt" + (f" (Version {version})" if version else ""))
        return row

    def save(self, draft: DraftInput, *, actor: Actor) -> tuple[DraftView, list[Problem]]:
        """Save a draft (refused with DraftConflict when outdated) and return it with its problems."""
        with self.engine.db.unit_of_work() as session:
            saved = drafts.save(session, draft, actor=actor.name)
            problems = self._problems(session, draft.file_name, draft.xml)
        return saved, problems

    def discard(self, process_id: str, *, actor: Actor, kind: str = "process") -> bool:
        """Throw a draft away."""
        with self.engine.db.unit_of_work() as session:
            return drafts.discard(session, process_id, actor=actor.name, kind=kind)

    def validate(self, file_name: str, xml: str) -> list[Problem]:
        """Return errors and warnings of a diagram together with the deployed processes it uses."""
        with self.engine.db.reading() as session:
            return self._problems(session, file_name, xml)

    def _bundle(self, session: Session, file_name: str, xml: str) -> dict[str, str]:
        # Called processes and decisions come from their latest deployed versions.
        return self.engine.library.with_dependencies(session, {file_name: xml})

    def _problems(self, session: Session, file_name: str, xml: str) -> list[Problem]:
        files = self._bundle(session, file_name, xml)
        problems = validate_bundle(files, known_offices=self.engine.extensions.offices)
        problems += task_date_problems(file_name, xml, already=problems)
        return [p for p in problems if p.file in (None, file_name)] + \
            [p for p in problems if p.file not in (None, file_name) and p.severity == "error"]

    # -- deploy --------------------------------------------------------------------------------
    def deploy(self, process_id: str, *, actor: Actor, kind: str = "process") -> list[Deployed]:
        """Deploy a draft as a new version and discard it; raise DefinitionError when it has errors."""
        with self.engine.db.unit_of_work() as session:
            draft = drafts.get(session, process_id, kind)
            if draft is None:
                raise NotFound(f"Für »{process_id}« gibt es keinen Entwurf")
            errors = [p for p in self._problems(session, draft.file_name, draft.xml) if p.severity == "error"]
            if errors:
                raise DefinitionError(errors)
            deployed = self.engine.deploy_in(session, {draft.file_name: draft.xml}, actor=actor)
            drafts.discard(session, process_id, actor=actor.name, kind=kind)
            return deployed

    def running_by_version(self, process_id: str) -> dict[int, int]:
        """Count the unfinished instances of a process per version (they stay on it after a deploy)."""
        with self.engine.db.reading() as session:
            rows = session.execute(select(ProcessInstance.version, func.count()).where(
                ProcessInstance.process_id == process_id,
                ProcessInstance.status.in_(("running", "suspended", "error"))).group_by(ProcessInstance.version))
            return {version: count for version, count in rows}

    # -- testing -------------------------------------------------------------------------------
    def dry_run(self, file_name: str, xml: str, scenario: Scenario) -> DryRunResult:
        """Run a scenario in memory against the diagram and what it calls."""
        with self.engine.db.reading() as session:
            files = self._bundle(session, file_name, xml)
        return dry_run(files, scenario, functions=self.engine.extensions.script_functions)

    def run_scenarios(self, file_name: str, xml: str, text: str) -> list[ScenarioResult]:
        """Run the scenarios of a scenario file against the diagram; raise ScenarioFileError."""
        scenario_file = parse_scenarios(text)
        with self.engine.db.reading() as session:
            files = self._bundle(session, file_name, xml)
        return run_scenarios(files, scenario_file, functions=self.engine.extensions.script_functions)

    # -- versions ------------------------------------------------------------------------------
    def diff(self, process_id: str, old: int, new: int) -> VersionDiff:
        """Compare two deployed versions of a process."""
        with self.engine.db.reading() as session:
            before = self._version(session, process_id, "process", old)
            after = self._version(session, process_id, "process", new)
            return diff_versions(before.files, after.files, process_id)

    def diff_draft(self, process_id: str, file_name: str, xml: str) -> VersionDiff:
        """Compare the latest deployed version with the diagram in the editor."""
        with self.engine.db.reading() as session:
            before = self._version(session, process_id, "process", None)
            files = self._bundle(session, file_name, xml)
        return diff_versions(before.files, files, process_id)

    def migration_plan(self, process_id: str, to_version: int | None = None) -> list[Candidate]:
        """List unfinished instances on older versions and whether each can move."""
        return self.migrator.plan(process_id, to_version)

    def migrate(self, process_id: str, instance_ids: list[int], *, actor: Actor,
                to_version: int | None = None) -> MigrationReport:
        """Move the chosen instances that are safe to move."""
        return self.migrator.migrate(process_id, instance_ids, actor=actor, to_version=to_version)

    def start_migration(self, process_id: str, instance_ids: list[int], *, actor: Actor) -> BatchProgress:
        """Move the chosen instances in the background; poll migration_progress for how far it got."""
        return self.migrator.start_batch(process_id, instance_ids, actor=actor)

    @staticmethod
    def migration_progress(batch_id: str) -> BatchProgress:
        """Return a background migration's progress; raise NotFound for an unknown one."""
        progress = BATCHES.get(batch_id)
        if progress is None:
            raise NotFound("Diese Migration ist nicht (mehr) bekannt")
        return progress


def date_expression_problem(text: str) -> str | None:
    """Return a German hint when a due or follow-up date is neither ISO 8601 nor a compiling expression."""
    value = text.strip()
    if not value or iso_timer_kind(value) in ("duration", "date"):
        return None
    if is_juel(value):
        try:
            return compile_problem(juel_to_python(value), value)
        except ExpressionError as err:
            return str(err)
    return (f"»{value}« ist kein gültiges Datum: erwartet wird eine ISO-8601-Dauer (z. B. P10D, PT4H), "
            "ein Datum (z. B. 2027-01-31 oder 2027-01-31T12:00:00Z) oder ein Ausdruck wie ${frist}.")


def task_date_problems(file_name: str, xml: str, already: Sequence[Problem] = ()) -> list[Problem]:
    """Check camunda:dueDate and camunda:followUpDate of every user task; skip values `already` reported."""
    try:
        root = parse_xml(xml, file_name)
    except DefinitionError:
        return []  # the bundle validation reports unreadable XML
    problems: list[Problem] = []
    for task in root.iter("{*}userTask"):
        for attribute, label in _DATE_ATTRIBUTES.items():
            value = (task.get(f"{{{_CAMUNDA}}}{attribute}") or "").strip()
            hint = date_expression_problem(value)
            if hint and not any(p.element_id == task.get("id") and f"»{value}«" in p.message for p in already):
                problems.append(Problem(f"{label}: {hint}", file=file_name, element_id=task.get("id"),
                                        line=task.sourceline))
    return problems


def scenario_from(payload: dict[str, Any], process_id: str | None) -> Scenario:
    """Build a dry-run scenario from the designer page's JSON."""
    keys = ("start", "tasks", "decisions", "services", "messages", "timers")
    values = {key: payload[key] for key in keys if isinstance(payload.get(key), dict | list)}
    return Scenario(name=str(payload.get("name") or "Probelauf"), process_id=process_id, **values)


def valid_id(text: str) -> bool:
    """Tell whether a text is usable as a process or decision id."""
    return bool(_ID.match(text or ""))
