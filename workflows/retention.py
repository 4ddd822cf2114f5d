"""Retention: anonymise closed cases whose retention period has ended; only anonymous statistics survive.

What the sweep keeps: the case row with its pseudonymous number, municipality (area), status, dates,
closure reason and counts of notes, documents, deadlines and consents; instance rows and the steering
facts; the audit log (append-only, it holds no personal data). What it removes: names, birth date,
nationality, languages, household, residence status, referral source, free-text values of the
profile, note texts, document contents and file names, consent purposes, task drafts, incident data,
every text value in the stored state of the case's instances (message payloads included), business keys,
and what the instances left for other systems (external tasks' keys and errors, undelivered hook events).
Exports are streamed to the browser and never stored, so there is nothing on disk to erase.

Several workers may sweep at once: each locks a case before touching it and skips the ones others hold
(PostgreSQL), and the case's deletion record (unique per case) is written first, so a case is anonymised once.

Instances keep their state so `kimflow show` still works: each task's data is scrubbed in place (strings
and nested structures become None, numbers and flags stay, a few non-personal keys survive). Running
instances are scrubbed too rather than cancelled: the only one expected past retention is the case
cycle waiting for its own retention timer, which must still end normally.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine.bpmn.validation import analyse_bundle
from engine.core import clock
from engine.core.actors import Actor
from engine.core.localtime import local_date
from engine.runtime.sandbox import SandboxedScriptEngine
from engine.service.definitions import DefinitionLibrary
from engine.store import audit
from engine.store.db import Database
from engine.store.integration_models import ExternalTask, HookOutbox
from engine.store.models import AuditEvent, HumanTask, Incident, Job, ProcessInstance
from workflows.cases.models import Case, CaseDocument, CaseNote, Consent, Deadline, DeletionRecord

if TYPE_CHECKING:
    from engine.service.engine import ProcessEngine

log = logging.getLogger(__name__)
ACTION = "case_anonymised"
LEGAL_BASIS = "Löschfrist abgelaufen"
# Instance data keys whose text values are not personal and feed statistics or the remaining process.
KEEP_KEYS = frozenset({"municipality", "closure_reason", "retention_period", "retention_years"})
PERSON_COLUMNS = ("given_name", "family_name", "birth_date", "nationality", "residence_status", "referral_source")
RUNNING = ("running", "suspended", "error")
ERASED = ("stammdaten", "aufenthalt", "leistungen", "gesundheit", "arbeit", "sprache", "notizen", "dokumente",
          "einwilligungszwecke", "prozessdaten", "entwuerfe", "stoerungstexte", "geschaeftsschluessel",
          "schnittstellendaten")
ERASED_TEXT = "[gelöscht]"


@dataclass
class RetentionReport:
    """What one sweep anonymised (or, in a dry run, would anonymise)."""

    now: dt.datetime
    dry_run: bool
    cases: list[str] = field(default_factory=list)
    instances: int = 0
    still_running: list[int] = field(default_factory=list)  # scrubbed, but not finished: worth a look
    failed: dict[str, str] = field(default_factory=dict)

    @property
    def anonymised(self) -> int:
        return 0 if self.dry_run else len(self.cases)

    def as_dict(self) -> dict[str, Any]:
        return {"now": self.now.isoformat(), "dry_run": self.dry_run, "cases": self.cases,
                "anonymised": self.anonymised, "instances": self.instances,
                "still_running": self.still_running, "failed": self.failed}


def due_cases(session: Session, now: dt.datetime) -> list[Case]:
    """Return closed cases whose retention ended by `now` and that the sweep has not anonymised yet."""
    done = exists().where(DeletionRecord.case_ref == Case.case_ref) | exists().where(
        AuditEvent.case_ref == Case.case_ref, AuditEvent.action == ACTION, AuditEvent.legal_basis == LEGAL_BASIS)
    # A service task may have blanked the names already (anonymised_at set); the sweep still finishes the job.
    return list(session.scalars(select(Case).where(
        Case.status == "closed", Case.retention_until.is_not(None), Case.retention_until <= local_date(now),
        ~done).order_by(Case.retention_until, Case.id)))


def sweep(engine_or_db: ProcessEngine | Database, *, now: dt.datetime | None = None,
          actor: Actor | str = "system", dry_run: bool = False,
          keep_keys: Iterable[str] = KEEP_KEYS) -> RetentionReport:
    """Anonymise every closed case past its retention period, one transaction per case."""
    engine = _engine(engine_or_db)
    now = now or clock.now()
    name = actor.name if isinstance(actor, Actor) else actor
    report = RetentionReport(now=now, dry_run=dry_run)
    with engine.db.reading() as session:
        refs = [case.case_ref for case in due_cases(session, now)]
    if dry_run:
        report.cases = refs
        return report
    with clock.frozen(now):
        for ref in refs:
            _anonymise_one(engine, ref, name, frozenset(keep_keys), report)
    return report


def _anonymise_one(engine: ProcessEngine, case_ref: str, actor: str, keep: frozenset[str],
                   report: RetentionReport) -> None:
    try:
        with engine.db.unit_of_work() as session:
            # Another worker holding the case is anonymising it: skip it rather than wait (PostgreSQL; SQLite
            # serialises writers anyway). The deletion record's unique case_ref stays the last word.
            case = session.scalar(select(Case).where(Case.case_ref == case_ref).with_for_update(skip_locked=True))
            if case is None or not _claim(session, case_ref, actor):
                return
            scrubbed, running = anonymise_case(engine, session, case, actor=actor, keep_keys=keep)
    except IntegrityError:
        return  # another worker claimed the case first (its deletion record exists): nothing to do twice
    except Exception as err:  # noqa: BLE001 - one case must not stop the sweep; it is retried next time
        log.warning("retention sweep: case %s not anonymised: %s", case_ref, err)
        report.failed[case_ref] = type(err).__name__
        return
    report.cases.append(case_ref)
    report.instances += scrubbed
    report.still_running.extend(running)


def _claim(session: Session, case_ref: str, actor: str) -> bool:
    """Write the case's deletion record first: the unique case_ref lets exactly one worker go on."""
    if session.scalar(select(exists().where(DeletionRecord.case_ref == case_ref))):
        return False
    session.add(DeletionRecord(case_ref=case_ref, erased_at=clock.now(), categories=list(ERASED),
                               legal_basis=LEGAL_BASIS, erased_by=actor))
    session.flush()  # a concurrent claim fails here (or waits, then fails) with an integrity error
    return True


