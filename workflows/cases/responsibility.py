"""Which of an actor's units is responsible for a case (routing: office x the person's area), and which rows cover it.

A consent names the receiving unit, or an office that is resolved through routing for the person's area; never
"every unit of this office". Both forms are read here, in Python for one case and in SQL for case lists.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from sqlalchemy import ColumnElement, Select, String, cast, exists, false, or_, select
from sqlalchemy.orm import Session

from engine.core.localtime import local_date
from engine.identity.models import DISTRICT_WIDE, Responsibility, Unit
from workflows.cases.consent import valid_consents
from workflows.cases.models import Case, Consent


def unit_offices(session: Session, unit_codes: Collection[str]) -> dict[str, str]:
    """Return the office of each active unit among `unit_codes`."""
    if not unit_codes:
        return {}
    rows = session.execute(select(Unit.code, Unit.office).where(
        Unit.code.in_(sorted(unit_codes)), Unit.active.is_(True)))
    return {code: office for code, office in rows}


def responsible_units(session: Session, area: str | None, unit_codes: Collection[str]) -> dict[str, str]:
    """Return those of `unit_codes` the routing table makes responsible for `area`, with their office."""
    offices = unit_offices(session, unit_codes)
    if not offices:
        return {}
    areas = [a for a in (area, DISTRICT_WIDE) if a]
    rows = session.execute(select(Responsibility.office, Responsibility.area, Responsibility.unit_code).where(
        Responsibility.office.in_(sorted(set(offices.values()))), Responsibility.area.in_(areas))).all()
    chosen: dict[str, str] = {}
    for candidate in reversed(areas):  # the exact area overrides the district default
        chosen.update({office: unit for office, row_area, unit in rows if row_area == candidate})
    return {code: office for code, office in offices.items() if chosen.get(office) == code}


def covering_consents(session: Session, case: Case, unit_codes: Collection[str], now: dt.datetime) -> list[Consent]:
    """Return the valid rows that name a responsible unit of the actor, or its office for the person's area."""
    units = responsible_units(session, case.area, unit_codes)
    if not units:
        return []
    return valid_consents(session, case.case_ref, set(units) | set(units.values()), now)


def responsible_clause(office: str, unit: str) -> ColumnElement[bool]:
    """Return the SQL condition "`unit` is responsible for `office` in the case's area" over kim_case."""
    exact = select(Responsibility.area).where(Responsibility.office == office, Responsibility.unit_code == unit)
    taken = select(Responsibility.area).where(Responsibility.office == office, Responsibility.area != DISTRICT_WIDE)
    default = exists().where(Responsibility.office == office, Responsibility.area == DISTRICT_WIDE,
                             Responsibility.unit_code == unit)
    return or_(Case.area.in_(exact), default & or_(Case.area.is_(None), Case.area.not_in(taken)))


def consent_rows(now: dt.datetime, names: Collection[str], category: str | None = None) -> Select:
    """Return the case_refs with a valid row naming one of `names` (units or offices), releasing `category`."""
    today = local_date(now)
    query = select(Consent.case_ref).where(
        Consent.office.in_(sorted(names)), Consent.revoked_at.is_(None), Consent.valid_from <= today,
        or_(Consent.valid_until.is_(None), Consent.valid_until >= today))
    if category is not None:  # the JSON list as text: portable between SQLite and PostgreSQL
        query = query.where(cast(Consent.data_categories, String).like(f'%"{category}"%'))
    return query


def consented_clause(units: dict[str, str], now: dt.datetime, category: str | None = None) -> ColumnElement[bool]:
    """Return the SQL condition "a valid row covers one of these units, which is responsible for the case"."""
    clauses = [responsible_clause(office, unit) & Case.case_ref.in_(consent_rows(now, {unit, office}, category))
               for unit, office in sorted(units.items())]
    return or_(*clauses) if clauses else false()
