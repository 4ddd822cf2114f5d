"""Consents and legal bases that release case data to an office; revocation withdraws open requests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import TYPE_CHECKING

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from engine.core import clock
from engine.core.actors import Actor
from engine.core.errors import NotFound
from engine.core.localtime import local_date
from engine.service.projection import OPEN_STATES
from engine.store import audit
from engine.store.models import HumanTask
from workflows.cases.files import CaseError, get_case
from workflows.cases.models import CATEGORIES, Consent

if TYPE_CHECKING:
    from engine.service.engine import ProcessEngine

WITHDRAWN_FLAG = "request_withdrawn"  # set in a withdrawn task's data so the diagram can branch on it


def record_consent(session: Session, case_ref: str, office: str, categories: Collection[str], purpose: str, *,
                   actor: str, valid_from: dt.date, valid_until: dt.date | None = None, **terms) -> Consent:
    """Record what an office may see; terms: mutual, health_data, legal_basis, language_version."""
    get_case(session, case_ref)
    unknown = set(categories) - set(CATEGORIES) or set(terms) - {"mutual", "health_data", "legal_basis",
                                                                  "language_version"}
    if unknown:
        raise CaseError(f"Unbekannte Angaben zur Einwilligung: {', '.join(sorted(unknown))}")
    if valid_until is not None and valid_until < valid_from:
        raise CaseError("Die Einwilligung endet vor ihrem Beginn")
    consent = Consent(case_ref=case_ref, office=office, data_categories=sorted(set(categories)), purpose=purpose,
                      mutual=bool(terms.get("mutual")), health_data=bool(terms.get("health_data")),
                      legal_basis=terms.get("legal_basis"), language_version=terms.get("language_version"),
                      valid_from=valid_from, valid_until=valid_until, recorded_by=actor, recorded_at=clock.now())
    session.add(consent)
    session.flush()
    audit.record(session, actor, "consent_recorded", case_ref=case_ref, legal_basis=basis_label(consent),
                 office=office, categories=consent.data_categories, health_data=consent.health_data)
    return consent


def basis_label(consent: Consent) -> str:
    """Name the basis a row gives: "consent #12" or "legal basis: § 69 SGB X"."""
    return f"legal basis: {consent.legal_basis}" if consent.legal_basis else f"consent #{consent.id}"


def released_categories(consent: Consent) -> set[str]:
    """Return the categories a row releases; health data only with the explicit health tick."""
    categories = set(consent.data_categories or [])
    return categories if consent.health_data else categories - {"gesundheit"}


def in_force(consent: Consent, today: dt.date) -> bool:
    """Tell whether a row is not revoked and valid on `today` (the test of valid_consents, for loaded rows)."""
    return (consent.revoked_at is None and consent.valid_from <= today
            and (consent.valid_until is None or consent.valid_until >= today))


def valid_consents(session: Session, case_ref: str, offices: Collection[str], now: dt.datetime) -> list[Consent]:
    """Return the rows for these offices that are not revoked and valid on the local day of `now`."""
    today = local_date(now)
    return list(session.scalars(select(Consent).where(
        Consent.case_ref == case_ref, Consent.office.in_(list(offices)), Consent.revoked_at.is_(None),
        Consent.valid_from <= today, or_(Consent.valid_until.is_(None), Consent.valid_until >= today))
        .order_by(Consent.id)))


def list_consents(session: Session, case_ref: str) -> list[Consent]:
    """Return every consent row of a case, revoked ones included."""
    return list(session.scalars(select(Consent).where(Consent.case_ref == case_ref).order_by(Consent.id)))


def revoke_consent(engine: ProcessEngine, consent_id: int, *, actor: Actor, reason: str = "") -> list[str]:
    """Revoke a consent and withdraw the case's open tasks of that office; return the withdrawn task ids.

    Requests stay open while another valid row (e.g. a legal basis) still covers the office. One
    transaction: the revocation and every withdrawal happen together or not at all.
    """
    with engine.db.unit_of_work() as session:
        consent = session.get(Consent, consent_id)
        if consent is None:
            raise NotFound(f"Einwilligung {consent_id} gibt es nicht")
        if consent.revoked_at is None:
            consent.revoked_at, consent.revoked_by = clock.now(), actor.name
            audit.record(session, actor.name, "consent_revoked", case_ref=consent.case_ref,
                         legal_basis=basis_label(consent), office=consent.office, reason=reason)
        case_ref, office = consent.case_ref, consent.office
        if valid_consents(session, case_ref, [office], clock.now()):
            return []
        task_ids = list(session.scalars(select(HumanTask.id).where(
            HumanTask.case_ref == case_ref, HumanTask.office == office, HumanTask.status.in_(OPEN_STATES))
            .order_by(HumanTask.created_at)))
        session.flush()  # the withdrawals below see the revocation
        for task_id in task_ids:
            withdraw_task(engine, task_id, actor=actor, reason="consent_revoked")
        return task_ids


def withdraw_task(engine: ProcessEngine, task_id: str, *, actor: Actor, reason: str) -> None:
    """End an open request without its form: the process moves on with `request_withdrawn` set."""
    engine.withdraw(task_id, actor=actor, reason=reason, data={WITHDRAWN_FLAG: True, "withdrawn_reason": reason})