def deletion_records(session: Session, limit: int = 500) -> list[DeletionRecord]:
    """Return the newest deletion records, for the data-protection officer."""
    return list(session.scalars(select(DeletionRecord).order_by(DeletionRecord.erased_at.desc(),
                                                                DeletionRecord.id.desc()).limit(limit)))


def anonymise_case(engine: ProcessEngine, session: Session, case: Case, *, actor: str,
                   keep_keys: frozenset[str] = KEEP_KEYS) -> tuple[int, list[int]]:
    """Remove the personal data of one case and its instances; return (instances scrubbed, still running)."""
    _scrub_case_row(case, keep_keys)
    notes, documents = _scrub_files(session, case.case_ref)
    rows = list(session.scalars(select(ProcessInstance).where(ProcessInstance.case_ref == case.case_ref)
                                .order_by(ProcessInstance.id)))
    for row in rows:
        _scrub_instance(engine, session, row, keep_keys)
    ids = [row.id for row in rows]
    for human in session.scalars(select(HumanTask).where(
            (HumanTask.case_ref == case.case_ref) | HumanTask.instance_id.in_(ids))):
        human.draft = None
    for incident in session.scalars(select(Incident).where(Incident.instance_id.in_(ids))):
        incident.data, incident.message = {}, ERASED_TEXT
    for job in session.scalars(select(Job).where(Job.instance_id.in_(ids))):
        job.payload = scrub(dict(job.payload or {}), keep_keys)
        job.last_error = None
    _scrub_integration_rows(session, case.case_ref, ids)
    case.anonymised_at = clock.now()
    # Counts and field names only: the audit log is append-only, so it must never hold personal data.
    audit.record(session, actor, ACTION, case_ref=case.case_ref, legal_basis=LEGAL_BASIS,
                 instances=len(rows), notes=notes, documents=documents)
    return len(rows), [row.id for row in rows if row.status in RUNNING]


def _scrub_case_row(case: Case, keep: frozenset[str]) -> None:
    for column in PERSON_COLUMNS:
        setattr(case, column, None)
    case.languages, case.household = [], []
    case.profile = scrub(case.profile or {}, keep)


def _scrub_files(session: Session, case_ref: str) -> tuple[int, int]:
    notes = list(session.scalars(select(CaseNote).where(CaseNote.case_ref == case_ref)))
    for note in notes:
        note.text = ""
    documents = list(session.scalars(select(CaseDocument).where(CaseDocument.case_ref == case_ref)))
    for document in documents:
        document.content, document.size = b"", 0
        document.sha256 = hashlib.sha256(b"").hexdigest()  # the download check stays consistent
        document.filename = f"dokument-{document.id}"
    for consent in session.scalars(select(Consent).where(Consent.case_ref == case_ref)):
        consent.purpose = ""
    for deadline in session.scalars(select(Deadline).where(Deadline.case_ref == case_ref,
                                                           Deadline.done_reason.is_not(None))):
        deadline.done_reason = ""  # a reason typed by hand may name the person
    return len(notes), len(documents)


