"""A case's timeline across processes and offices, in German, from audit events, tasks and deadlines."""

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

TASK_VERBS = {"created": "erstellt", "completed": "erledigt", "cancelled": "abgebrochen"}
RANKS = {"instance_started": 0, "instance_completed": 3, "instance_cancelled": 3}
# kim_case's closure reasons as its close_case form names them.
CLOSURE_REASONS = {"goals_met": "Ziele erreicht", "handed_over": "an anderen Dienst übergeben",
                   "moved_away": "verzogen", "no_contact": "kein Kontakt mehr",
                   "consent_withdrawn": "Einwilligung widerrufen", "naturalised": "eingebürgert",
                   "retention": "Aufbewahrungsfrist abgelaufen"}


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

    def __init__(self, session: Session, case_ref: str):
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

    def unit(self, unit: str | None, office: str | None) -> str:
        if unit:
            return self.units.get(unit, unit)
        return self.office(office) if office else "unbekannte Stelle"

    def office(self, office: str) -> str:
        return self.offices.get(office) or office_name(office) or "unbekannte Stelle"

    def user(self, username: str) -> str:
        # Never a user name on the page: accounts without a display name (the system, services) read as "System".
        return self.users.get(username) or "System"


def _audit_text(event: AuditEvent, names: _Names) -> str | None:
    d = event.details or {}
    texts = {
        "case_opened": lambda: "Fall eröffnet",
        "case_moved": lambda: (f"Umzug von {municipality_name(d.get('old')) or '—'} "
                               f"nach {municipality_name(d.get('new'))}"),
        "case_closed": lambda: f"Fall abgeschlossen ({CLOSURE_REASONS.get(d.get('reason') or '', 'ohne Angabe')})",
        "deadline_closed_by_hand": lambda: "Frist von Hand geschlossen",
        "consent_recorded": lambda: (f"Übermittlung an {names.office(d.get('office', ''))} "
                                     f"({event.legal_basis}) erfasst" if str(event.legal_basis).startswith("legal")
                                     else f"Einwilligung für {names.office(d.get('office', ''))} erfasst"),
        "consent_revoked": lambda: f"Einwilligung für {names.office(d.get('office', ''))} widerrufen",
        "note_added": lambda: "Notiz hinzugefügt",
        "document_added": lambda: f"Dokument „{d.get('filename')}“ hinzugefügt",
        "instance_started": lambda: f"Vorgang „{names.processes.get(event.instance_id, d.get('process_id'))}“ "
                                    "gestartet",
        "instance_completed": lambda: f"Vorgang „{names.processes.get(event.instance_id)}“ abgeschlossen",
        "instance_cancelled": lambda: f"Vorgang „{names.processes.get(event.instance_id)}“ abgebrochen",
    }
    make = texts.get(event.action)
    return make() if make else None


def _task_entries(session: Session, case_ref: str, names: _Names) -> list[TimelineEntry]:
    entries = []
    for task in session.scalars(select(HumanTask).where(HumanTask.case_ref == case_ref)):
        who = names.unit(task.unit, task.office)
        entries.append(TimelineEntry(task.created_at, who, f"Aufgabe „{task.name}“ erstellt", task.instance_id))
        if task.status in ("completed", "cancelled") and task.completed_at is not None:
            verb = TASK_VERBS[task.status]
            entries.append(TimelineEntry(task.completed_at, who, f"Aufgabe „{task.name}“ {verb}", task.instance_id,
                                         rank=2, task_id=task.id if task.status == "completed" else None))
    return entries


def _deadline_entries(session: Session, case_ref: str, names: _Names) -> list[TimelineEntry]:
    entries = []
    for deadline in session.scalars(select(Deadline).where(Deadline.case_ref == case_ref)):
        entries.append(TimelineEntry(deadline.created_at, names.user(deadline.created_by),
                                     f"Frist „{deadline.label}“ bis {german_date(deadline.due_on)} eingetragen",
                                     deadline.source_instance_id))
        if deadline.done_at is not None:
            verb = "mit ihrer Aufgabe erledigt" if deadline.done_by == "system" else "erledigt"
            entries.append(TimelineEntry(deadline.done_at, names.user(deadline.done_by or ""),
                                         f"Frist „{deadline.label}“ {verb}", deadline.source_instance_id))
    return entries


def _reminder_entries(session: Session, case_ref: str, names: _Names) -> list[TimelineEntry]:
    tasks = dict(session.execute(select(HumanTask.id, HumanTask.instance_id)
                                 .where(HumanTask.case_ref == case_ref)).all())
    return [TimelineEntry(r.sent_at, names.user(r.sent_by), f"an {names.unit(r.unit, r.office)} erinnert",
                          tasks.get(r.task_id))
            for r in session.scalars(select(TaskReminder).where(TaskReminder.case_ref == case_ref))]


def case_timeline(session: Session, case_ref: str) -> list[TimelineEntry]:
    """Return the case's history, oldest first (no visibility check: call visible_case first)."""
    names = _Names(session, case_ref)
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
