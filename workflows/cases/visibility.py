"""The one visibility query every screen uses: which case data an actor may see, and on which basis."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, false, or_, select
from sqlalchemy.orm import Session

from engine.core import clock
from engine.core.actors import Actor
from engine.core.errors import NotFound
from engine.core.localtime import local_date
from engine.identity.org import resolve_unit
from engine.service import task_rule
from engine.store import audit
from engine.store.models import HumanTask, TaskCandidate
from workflows.cases.consent import basis_label, in_force, released_categories
from workflows.cases.models import CATEGORIES, Case, Consent
from workflows.cases.responsibility import (
    area_conditions,
    area_filter,
    consent_rows,
    responsible_areas,
    responsible_units,
    unit_offices,
)
from workflows.catalogue import CASE_MANAGEMENT, COORDINATION

FULL_ACCESS_OFFICES = frozenset({COORDINATION})
FULL_BASES = ("administration", "case coordination", "case management")
TASK_BASIS = "legal basis: task"
Route = tuple[str, str, list[str], bool]  # an actor's unit, its office, the areas it takes, and cases without area


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
    consents: tuple[Consent, ...] = ()  # every consent row of the case, revoked ones too: for the full view only

    def sees(self, category: str) -> bool:
        return category in self.categories

    @property
    def file_released(self) -> bool:
        """Tell whether notes and documents may be shown: full access or a consent/legal basis, not a task alone."""
        return self.full or self.basis != TASK_BASIS


def _category_fields(case: Case) -> dict[str, dict[str, Any]]:
    profile = case.profile or {}
    fields: dict[str, dict[str, Any]] = {c: dict(profile.get(c, {})) for c in CATEGORIES}
    fields["stammdaten"].update(given_name=case.given_name, family_name=case.family_name,
                                birth_date=case.birth_date, nationality=case.nationality, household=case.household)
    fields["aufenthalt"]["residence_status"] = case.residence_status
    fields["sprache"]["languages"] = case.languages
    return fields


def _holds(actor: Actor, task: HumanTask) -> bool:
    """Tell whether an open task is the actor's: available to them or claimed by them (as `_has_task` asks SQL)."""
    return task.status in task_rule.OPEN_STATES and (task_rule.available_to(actor, task)
                                                     or task.claimed_by == actor.name)


def _has_task(session: Session, case: Case, actor: Actor, tasks: Sequence[HumanTask] | None,
              held: HumanTask | None) -> bool:
    """Tell whether the actor has an open task in the case, or completed one for a unit still responsible.

    `tasks` are all of the case's tasks when the caller has read them (decided from them, no statement); `held` is
    one task the caller has at hand, proof enough when it is open and the actor's.
    """
    if held is not None and held.case_ref == case.case_ref and _holds(actor, held):
        return True
    if tasks is not None:
        if any(_holds(actor, t) for t in tasks):
            return True
        done = {t.unit for t in tasks if t.status == task_rule.COMPLETED and t.completed_by == actor.name and t.unit}
    else:
        open_mine = or_(task_rule.available_clause(actor), HumanTask.claimed_by == actor.name)
        if session.scalar(select(exists().where(HumanTask.case_ref == case.case_ref,
                                                HumanTask.status.in_(task_rule.OPEN_STATES), open_mine))):
            return True
        done = {unit for unit in session.scalars(select(HumanTask.unit).where(
            HumanTask.case_ref == case.case_ref, HumanTask.status == task_rule.COMPLETED,
            HumanTask.completed_by == actor.name, HumanTask.unit.is_not(None))) if unit}
    # After a move the unit that did the work is no longer responsible: its access moves with the case.
    return bool(done & set(responsible_units(session, case.area, done & actor.units)))


def _full_access(session: Session, case: Case, actor: Actor) -> str | None:
    if actor.is_admin:
        return "administration"
    if actor.offices & FULL_ACCESS_OFFICES:
        return "case coordination"
    unit = resolve_unit(session, CASE_MANAGEMENT, case.area)
    return "case management" if unit is not None and unit in actor.units else None


def _access(session: Session, case: Case, consents: list[Consent], actor: Actor, now: dt.datetime,
            tasks: Sequence[HumanTask] | None, held: HumanTask | None) -> tuple[str, set[str]] | None:
    full = _full_access(session, case, actor)
    if full is not None:
        return full, set(CATEGORIES)
    # A row counts when it names a responsible unit of the actor, or its office for the person's area.
    units = responsible_units(session, case.area, actor.units)
    names, today = set(units) | set(units.values()), local_date(now)
    rows = [c for c in consents if c.office in names and in_force(c, today)]
    bases = [basis_label(r) for r in rows]
    if _has_task(session, case, actor, tasks, held):
        bases.append(TASK_BASIS)
    if not bases:
        return None
    return ", ".join(bases), set().union(*(released_categories(r) for r in rows))


def case_with_consents(session: Session, case_ref: str) -> tuple[Case | None, list[Consent]]:
    """Return the case row and every consent row of it (revoked ones too, by id), read in one statement."""
    rows = session.execute(select(Case, Consent).outerjoin(Consent, Consent.case_ref == Case.case_ref)
                           .where(Case.case_ref == case_ref).order_by(Consent.id)).all()
    if not rows:
        return None, []
    return rows[0][0], [consent for _case, consent in rows if consent is not None]


