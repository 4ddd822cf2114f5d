"""The organisation as every page reads it: units, routing, people and deputies, cached per process.

Small (a district has dozens of units and hundreds of staff) and read on almost every request; it changes only
through administration, so it is served from `engine.store.reference` and costs no statement while it is current.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from engine.identity.models import DISTRICT_WIDE, Deputy, Membership, Responsibility, Unit, User
from engine.store import reference


@dataclass(frozen=True)
class UnitInfo:
    code: str
    name: str
    office: str
    active: bool


@dataclass(frozen=True)
class DeputyInfo:
    absent: str
    stand_in: str
    valid_from: dt.date
    valid_until: dt.date | None

    def valid_on(self, today: dt.date) -> bool:
        return self.valid_from <= today and (self.valid_until is None or self.valid_until >= today)


@dataclass(frozen=True)
class Organisation:
    units: dict[str, UnitInfo] = field(default_factory=dict)
    routing: dict[tuple[str, str], str] = field(default_factory=dict)  # (office, area) -> unit code
    names: dict[str, str] = field(default_factory=dict)  # username -> display name as stored (may be empty)
    active: frozenset[str] = frozenset()  # usernames of active accounts
    members: dict[str, tuple[str, ...]] = field(default_factory=dict)  # unit code -> usernames
    deputies: tuple[DeputyInfo, ...] = ()


def _load(session: Session) -> Organisation:
    units = {code: UnitInfo(code, name, office, bool(active)) for code, name, office, active in session.execute(
        select(Unit.code, Unit.name, Unit.office, Unit.active))}
    routing = {(office, area): code for office, area, code in session.execute(
        select(Responsibility.office, Responsibility.area, Responsibility.unit_code))}
    users = session.execute(select(User.id, User.username, User.display_name, User.active)).all()
    by_id = {user_id: username for user_id, username, _n, _a in users}
    members: dict[str, list[str]] = {}
    for user_id, unit_code in session.execute(select(Membership.user_id, Membership.unit_code)):
        members.setdefault(unit_code, []).append(by_id[user_id])
    absent, stand_in = aliased(User), aliased(User)
    deputies = tuple(DeputyInfo(*row) for row in session.execute(
        select(absent.username, stand_in.username, Deputy.valid_from, Deputy.valid_until)
        .join(absent, absent.id == Deputy.user_id).join(stand_in, stand_in.id == Deputy.deputy_id)))
    return Organisation(units=units, routing=routing,
                        names={username: name for _i, username, name, _a in users},
                        active=frozenset(username for _i, username, _n, active in users if active),
                        members={unit: tuple(sorted(names)) for unit, names in members.items()},
                        deputies=deputies)


def organisation(session: Session) -> Organisation:
    """Return the current organisation (no statement while this process's copy is current)."""
    return reference.cached(session, "organisation", _load)


def resolve_unit(session: Session, office: str, area: str | None) -> str | None:
    """Return the unit responsible for `office` in `area`: the exact area first, then the district default."""
    routing = organisation(session).routing
    for candidate in (area, DISTRICT_WIDE):
        if candidate and (office, candidate) in routing:
            return routing[office, candidate]
    return None


def unit_names(session: Session) -> dict[str, str]:
    """Return every unit's display name by code."""
    return {code: unit.name for code, unit in organisation(session).units.items()}


def active_unit_offices(session: Session, unit_codes: Collection[str]) -> dict[str, str]:
    """Return the office of each active unit among `unit_codes`."""
    units = organisation(session).units
    return {code: units[code].office for code in unit_codes if code in units and units[code].active}


def responsibility_rows(session: Session) -> tuple[tuple[str, str, str], ...]:
    """Return the routing table as (office, area, unit code), ordered by office and area."""
    return tuple(sorted((office, area, code) for (office, area), code in organisation(session).routing.items()))


def display_names(session: Session) -> dict[str, str]:
    """Return every account's display name by username, as stored (deactivated ones too: they appear in histories).

    An empty name stays empty: each page decides what to show instead ("System" in a timeline, else the account)."""
    return organisation(session).names
