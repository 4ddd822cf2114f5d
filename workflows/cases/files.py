"""Cases: open, change, move and close a case; its notes, documents, deadlines and open tasks."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Integer, String, cast, literal, null, select, union_all
from sqlalchemy.orm import Session

from engine.core import clock
from engine.core.actors import Actor
from engine.core.errors import KimflowError, NotFound
from engine.core.localtime import local_date
from engine.identity import org
from engine.service.projection import OPEN_STATES
from engine.store import audit
from engine.store.models import HumanTask, ProcessInstance
from workflows.cases.models import CATEGORIES, Case, CaseDocument, CaseNote, CaseRefCounter, Deadline

if TYPE_CHECKING:
    from engine.service.engine import ProcessEngine

PERSON_FIELDS = ("given_name", "family_name", "birth_date", "nationality", "languages", "household",
                 "residence_status", "referral_source")


class CaseError(KimflowError):
    """A change to a case was refused (message in German)."""


def get_case(session: Session, case_ref: str) -> Case:
    """Return the case row (no visibility check: internal use; screens use visible_case)."""
    case = session.scalar(select(Case).where(Case.case_ref == case_ref))
    if case is None:
        raise NotFound(f"Fall {case_ref} gibt es nicht")
    return case


def _next_case_ref(session: Session, year: int) -> str:
    counter = session.get(CaseRefCounter, year, with_for_update=True)
    if counter is None:
        counter = CaseRefCounter(year=year, last=0)
        session.add(counter)
    counter.last += 1
    session.flush()
    return f"K-{year}-{counter.last:05d}"


def open_case(session: Session, *, actor: str, area: str | None, **person: Any) -> Case:
    """Open a case with a new pseudonymous reference (K-<year>-<number>) for a person living in `area`."""
    unknown = set(person) - set(PERSON_FIELDS)
    if unknown:
        raise CaseError(f"Unbekannte Angaben zur Person: {', '.join(sorted(unknown))}")
    now = clock.now()
    case = Case(case_ref=_next_case_ref(session, local_date(now).year), area=area, status="open",
                opened_by=actor, opened_at=now, profile={}, languages=[], household=[])
    for key, value in person.items():
        setattr(case, key, value)
    session.add(case)
    audit.record(session, actor, "case_opened", case_ref=case.case_ref, area=area)
    session.flush()
    return case


def update_person(session: Session, case_ref: str, *, actor: str, **changes: Any) -> Case:
    """Change the person's data on a case (not the area: use move_case)."""
    unknown = set(changes) - set(PERSON_FIELDS)
    if unknown:
        raise CaseError(f"Diese Angaben können nicht geändert werden: {', '.join(sorted(unknown))}")
    case = get_case(session, case_ref)
    for key, value in changes.items():
        setattr(case, key, value)
    audit.record(session, actor, "case_changed", case_ref=case_ref, fields=sorted(changes))
    return case


def set_profile(session: Session, case_ref: str, category: str, values: Mapping[str, Any], *, actor: str) -> Case:
    """Merge values of one data category (leistungen, arbeit, gesundheit, ...) into the case."""
    if category not in CATEGORIES:
        raise CaseError(f"Unbekannte Datenkategorie {category!r}")
    case = get_case(session, case_ref)
    profile = dict(case.profile or {})
    profile[category] = {**profile.get(category, {}), **dict(values)}
    case.profile = profile  # a new dict, so the JSON column is seen as changed
    audit.record(session, actor, "case_changed", case_ref=case_ref, category=category, fields=sorted(values))
    return case


def close_case(session: Session, case_ref: str, reason: str, *, actor: str,
               retention_until: dt.date | None = None) -> Case:
    """Close a case with a reason and the date until which it must be kept."""
    case = get_case(session, case_ref)
    if case.status == "closed":
        raise CaseError(f"Der Fall {case_ref} ist bereits abgeschlossen")
    case.status, case.closed_at, case.closure_reason = "closed", clock.now(), reason
    case.retention_until = retention_until
    audit.record(session, actor, "case_closed", case_ref=case_ref, reason=reason)
    return case


