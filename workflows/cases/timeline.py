"""A case's timeline across processes and offices, in German or English, from audit events, tasks and deadlines."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.core.localtime import german_date
from engine.identity import org
from engine.identity.models import DISTRICT_WIDE
from engine.store.models import AuditEvent, DefinitionVersion, HumanTask, ProcessInstance
from workflows.cases.files import list_deadlines, tasks_of_case
from workflows.cases.lateness import case_reminders
from workflows.cases.models import Deadline, TaskReminder
from workflows.catalogue import municipality_name, office_name

RANKS = {"instance_started": 0, "instance_completed": 3, "instance_cancelled": 3}
# Every line in both languages; {placeholders} take names, dates and reasons.
TEXTS: dict[str, tuple[str, str]] = {
    "case_opened": ("Fall eröffnet", "Case opened"),
    "case_moved": ("Umzug von {old} nach {new}", "Moved from {old} to {new}"),
    "case_closed": ("Fall abgeschlossen ({reason})", "Case closed ({reason})"),
    "deadline_closed_by_hand": ("Frist von Hand geschlossen", "Deadline closed by hand"),
    "transfer_recorded": ("Übermittlung an {office} ({basis}) erfasst", "Transfer to {office} ({basis}) recorded"),
    "consent_recorded": ("Einwilligung für {office} erfasst", "Consent for {office} recorded"),
    "consent_revoked": ("Einwilligung für {office} widerrufen", "Consent for {office} withdrawn"),
    "note_added": ("Notiz hinzugefügt", "Note added"),
    "document_added": ("Dokument „{name}“ hinzugefügt", "Document “{name}” added"),
    "instance_started": ("Vorgang „{process}“ gestartet", "Process “{process}” started"),
    "instance_completed": ("Vorgang „{process}“ abgeschlossen", "Process “{process}” completed"),
    "instance_cancelled": ("Vorgang „{process}“ abgebrochen", "Process “{process}” cancelled"),
    "task_created": ("Aufgabe „{task}“ erstellt", "Task “{task}” created"),
    "task_completed": ("Aufgabe „{task}“ erledigt", "Task “{task}” completed"),
    "task_cancelled": ("Aufgabe „{task}“ abgebrochen", "Task “{task}” cancelled"),
    "deadline_added": ("Frist „{label}“ bis {date} eingetragen", "Deadline “{label}” set for {date}"),
    "deadline_done_with_task": ("Frist „{label}“ mit ihrer Aufgabe erledigt", "Deadline “{label}” met with its task"),
    "deadline_done": ("Frist „{label}“ erledigt", "Deadline “{label}” met"),
    "reminded": ("an {unit} erinnert", "reminded {unit}"),
    "unknown_office": ("unbekannte Stelle", "unknown office"),
    "no_reason": ("ohne Angabe", "no reason given"),
    "system": ("System", "System"),
}
# kim_case's closure reasons as its close_case form names them.
CLOSURE_REASONS = {"goals_met": ("Ziele erreicht", "goals met"),
                   "handed_over": ("an anderen Dienst übergeben", "handed over to another service"),
                   "moved_away": ("verzogen", "moved away"), "no_contact": ("kein Kontakt mehr", "no more contact"),
                   "consent_withdrawn": ("Einwilligung widerrufen", "consent withdrawn"),
                   "naturalised": ("eingebürgert", "naturalised"),
                   "retention": ("Aufbewahrungsfrist abgelaufen", "retention period over")}


@dataclass(frozen=True)
class TimelineEntry:
    """One line of the case timeline."""

    at: dt.datetime
    who: str
    text: str
    instance_id: int | None = None
    rank: int = 1  # orders entries of the same moment: start, tasks created, tasks done, end
    task_id: str | None = None  # set on "task completed": the completed form can be opened read-only

    def line(self) -> str:
        return f"{german_date(self.at)} — {self.who}: {self.text}"


@dataclass(frozen=True)
class CaseRecords:
    """The case's tasks (all of them), deadlines and reminders, when the caller has read them already."""

    tasks: list[HumanTask]
    deadlines: list[Deadline]
    reminders: list[TaskReminder]


def case_records(session: Session, case_ref: str) -> CaseRecords:
    """Read the case's tasks, deadlines and reminders (one statement each)."""
    return CaseRecords(tasks_of_case(session, case_ref), list_deadlines(session, case_ref),
                       case_reminders(session, case_ref))


