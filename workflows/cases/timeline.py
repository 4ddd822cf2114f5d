"""A case's timeline across processes and offices, in German or English, from audit events, tasks and deadlines."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.core.localtime import german_date
from engine.identity.models import Responsibility, Unit, User
from engine.store.models import AuditEvent, DefinitionVersion, HumanTask, ProcessInstance
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


class _Names:
    """Display names of units, offices, users and processes, loaded once per timeline."""

    def __init__(self, session: Session, case_ref: str, language: str):
        self.english = language == "en"
        self.language = "en" if self.english else "de"
        self.units = {u.code: u.name for u in session.scalars(select(Unit))}
        district = session.execute(select(Responsibility.office, Responsibility.unit_code)
                                   .where(Responsibility.area == "*")).all()
        self.offices = {office: self.units.get(code, office) for office, code in district}
        self.users = dict(session.execute(select(User.username, User.display_name)).all())
        # Keyed by optional id: audit events without an instance simply find no process name.
        self.processes: dict[int | None, str] = dict(session.execute(
            select(ProcessInstance.id, DefinitionVersion.name)
            .join(DefinitionVersion, DefinitionVersion.id == ProcessInstance.definition_version_id)
            .where(ProcessInstance.case_ref == case_ref)).all())

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


def _audit_text(event: AuditEvent, names: _Names) -> str | None:
    d = event.details or {}
    process = names.processes.get(event.instance_id, d.get("process_id"))
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


def _task_entries(session: Session, case_ref: str, names: _Names) -> list[TimelineEntry]:
    entries = []
    for task in session.scalars(select(HumanTask).where(HumanTask.case_ref == case_ref)):
        who = names.unit(task.unit, task.office)
        entries.append(TimelineEntry(task.created_at, who, names.say("task_created", task=task.name),
                                     task.instance_id))
        if task.status in ("completed", "cancelled") and task.completed_at is not None:
            entries.append(TimelineEntry(task.completed_at, who, names.say(f"task_{task.status}", task=task.name),
                                         task.instance_id,
                                         rank=2, task_id=task.id if task.status == "completed" else None))
    return entries


def _deadline_entries(session: Session, case_ref: str, names: _Names) -> list[TimelineEntry]:
    entries = []
    for deadline in session.scalars(select(Deadline).where(Deadline.case_ref == case_ref)):
        entries.append(TimelineEntry(deadline.created_at, names.user(deadline.created_by),
                                     names.say("deadline_added", label=deadline.label, date=names.day(deadline.due_on)),
                                     deadline.source_instance_id))
        if deadline.done_at is not None:
            done = "deadline_done_with_task" if deadline.done_by == "system" else "deadline_done"
            entries.append(TimelineEntry(deadline.done_at, names.user(deadline.done_by or ""),
                                         names.say(done, label=deadline.label), deadline.source_instance_id))
    return entries


def _reminder_entries(session: Session, case_ref: str, names: _Names) -> list[TimelineEntry]:
    tasks = dict(session.execute(select(HumanTask.id, HumanTask.instance_id)
                                 .where(HumanTask.case_ref == case_ref)).all())
    return [TimelineEntry(r.sent_at, names.user(r.sent_by), names.say("reminded", unit=names.unit(r.unit, r.office)),
                          tasks.get(r.task_id))
            for r in session.scalars(select(TaskReminder).where(TaskReminder.case_ref == case_ref))]


def case_timeline(session: Session, case_ref: str, language: str = "de") -> list[TimelineEntry]:
    """Return the case's history, oldest first, in German or English ("en"); no visibility check: call
    visible_case first."""
    names = _Names(session, case_ref, language)
    entries = []
    for event in session.scalars(select(AuditEvent).where(AuditEvent.case_ref == case_ref)):
        text = _audit_text(event, names)
        if text is not None:
            entries.append(TimelineEntry(event.at, names.user(event.actor), text, event.instance_id,
                                         rank=RANKS.get(event.action, 1)))
    entries += _task_entries(session, case_ref, names)
    entries += _deadline_entries(session, case_ref, names)
    entries += _reminder_entries(session, case_ref, names)
    return sorted(entries, key=lambda e: (e.at, e.rank))