def move_case(engine: ProcessEngine, case_ref: str, new_area: str, *, actor: Actor) -> int:
    """Record a move to `new_area` and reroute the open tasks of all its instances; return how many moved.

    One transaction: the case never stands in its new municipality while its tasks wait in the old one.
    """
    with engine.db.unit_of_work() as session:
        case = get_case(session, case_ref)
        old = case.area
        case.area = new_area
        audit.record(session, actor.name, "case_moved", case_ref=case_ref, old=old, new=new_area)
        running = list(session.scalars(select(ProcessInstance.id).where(
            ProcessInstance.case_ref == case_ref, ProcessInstance.status.in_(("running", "suspended", "error")))))
        session.flush()  # the routing hooks read the case's new area
        return engine.reroute(running, actor=actor, reason=f"Umzug von {old} nach {new_area}") if running else 0


# -- notes and documents -------------------------------------------------------------------------
def add_note(session: Session, case_ref: str, text: str, *, actor: str) -> CaseNote:
    """Add a comment to the case file."""
    get_case(session, case_ref)
    note = CaseNote(case_ref=case_ref, author=actor, text=text, created_at=clock.now())
    session.add(note)
    audit.record(session, actor, "note_added", case_ref=case_ref)
    session.flush()
    return note


def list_notes(session: Session, case_ref: str) -> list[CaseNote]:
    """Return the case's notes, newest first."""
    return list(session.scalars(select(CaseNote).where(CaseNote.case_ref == case_ref)
                                .order_by(CaseNote.created_at.desc(), CaseNote.id.desc())))


def add_document(session: Session, case_ref: str, filename: str, content_type: str, content: bytes, *,
                 actor: str) -> CaseDocument:
    """Store an uploaded file with its size and SHA-256 checksum (the caller validates type and size)."""
    get_case(session, case_ref)
    document = CaseDocument(case_ref=case_ref, filename=filename, content_type=content_type, size=len(content),
                            sha256=hashlib.sha256(content).hexdigest(), content=content, uploaded_by=actor,
                            uploaded_at=clock.now())
    session.add(document)
    session.flush()
    # No file name in the append-only log: names of files often name the person.
    audit.record(session, actor, "document_added", case_ref=case_ref, document=document.id,
                 sha256=document.sha256)
    return document


def list_documents(session: Session, case_ref: str) -> list[CaseDocument]:
    """Return the case's documents without their content, newest first."""
    return list(session.scalars(select(CaseDocument).where(CaseDocument.case_ref == case_ref)
                                .order_by(CaseDocument.uploaded_at.desc(), CaseDocument.id.desc())))


@dataclass(frozen=True)
class NoteLine:
    """A comment as the case file lists it."""

    id: int
    author: str
    text: str
    created_at: dt.datetime


@dataclass(frozen=True)
class DocumentLine:
    """A document as the case file lists it: its name, size and checksum, never its content."""

    id: int
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: str
    uploaded_at: dt.datetime


def notes_and_documents(session: Session, case_ref: str) -> tuple[list[NoteLine], list[DocumentLine]]:
    """Return the case's notes and its documents (without content), each newest first, read in one statement."""
    notes = select(literal("note").label("kind"), CaseNote.id, CaseNote.author.label("who"),
                   CaseNote.text.label("text"), cast(null(), String(200)).label("content_type"),
                   cast(null(), Integer).label("size"), cast(null(), String(64)).label("sha256"),
                   CaseNote.created_at.label("at")).where(CaseNote.case_ref == case_ref)
    documents = select(literal("document"), CaseDocument.id, CaseDocument.uploaded_by, CaseDocument.filename,
                       CaseDocument.content_type, CaseDocument.size, CaseDocument.sha256,
                       CaseDocument.uploaded_at).where(CaseDocument.case_ref == case_ref)
    both = union_all(notes, documents).subquery()
    rows = session.execute(select(both).order_by(both.c.kind, both.c.at.desc(), both.c.id.desc())).all()
    return ([NoteLine(r.id, r.who, r.text, r.at) for r in rows if r.kind == "note"],
            [DocumentLine(r.id, r.text, r.content_type, r.size, r.sha256, r.who, r.at) for r in rows
             if r.kind == "document"])