def _scrub_instance(engine: ProcessEngine, session: Session, row: ProcessInstance, keep: frozenset[str]) -> None:
    workflow = engine.executor.load(session, row)
    for wf in (workflow, *workflow.subprocesses.values()):
        wf.data = scrub(dict(wf.data), keep)
        for task in wf.tasks.values():
            task.data = scrub(dict(task.data), keep)
            task.internal_data = _scrub_internal(dict(task.internal_data), keep)
    row.state = engine.executor.serializer.dumps(workflow)
    row.summary = {**scrub(dict(row.summary or {}), keep | {"status_before_suspend"}), "anonymised": True}
    row.business_key = row.case_ref  # a business key may be the person's name; the case number is not
    row.error_message = ERASED_TEXT if row.error_message else None
    for human in session.scalars(select(HumanTask).where(HumanTask.instance_id == row.id)):
        human.business_key = row.case_ref
    row.updated_at = clock.now()


def _scrub_integration_rows(session: Session, case_ref: str, ids: list[int]) -> None:
    """Scrub what the case's instances left for other systems: external tasks and undelivered event hooks."""
    for task in session.scalars(select(ExternalTask).where(ExternalTask.instance_id.in_(ids))):
        task.business_key = case_ref
        task.error_message = ERASED_TEXT if task.error_message else None  # a worker's words may quote data
    for hook in session.scalars(select(HookOutbox).where(HookOutbox.payload["instance_id"].as_integer().in_(ids))):
        payload = {**hook.payload, "business_key": case_ref}
        if hook.event == "incident.raised" and payload.get("message"):
            payload["message"] = ERASED_TEXT  # an incident's text, unlike a message name, may quote data
        hook.payload = payload


def _scrub_internal(data: dict[str, Any], keep: frozenset[str]) -> dict[str, Any]:
    """Scrub the data a task keeps internally (seen message payloads); its structure and timer values stay."""
    return {key: _scrub_internal_value(value, keep) for key, value in data.items()}


def _scrub_internal_value(value: Any, keep: frozenset[str]) -> Any:
    if isinstance(value, list):
        return [_scrub_internal_value(item, keep) for item in value]
    if isinstance(value, dict):
        # A serialized object names its type and is walked; a plain dict is data (a message payload).
        return _scrub_internal(value, keep) if "typename" in value else scrub(value, keep)
    if isinstance(getattr(value, "payload", None), dict):  # a seen BpmnEvent keeps the message it carried
        value.payload = scrub(value.payload, keep)
    return value


def scrub(data: dict[str, Any], keep_keys: Iterable[str] = KEEP_KEYS) -> dict[str, Any]:
    """Return `data` with every value that may identify a person replaced by None (keys stay)."""
    keep = frozenset(keep_keys)
    return {key: value if key in keep and _scalar(value) else _scrub_value(value, keep)
            for key, value in data.items()}


def _scrub_value(value: Any, keep: frozenset[str]) -> Any:
    if isinstance(value, bool | int | float) or value is None:
        return value  # counts and flags say nothing about who the person is
    if isinstance(value, dict):
        return scrub(value, keep)
    return None


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | bool | int | float)


# -- retention periods ---------------------------------------------------------------------------
def retention_end(closed_at: dt.datetime, period: str) -> dt.date:
    """Return the local day a retention period (ISO 8601 duration, e.g. "P3Y") ends, as timers count it."""
    parsed = TimerEventDefinition.parse_iso_duration(period)
    return local_date(closed_at + TimerEventDefinition.get_timedelta_from_start(parsed, closed_at))


def decided_period(session: Session, decision_id: str, data: dict[str, Any],
                   output: str = "retention_period") -> str | None:
    """Evaluate the latest deployed decision `decision_id` on `data`; None when it is missing or silent."""
    row = DefinitionLibrary.latest(session, decision_id, kind="decision")
    if row is None:
        return None
    table = _decision_table(row.id, decision_id, tuple(sorted(row.files.items())))
    if table is None:
        return None
    value = table.result(_DecisionInput(data)).get(output)
    return str(value) if value else None


@functools.lru_cache(maxsize=32)
def _decision_table(version_id: int, decision_id: str, files: tuple[tuple[str, str], ...]) -> Any:
    sources = {name: text for name, text in files if name.endswith(".dmn") and f'id="{decision_id}"' in text}
    parser = analyse_bundle(sources).parser
    if parser is None or decision_id not in parser.dmn_parsers:
        return None
    return parser.get_engine(decision_id, None)


class _DecisionInput:
    """The task-shaped object SpiffWorkflow's decision engine reads its inputs from."""

    _script_engine = SandboxedScriptEngine()

    def __init__(self, data: dict[str, Any]):
        self.data = dict(data)
        self.workflow = self

    @property
    def script_engine(self) -> SandboxedScriptEngine:
        return self._script_engine


def _engine(engine_or_db: ProcessEngine | Database) -> ProcessEngine:
    if isinstance(engine_or_db, Database):
        from engine.service.engine import ProcessEngine

        return ProcessEngine(engine_or_db)
    return engine_or_db


RETENTION_EVERY = 3600.0  # seconds between the sweeps of a long-running worker


def sweep_for_worker(engine: ProcessEngine, now: dt.datetime | None) -> dict[str, Any]:
    """Run the sweep as the worker does; return how many cases it anonymised."""
    return {"anonymised": sweep(engine, now=now, actor=Actor.system_actor("worker")).anonymised}
