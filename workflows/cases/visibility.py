"""The one visibility query every screen uses: which case data an actor may see, and on which basis."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, exists, or_, select
from sqlalchemy.orm import Session

from engine.core import clock
from engine.core.actors import Actor
from engine.core.errors import NotFound
from engine.core.localtime import local_date
from engine.identity.models import DISTRICT_WIDE, Responsibility
from engine.identity.org import resolve_unit
from engine.service import task_rule
from engine.store import audit
from engine.store.models import HumanTask
from workflows.cases.consent import basis_label, released_categories, valid_consents
from workflows.cases.models import CATEGORIES, Case, Consent
from workflows.catalogue import CASE_MANAGEMENT, COORDINATION

FULL_ACCESS_OFFICES = frozenset({COORDINATION})
TASK_STATES = ("open", "claimed", "completed")
FULL_BASES = ("administration", "case coordination", "case management")


@dataclass(frozen=True)
class CaseView:
    """What one actor may see of a case: header, released fields, the basis and what stays hidden."""

    case_ref: str
    area: str | None
    status: str
    opened_at: dt.datetime
    closed_at: dt.datetime | None
    basis: str
    categories: frozenset[str]
    hidden: tuple[str, ...]
    full: bool
    fields: dict[str, Any] = field(default_factory=dict)

    def sees(self, category: str) -> bool:
        return category in self.categories


def _category_fields(case: Case) -> dict[str, dict[str, Any]]:
    profile = case.profile or {}
    fields: dict[str, dict[str, Any]] = {c: dict(profile.get(c, {})) for c in CATEGORIES}
    fields["stammdaten"].update(given_name=case.given_name, family_name=case.family_name,
                                birth_date=case.birth_date, nationality=case.nationality, household=case.household)
    fields["aufenthalt"]["residence_status"] = case.residence_status
    fields["sprache"]["languages"] = case.languages
    return fields


def _has_task(session: Session, case_ref: str, actor: Actor) -> bool:
    mine = or_(task_rule.available_clause(actor), HumanTask.claimed_by == actor.name,
               HumanTask.completed_by == actor.name)
    return bool(session.scalar(select(exists().where(HumanTask.case_ref == case_ref,
                                                     HumanTask.status.in_(TASK_STATES), mine))))


def _full_access(session: Session, case: Case, actor: Actor) -> str | None:
    if actor.is_admin:
        return "administration"
    if actor.offices & FULL_ACCESS_OFFICES:
        return "case coordination"
    unit = resolve_unit(session, CASE_MANAGEMENT, case.area)
    return "case management" if unit is not None and unit in actor.units else None


def _access(session: Session, case: Case, actor: Actor, now: dt.datetime) -> tuple[str, set[str]] | None:
    full = _full_access(session, case, actor)
    if full is not None:
        return full, set(CATEGORIES)
    rows = valid_consents(session, case.case_ref, actor.offices, now)
    bases = [basis_label(r) for r in rows]
    if _has_task(session, case.case_ref, actor):
        bases.append("legal basis: task")
    if not bases:
        return None
    return ", ".join(bases), set().union(*(released_categories(r) for r in rows))


def visible_case(session: Session, case_ref: str, actor: Actor, now: dt.datetime | None = None, *,
                 audited: bool = True) -> CaseView:
    """Return what `actor` may see of the case, or raise NotFound; reads and refusals are audited.

    A refusal's audit line survives the rollback of the caller's transaction, which the error ends.
    `audited=False` is for internal use only (e.g. the worker composing a reminder), never for screens.
    """
    now = now or clock.now()
    case = session.scalar(select(Case).where(Case.case_ref == case_ref))
    access = _access(session, case, actor, now) if case is not None else None
    if case is None or access is None:
        if audited:
            audit.record_refusal(session, actor.name, "case_access_denied", case_ref=case_ref)
        raise NotFound(f"Fall {case_ref} gibt es nicht")
    basis, categories = access
    per_category = _category_fields(case)
    fields = {k: v for c in sorted(categories) for k, v in per_category[c].items()}
    full = basis in FULL_BASES
    if full:
        fields.update(referral_source=case.referral_source, closure_reason=case.closure_reason,
                      retention_until=case.retention_until)
    if audited:
        audit.record(session, actor.name, "case_viewed", case_ref=case_ref, legal_basis=basis,
                     categories=sorted(categories))
    return CaseView(case.case_ref, case.area, case.status, case.opened_at, case.closed_at, basis,
                    frozenset(categories), tuple(c for c in CATEGORIES if c not in categories), full, fields)


def visible_case_refs(actor: Actor, now: dt.datetime | None = None) -> Select:
    """Return a query of the case_refs `actor` may open, for case lists to filter on (same rules)."""
    query = select(Case.case_ref)
    if actor.is_admin or actor.offices & FULL_ACCESS_OFFICES:
        return query
    today = local_date(now or clock.now())
    managed = select(Responsibility.area).where(Responsibility.office == CASE_MANAGEMENT,
                                                Responsibility.unit_code.in_(list(actor.units)))
    exact = select(Responsibility.area).where(Responsibility.office == CASE_MANAGEMENT)
    district = exists().where(Responsibility.office == CASE_MANAGEMENT, Responsibility.area == DISTRICT_WIDE,
                              Responsibility.unit_code.in_(list(actor.units))) & Case.area.not_in(exact)
    consented = select(Consent.case_ref).where(
        Consent.office.in_(list(actor.offices)), Consent.revoked_at.is_(None), Consent.valid_from <= today,
        or_(Consent.valid_until.is_(None), Consent.valid_until >= today))
    tasks = select(HumanTask.case_ref).where(HumanTask.status.in_(TASK_STATES), or_(
        task_rule.available_clause(actor), HumanTask.claimed_by == actor.name, HumanTask.completed_by == actor.name))
    return query.where(or_(Case.area.in_(managed), district, Case.case_ref.in_(consented),
                           Case.case_ref.in_(tasks)))