class _Names:
    """Display names of units, offices and users (the cached organisation: no statement)."""

    def __init__(self, session: Session, language: str):
        self.english = language == "en"
        self.language = "en" if self.english else "de"
        self.units = org.unit_names(session)
        self.offices = {office: self.units.get(code, office)
                        for office, area, code in org.responsibility_rows(session) if area == DISTRICT_WIDE}
        self.users = org.display_names(session)

    def say(self, key: str, **params: object) -> str:
        return TEXTS[key][self.english].format(**params)

    def day(self, day: dt.date | dt.datetime) -> str:
        return day.strftime("%Y-%m-%d") if self.english else german_date(day)

    def reason(self, code: str | None) -> str:
        reason = CLOSURE_REASONS.get(code or "")
        return reason[self.english] if reason else self.say("no_reason")

    def unit(self, unit: str | None, office: str | None) -> str:
        if unit:
            return self.units.get(unit, unit)
        return self.office(office) if office else self.say("unknown_office")

    def office(self, office: str) -> str:
        return self.offices.get(office) or office_name(office, self.language) or self.say("unknown_office")

    def user(self, username: str) -> str:
        # Never a user name on the page: accounts without a display name (the system, services) read as "System".
        return self.users.get(username) or self.say("system")


def _audit_text(event: AuditEvent, process: str | None, names: _Names) -> str | None:
    d = event.details or {}
    texts = {
        "case_opened": lambda: names.say("case_opened"),
        "case_moved": lambda: names.say("case_moved", old=municipality_name(d.get("old")) or "—",
                                        new=municipality_name(d.get("new"))),
        "case_closed": lambda: names.say("case_closed", reason=names.reason(d.get("reason"))),
        "deadline_closed_by_hand": lambda: names.say("deadline_closed_by_hand"),
        "consent_recorded": lambda: (names.say("transfer_recorded", office=names.office(d.get("office", "")),
                                               basis=event.legal_basis)
                                     if str(event.legal_basis).startswith("legal")
                                     else names.say("consent_recorded", office=names.office(d.get("office", "")))),
        "consent_revoked": lambda: names.say("consent_revoked", office=names.office(d.get("office", ""))),
        "note_added": lambda: names.say("note_added"),
        "document_added": lambda: names.say("document_added", name=d.get("filename")),
        "instance_started": lambda: names.say("instance_started", process=process),
        "instance_completed": lambda: names.say("instance_completed", process=process),
        "instance_cancelled": lambda: names.say("instance_cancelled", process=process),
    }
    make = texts.get(event.action)
    return make() if make else None


def _task_entries(tasks: list[HumanTask], names: _Names) -> list[TimelineEntry]:
    entries = []
    for task in tasks:
        who = names.unit(task.unit, task.office)
        entries.append(TimelineEntry(task.created_at, who, names.say("task_created", task=task.name),
                                     task.instance_id))
        if task.status in ("completed", "cancelled") and task.completed_at is not None:
            entries.append(TimelineEntry(task.completed_at, who, names.say(f"task_{task.status}", task=task.name),
                                         task.instance_id,
                                         rank=2, task_id=task.id if task.status == "completed" else None))
    return entries


def _deadline_entries(deadlines: list[Deadline], names: _Names) -> list[TimelineEntry]:
    entries = []
    for deadline in deadlines:
        entries.append(TimelineEntry(deadline.created_at, names.user(deadline.created_by),
                                     names.say("deadline_added", label=deadline.label, date=names.day(deadline.due_on)),
                                     deadline.source_instance_id))
        if deadline.done_at is not None:
            done = "deadline_done_with_task" if deadline.done_by == "system" else "deadline_done"
            entries.append(TimelineEntry(deadline.done_at, names.user(deadline.done_by or ""),
                                         names.say(done, label=deadline.label), deadline.source_instance_id))
    return entries


def _reminder_entries(records: CaseRecords, names: _Names) -> list[TimelineEntry]:
    instances = {task.id: task.instance_id for task in records.tasks}
    return [TimelineEntry(r.sent_at, names.user(r.sent_by), names.say("reminded", unit=names.unit(r.unit, r.office)),
                          instances.get(r.task_id))
            for r in records.reminders]


def case_timeline(session: Session, case_ref: str, language: str = "de",
                  records: CaseRecords | None = None) -> list[TimelineEntry]:
    """Return the case's history, oldest first, in German or English ("en"); no visibility check: call
    visible_case first. `records` are the case's tasks, deadlines and reminders if the caller has read them."""
    names = _Names(session, language)
    records = records or case_records(session, case_ref)
    # The process name rides on the audit rows; only the case's own instances name one.
    instance = (ProcessInstance.id == AuditEvent.instance_id) & (ProcessInstance.case_ref == case_ref)
    events = session.execute(
        select(AuditEvent, ProcessInstance.id, DefinitionVersion.name).outerjoin(ProcessInstance, instance)
        .outerjoin(DefinitionVersion, DefinitionVersion.id == ProcessInstance.definition_version_id)
        .where(AuditEvent.case_ref == case_ref))
    entries = []
    for event, instance_id, process in events:
        text = _audit_text(event, process if instance_id is not None else (event.details or {}).get("process_id"),
                           names)
        if text is not None:
            entries.append(TimelineEntry(event.at, names.user(event.actor), text, event.instance_id,
                                         rank=RANKS.get(event.action, 1)))
    entries += _task_entries(records.tasks, names)
    entries += _deadline_entries(records.deadlines, names)
    entries += _reminder_entries(records, names)
    return sorted(entries, key=lambda e: (e.at, e.rank))
