"""Which of an actor's units is responsible for a case (routing: office x the person's area), and which rows cover it.

A consent names the receiving unit, or an office that is resolved through routing for the person's area; never
"every unit of this office". Both forms are read here, in Python for one case and in SQL for case lists.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from sqlalchemy import ColumnElement, Select, String, cast, false, func, or_, select
from sqlalchemy.orm import Session

from engine.core.localtime import local_date
from engine.identity import org
from engine.identity.models import DISTRICT_WIDE
from workflows.cases.consent import valid_consents
from workflows.cases.models import Case, Consent
from workflows.catalogue import MUNICIPALITIES


def unit_offices(session: Session, unit_codes: Collection[str]) -> dict[str, str]:
    """Return the office of each active unit among `unit_codes` (from the cached organisation)."""
    return org.active_unit_offices(session, unit_codes)


def responsible_units(session: Session, area: str | None, unit_codes: Collection[str]) -> dict[str, str]:
    """Return those of `unit_codes` the routing table makes responsible for `area`, with their office."""
    offices = unit_offices(session, unit_codes)
    if not offices:
        return {}
    return {code: office for code, office in offices.items() if org.resolve_unit(session, office, area) == code}


def covering_consents(session: Session, case: Case, unit_codes: Collection[str], now: dt.datetime) -> list[Consent]:
    """Return the valid rows that name a responsible unit of the actor, or its office for the person's area."""
    units = responsible_units(session, case.area, unit_codes)
    if not units:
        return []
    return valid_consents(session, case.case_ref, set(units) | set(units.values()), now)


def responsible_areas(session: Session, office: str, unit: str) -> tuple[list[str], bool]:
    """Return the areas the routing table gives `unit` for `office`, and whether it also takes cases without area.

    The routing table is small: reading it first lets case lists seek the (area, status) index per area instead of
    testing a routing subquery on every case. A district-wide unit takes every catalogue municipality (and every
    area the table names) that no other unit has; intake offers only those, so no case has another area.
    """
    rows = [(row_area, code) for row_office, row_area, code in org.responsibility_rows(session) if row_office == office]
    areas = {area for area, code in rows if code == unit and area != DISTRICT_WIDE}
    district = any(area == DISTRICT_WIDE and code == unit for area, code in rows)
    if district:
        taken = {area for area, _code in rows if area != DISTRICT_WIDE}
        areas |= (set(MUNICIPALITIES) | taken) - taken
    return sorted(areas), district


def area_conditions(areas: list[str], without_area: bool) -> list[ColumnElement[bool]]:
    """Return one condition per area (each an index range on kim_case in area, status, id order)."""
    return [Case.area == area for area in areas] + ([Case.area.is_(None)] if without_area else [])


def area_filter(areas: list[str], without_area: bool) -> ColumnElement[bool]:
    """Return the same areas as one condition the planner checks per row instead of seeking by it.

    Used beside a narrower condition (a consent, a task): an expression on the column keeps the database from
    walking the whole area through its index when the consent or task rows are few.
    """
    keys = [*areas, *([""] if without_area else [])]
    return func.coalesce(Case.area, "").in_(keys) if keys else false()


def consent_rows(now: dt.datetime, names: Collection[str], category: str | None = None) -> Select:
    """Return the case_refs with a valid row naming one of `names` (units or offices), releasing `category`."""
    today = local_date(now)
    query = select(Consent.case_ref).where(
        Consent.office.in_(sorted(names)), Consent.revoked_at.is_(None), Consent.valid_from <= today,
        or_(Consent.valid_until.is_(None), Consent.valid_until >= today))
    if category is not None:  # the JSON list as text: portable between SQLite and PostgreSQL
        query = query.where(cast(Consent.data_categories, String).like(f'%"{category}"%'))
    return query