def visible_case(session: Session, case_ref: str, actor: Actor, now: dt.datetime | None = None, *,
                 audited: bool = True, case_tasks: Sequence[HumanTask] | None = None,
                 held_task: HumanTask | None = None) -> CaseView:
    """Return what `actor` may see of the case, or raise NotFound; reads and refusals are audited.

    A refusal's audit line survives the rollback of the caller's transaction, which the error ends.
    `audited=False` is for internal use only (e.g. the worker composing a reminder), never for screens.
    `case_tasks` (every task of the case) or `held_task` (one of them) spare the query for a task basis when the
    caller has read them anyway; the rules stay those of the query.
    """
    now = now or clock.now()
    case, consents = case_with_consents(session, case_ref)
    access = _access(session, case, consents, actor, now, case_tasks, held_task) if case is not None else None
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
                    frozenset(categories), tuple(c for c in CATEGORIES if c not in categories), full, fields,
                    tuple(consents) if full else ())


def actor_routes(session: Session, actor: Actor) -> list[Route]:
    """Return per active unit of the actor its office and the areas routing gives it (read once per list)."""
    return [(unit, office, *responsible_areas(session, office, unit))
            for unit, office in sorted(unit_offices(session, actor.units).items())]


def _conditions(session: Session, actor: Actor, now: dt.datetime, *, named: bool, seek: bool = True,
                routes: list[Route] | None = None) -> list[ColumnElement[bool]]:
    """Return one condition on kim_case per way to see a case, each answered by an index (see visible_conditions).

    `seek=False` is for checking given rows: the area becomes one expression no index answers, so the database
    keeps to the given rows instead of reading whole areas for an OR of indexed terms.
    """
    conditions: list[ColumnElement[bool]] = []
    for unit, office, areas, without_area in actor_routes(session, actor) if routes is None else routes:
        responsible = area_filter(areas, without_area)
        if office == CASE_MANAGEMENT:
            conditions += area_conditions(areas, without_area) if seek else [responsible]
        category = "stammdaten" if named else None
        conditions.append(Case.case_ref.in_(consent_rows(now, {unit, office}, category)) & responsible)
        if not named:  # after a move the unit that did the work is no longer responsible: its access moves too
            conditions.append(Case.case_ref.in_(select(HumanTask.case_ref).where(
                HumanTask.completed_by == actor.name, HumanTask.status == task_rule.COMPLETED,
                HumanTask.unit == unit)) & responsible)
    if not named:
        conditions += [Case.case_ref.in_(refs) for refs in held_case_refs(actor)]
    return conditions


def held_case_refs(actor: Actor) -> list[Select]:
    """Return the case_refs of the actor's open tasks (available to them or claimed by them), one query per way.

    The terms of task_rule.available_clause, each on its own index (unit's tasks with a case, the office's tasks
    without unit, assignee, candidate user from task_candidate, claimant); as one OR the database read every open
    task. tests/web/test_case_visibility_ways.py holds their union equal to the rule.
    """
    refs = select(HumanTask.case_ref).where(HumanTask.status.in_(task_rule.OPEN_STATES),
                                            HumanTask.case_ref.is_not(None))
    if actor.system:
        return [refs]
    people, offices = sorted(actor.personal_names), sorted(actor.offices | actor.units)
    ways = [refs.where(HumanTask.claimed_by == actor.name), refs.where(HumanTask.assignee.in_(people)),
            # Joined from the candidate rows: the planner then looks the few tasks up by id.
            refs.join(TaskCandidate, TaskCandidate.task_id == HumanTask.id).where(TaskCandidate.username.in_(people))]
    if actor.units:
        ways.append(refs.where(HumanTask.unit.in_(sorted(actor.units))))
    if offices:
        ways.append(refs.where(HumanTask.unit.is_(None), HumanTask.office.in_(offices)))
    return ways


def visible_conditions(session: Session, actor: Actor, now: dt.datetime | None = None, *, seek: bool = True,
                       routes: list[Route] | None = None) -> list[ColumnElement[bool]] | None:
    """Return the conditions on kim_case of the cases `actor` may open (any one suffices), None for every case.

    The rules are those of visible_case, split into one condition per basis and area (responsible case
    management, a consent for a responsible unit, an open task, work done for a unit still responsible). Lists
    query each as a branch of a UNION, so each seeks its index; one OR of all of them made the database read
    every case.
    """
    if actor.is_admin or actor.offices & FULL_ACCESS_OFFICES:
        return None
    return _conditions(session, actor, now or clock.now(), named=False, seek=seek, routes=routes)


def named_conditions(session: Session, actor: Actor, now: dt.datetime | None = None, *, seek: bool = True,
                     routes: list[Route] | None = None) -> list[ColumnElement[bool]] | None:
    """Return the conditions on kim_case of the cases whose person's name the actor may see, None for all."""
    if actor.is_admin or actor.offices & FULL_ACCESS_OFFICES:
        return None
    return _conditions(session, actor, now or clock.now(), named=True, seek=seek, routes=routes)


def visible_case_refs(session: Session, actor: Actor, now: dt.datetime | None = None) -> Select:
    """Return a query of the case_refs `actor` may open, checked per row: for a few given cases, not for lists."""
    return rows_within(select(Case.case_ref), visible_conditions(session, actor, now, seek=False))


def named_case_refs(session: Session, actor: Actor, now: dt.datetime | None = None, *,
                    routes: list[Route] | None = None) -> Select:
    """Return a query of the case_refs whose person's name the actor may see, checked per row (a page's names)."""
    return rows_within(select(Case.case_ref), named_conditions(session, actor, now, seek=False, routes=routes))


def rows_within(query: Select, conditions: list[ColumnElement[bool]] | None) -> Select:
    """Keep the rows meeting one of the conditions, checked row by row: for queries a narrower filter drives."""
    if conditions is None:
        return query
    return query.where(or_(*conditions) if conditions else false())
