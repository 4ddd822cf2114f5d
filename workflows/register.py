"""Form facts that become case records: the deadline register and consent rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, inspect, select
from sqlalchemy.orm import Session

from engine.core import clock
from engine.core.localtime import local_date
from engine.store import audit
from workflows.cases import consent
from workflows.cases.models import CATEGORIES, Case, Consent, Deadline
from workflows.catalogue import OFFICES_ASKED
from workflows.dates import as_date
from workflows.routing import keep_case


@dataclass(frozen=True)
class DeadlineField:
    """A data field holding a date that belongs in the case's deadline register."""

    kind: str
    label: str
    remind_days_before: int


DEADLINES_KEY = "kimflow.register.deadlines"  # session.info: (transaction, {(case, instance): [row, ...]})

# Document expiries and legal deadlines entered in forms or decided by DMN tables.
DEADLINE_FIELDS = {
    "residence_expiry": DeadlineField("document_expiry", "Aufenthaltstitel läuft ab", 56),
    "certificate_valid_until": DeadlineField("document_expiry", "Bescheinigung läuft ab", 28),
    "permit_valid_until": DeadlineField("document_expiry", "Beschäftigungserlaubnis läuft ab", 56),
    "consent_valid_until": DeadlineField("consent_expiry", "Einwilligung läuft ab", 28),
    "appeal_end": DeadlineField("legal_deadline", "Rechtsmittelfrist BAMF-Bescheid endet", 3),
    "asylblg_end": DeadlineField("legal_deadline", "AsylbLG-Leistungen enden", 14),
    "application_reminder_date": DeadlineField("legal_deadline", "SGB-II-Antrag spätestens stellen", 3),
    "measures_due_date": DeadlineField("measure_due", "Maßnahmen aus dem Integrationsplan fällig", 7),
    "recheck_date": DeadlineField("review", "Einbürgerungsvoraussetzungen erneut prüfen", 14),
    "appointment_date": DeadlineField("appointment", "Termin bei der Einbürgerungsbehörde", 7),
}


def register_deadlines(session: Session, case_ref: str, data: dict[str, Any], *, instance_id: int,
                       element_id: str | None, actor: str) -> list[Deadline]:
    """Add (or move) the register entries for the deadline fields in `data`; return the new or changed."""
    rows = registered(session, case_ref, instance_id)
    existing = {row.label: row for row in rows}
    changed = []
    for name, spec in DEADLINE_FIELDS.items():
        due = _date(data.get(name))
        if due is None:
            continue
        row = existing.get(spec.label)
        remind = due - dt.timedelta(days=spec.remind_days_before)
        if row is None:
            row = Deadline(case_ref=case_ref, kind=spec.kind, label=spec.label, due_on=due, remind_on=remind,
                           source_instance_id=instance_id, source_element_id=element_id, created_by=actor,
                           created_at=clock.now())
            session.add(row)
            rows.append(row)
            existing[spec.label] = row
        elif row.due_on != due and row.done_at is None:
            row.due_on, row.remind_on, row.reminded_at = due, remind, None
        else:
            continue
        audit.record(session, actor, "deadline_registered", case_ref=case_ref, instance_id=instance_id,
                     kind=spec.kind, label=spec.label, due_on=due.isoformat())
        changed.append(row)
    return changed


def registered(session: Session, case_ref: str, instance_id: int) -> list[Deadline]:
    """Return the register entries the instance made in the case, read once per transaction.

    A completion closes work deadlines and registers new ones, and the next task registers too: all share one
    read. Rows added since are kept in the same list (callers append them), deleted ones dropped.
    """
    transaction = session.get_transaction()
    cached = session.info.get(DEADLINES_KEY)
    if cached is None or cached[0] is not transaction:
        cached = (transaction, {})
        session.info[DEADLINES_KEY] = cached
    registers: dict[tuple[str, int], list[Deadline]] = cached[1]
    known = registers.get((case_ref, instance_id))
    if known is None:
        known = _read_with_case(session, case_ref, instance_id)
        registers[(case_ref, instance_id)] = known
    known[:] = [row for row in known if row not in session.deleted and not inspect(row).was_deleted]
    return known


def _read_with_case(session: Session, case_ref: str, instance_id: int) -> list[Deadline]:
    """Read the register entries together with their case, which routing and the form's case updates need next."""
    found = session.execute(select(Case, Deadline).outerjoin(Deadline, and_(
        Deadline.case_ref == Case.case_ref, Deadline.source_instance_id == instance_id))
        .where(Case.case_ref == case_ref)).all()
    if found:
        keep_case(session, found[0][0])
    return [deadline for _case, deadline in found if deadline is not None]


DEFAULT_CATEGORIES = ("stammdaten", "aufenthalt", "leistungen", "arbeit", "sprache")


def record_consents(session: Session, case_ref: str, data: dict[str, Any], *, actor: str) -> list[Consent]:
    """Create one consent row per office the person released data to in the consent form."""
    if not data.get("consent_given"):
        return []
    categories = parse_categories(data.get("consent_categories"), bool(data.get("health_data_consent")))
    today = local_date(clock.now())
    rows = []
    for office in OFFICES_ASKED:
        if data.get(f"consent_{office}"):
            rows.append(consent.record_consent(
                session, case_ref, office, categories,
                data.get("consent_purpose") or "Abstimmung im KIM-Fallmanagement", actor=actor, valid_from=today,
                valid_until=_date(data.get("consent_valid_until")), mutual=data.get("consent_direction") == "mutual",
                health_data=bool(data.get("health_data_consent")), language_version=data.get("consent_language")))
    return rows


def parse_categories(text: str | None, health: bool) -> list[str]:
    """Read "Aufenthalt, Leistungen" as category codes; the health category needs the explicit tick."""
    wanted = [_category(part) for part in (text or "").replace(";", ",").split(",") if part.strip()]
    chosen = [c for c in wanted if c] or list(DEFAULT_CATEGORIES)
    chosen = [c for c in dict.fromkeys(chosen) if c != "gesundheit"]
    return chosen + (["gesundheit"] if health else [])


def _category(text: str) -> str | None:
    key = text.strip().lower().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")
    for code in CATEGORIES:
        if key.startswith(code[:5]):
            return code
    return None


def _date(value: Any) -> dt.date | None:
    if not value:
        return None
    try:
        return as_date(value)
    except (TypeError, ValueError):
        return None


def open_case(session: Session, case_ref: str | None) -> Case | None:
    """Return the case with this reference, or None."""
    if not case_ref:
        return None
    return session.scalar(select(Case).where(Case.case_ref == case_ref))
