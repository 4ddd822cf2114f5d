"""Keep the case file in step with the processes: create and link cases, copy form facts into them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.core import clock
from engine.service.registry import InstanceContext
from engine.store import audit
from engine.store.models import ProcessInstance
from workflows import retention
from workflows.cases import files as cases
from workflows.cases.models import Case
from workflows.dates import as_date
from workflows.routing import area_code

CASE_PROCESS = "kim_case"
# The decision table that maps a closure reason to a retention period (bpmn/retention_period.dmn), and the
# period used when it is not deployed or has no rule for a reason: the longest one the table knows.
RETENTION_DECISION = "retention_period"
DEFAULT_RETENTION = "P3Y"
# Start-data keys a referral may carry about the person (web start form, demo, CLI).
PERSON_KEYS = ("given_name", "family_name", "birth_date", "nationality", "languages", "municipality")


def link_instance(event: str, context: InstanceContext, payload: dict[str, Any]) -> None:
    """Give a new kim_case instance its case (created from the start data when it has none)."""
    if context.case_ref or context.process_id != CASE_PROCESS:
        return
    row = context.session.get(ProcessInstance, context.instance_id)
    assert row is not None, "instance_started fires after the new instance row is flushed"
    case = create_case(context.session, context.data, actor=row.started_by)
    row.case_ref, row.area = case.case_ref, case.area
    context.case_ref = case.case_ref
    audit.record(context.session, row.started_by, "case_linked", instance_id=row.id, case_ref=case.case_ref)


def create_case(session: Session, data: dict[str, Any], *, actor: str) -> Case:
    """Open a case for the person described in the start data."""
    person = {"given_name": data.get("given_name"), "family_name": data.get("family_name"),
              "birth_date": _date_or_none(data.get("birth_date")), "nationality": data.get("nationality"),
              "languages": _languages(data), "household": list(data.get("household") or []),
              "referral_source": data.get("source")}
    area = area_code(data.get("municipality"))
    return cases.open_case(session, actor=actor, area=area,
                           **{k: v for k, v in person.items() if v not in (None, "", [])})


def case_of(context: InstanceContext) -> Case | None:
    """Return the instance's case, if it has one."""
    if not context.case_ref:
        return None
    return context.session.scalar(select(Case).where(Case.case_ref == context.case_ref))


def apply_referral(case: Case, data: dict[str, Any]) -> None:
    """Copy the referral's municipality, language and source into the case (the area routes tasks)."""
    if data.get("municipality"):
        case.area = area_code(data["municipality"])
    if data.get("language") and data["language"] not in (case.languages or []):
        case.languages = [*(case.languages or []), data["language"]]
    if data.get("source"):
        case.referral_source = data["source"]


# Assessment fields that the case file shows, by data category (consents release categories).
PROFILE_FIELDS = {
    "aufenthalt": ("residence_title", "residence_paragraph", "residence_expiry", "residence_obligation",
                   "identity_clarified"),
    "leistungen": ("benefits_type", "benefits_file_number"),
    "sprache": ("language_level", "integration_course"),
    "arbeit": ("work_status", "qualifications"),
    "stammdaten": ("housing", "family", "health_insurance", "debts"),
}


def apply_profile(case: Case, data: dict[str, Any]) -> None:
    """Copy assessment facts into the case profile by data category."""
    profile = {k: dict(v) for k, v in (case.profile or {}).items()}
    for category, fields in PROFILE_FIELDS.items():
        values = {f: data[f] for f in fields if f in data}
        if values:
            profile.setdefault(category, {}).update(values)
    case.profile = profile
    if data.get("residence_title"):
        case.residence_status = data["residence_title"]


def close_case(case: Case, reason: str | None, *, actor: str, session: Session) -> None:
    """Mark the case closed with its reason (once) and the day its retention period ends."""
    if case.status != "closed":
        reason = reason or "goals_met"
        cases.close_case(session, case.case_ref, reason, actor=actor,
                         retention_until=retention_until(session, reason, clock.now()))


def retention_until(session: Session, reason: str, closed_at: dt.datetime) -> dt.date:
    """Return when a case closed for `reason` must be anonymised, by the deployed retention decision."""
    period = retention.decided_period(session, RETENTION_DECISION, {"closure_reason": reason})
    return retention.retention_end(closed_at, period or DEFAULT_RETENTION)


def _languages(data: dict[str, Any]) -> list[str]:
    value = data.get("languages") or data.get("language") or []
    return [value] if isinstance(value, str) else [str(v) for v in value]


def _date_or_none(value: Any) -> dt.date | None:
    return as_date(value) if value else None