def get_document(session: Session, case_ref: str, document_id: int, *, actor: str) -> CaseDocument:
    """Return one document with its content, checked against its checksum; the download is audited."""
    document = session.get(CaseDocument, document_id)
    if document is None or document.case_ref != case_ref:
        raise NotFound(f"Dokument {document_id} gibt es in Fall {case_ref} nicht")
    if hashlib.sha256(document.content).hexdigest() != document.sha256:
        raise CaseError(f"Das Dokument {document.filename} ist beschädigt (Prüfsumme stimmt nicht)")
    audit.record(session, actor, "document_read", case_ref=case_ref, document=document_id)
    return document


# -- deadline register ---------------------------------------------------------------------------
def add_deadline(session: Session, case_ref: str, kind: str, label: str, due_on: dt.date, *, actor: str,
                 remind_on: dt.date | None = None, source: tuple[int, str] | None = None) -> Deadline:
    """Enter a deadline; `source` is the (instance id, element id) that produced it."""
    get_case(session, case_ref)
    deadline = Deadline(case_ref=case_ref, kind=kind, label=label, due_on=due_on, remind_on=remind_on,
                        source_instance_id=source[0] if source else None,
                        source_element_id=source[1] if source else None, created_by=actor, created_at=clock.now())
    session.add(deadline)
    session.flush()
    audit.record(session, actor, "deadline_added", case_ref=case_ref, deadline=deadline.id, kind=kind,
                 due_on=due_on.isoformat())
    return deadline


def list_deadlines(session: Session, case_ref: str, *, open_only: bool = False) -> list[Deadline]:
    """Return the case's deadlines, soonest first."""
    query = select(Deadline).where(Deadline.case_ref == case_ref).order_by(Deadline.due_on, Deadline.id)
    if open_only:
        query = query.where(Deadline.done_at.is_(None))
    return list(session.scalars(query))


def complete_deadline(session: Session, deadline_id: int, *, actor: str) -> Deadline:
    """Mark a deadline as dealt with."""
    deadline = session.get(Deadline, deadline_id)
    if deadline is None:
        raise NotFound(f"Frist {deadline_id} gibt es nicht")
    if deadline.done_at is None:
        deadline.done_at, deadline.done_by = clock.now(), actor
        audit.record(session, actor, "deadline_done", case_ref=deadline.case_ref, deadline=deadline_id)
    return deadline


def due_reminders(session: Session, today: dt.date) -> list[Deadline]:
    """Return open deadlines whose reminder day has come and that were not reminded yet."""
    return list(session.scalars(select(Deadline).where(
        Deadline.done_at.is_(None), Deadline.reminded_at.is_(None), Deadline.remind_on.is_not(None),
        Deadline.remind_on <= today).order_by(Deadline.due_on, Deadline.id)))


def mark_reminded(session: Session, deadline_ids: list[int], now: dt.datetime | None = None) -> None:
    """Record that reminders for these deadlines went out, so they are not sent twice."""
    for deadline in session.scalars(select(Deadline).where(Deadline.id.in_(deadline_ids))):
        deadline.reminded_at = now or clock.now()


# -- tasks across offices ------------------------------------------------------------------------
@dataclass(frozen=True)
class CaseTask:
    """An open task of a case, with the unit and the person holding it."""

    id: str
    instance_id: int
    process_id: str
    name: str
    office: str | None
    unit: str | None
    unit_name: str | None
    holder: str | None
    status: str
    due_at: dt.datetime | None
    created_at: dt.datetime


def tasks_of_case(session: Session, case_ref: str) -> list[HumanTask]:
    """Return every task of the case, oldest first: read once, the case file derives its sections from it."""
    return list(session.scalars(select(HumanTask).where(HumanTask.case_ref == case_ref)
                                .order_by(HumanTask.created_at, HumanTask.id)))


def open_tasks(session: Session, tasks: list[HumanTask]) -> list[CaseTask]:
    """Return the open ones among a case's tasks (in their order) with unit and holder by name."""
    units, people = org.unit_names(session), org.display_names(session)
    return [CaseTask(t.id, t.instance_id, t.process_id, t.name, t.office, t.unit, units.get(t.unit or ""),
                     people.get(t.claimed_by or "") or t.claimed_by, t.status, t.due_at, t.created_at)
            for t in tasks if t.status in OPEN_STATES]


def case_tasks(session: Session, case_ref: str) -> list[CaseTask]:
    """Return the case's open tasks across all offices and who holds them."""
    return open_tasks(session, tasks_of_case(session, case_ref))
