"""Organisation: units, routing data, memberships, deputies and the actor a user acts as."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, Date, Select, String, bindparam, delete, or_, outerjoin, select
from sqlalchemy.orm import Session, aliased

from engine.core import clock
from engine.core.actors import Actor
from engine.core.errors import KimflowError, NotFound
from engine.core.localtime import local_date
from engine.identity.accounts import (
    AccountError,
    AuthResult,
    AuthStatus,
    authenticate,
    create_user,
    end_sessions,
    list_users,
    session_is_current,
    set_password,
    update_user,
    user_by_name,
)
from engine.identity.models import Deputy, Membership, Responsibility, Unit, User
from engine.identity.org_reference import (
    active_unit_offices,
    display_names,
    organisation,
    resolve_unit,
    responsibility_rows,
    unit_names,
)
from engine.identity.throttle import unlock as unlock_sign_in
from engine.store import audit, reference

# Accounts live in engine.identity.accounts; they are re-exported so callers need one organisation module.
__all__ = ["AccountError", "active_unit_offices", "display_names", "organisation", "responsibility_rows",
           "AuthResult", "AuthStatus", "OrgError", "account", "actor_for", "add_membership",
           "unlock_sign_in", "authenticate", "create_user", "deputies", "end_sessions", "deputised_users",
           "list_responsibilities",
           "list_units", "list_users", "local_date", "memberships", "remove_deputy", "remove_membership",
           "remove_responsibility", "resolve_unit", "save_unit", "session_is_current", "set_deputy",
           "set_password", "set_responsibility", "unit_names", "update_user", "user_by_name"]


class OrgError(KimflowError):
    """An administrative change to the organisation was refused (message in German)."""


# -- units and responsibilities ------------------------------------------------------------------
def save_unit(session: Session, code: str, name: str, office: str, *, actor: str,
              active: bool = True) -> Unit:
    """Create a unit or update its name, office and active flag."""
    unit = session.get(Unit, code)
    if unit is None:
        unit = Unit(code=code, name=name, office=office, active=active)
        session.add(unit)
        action = "unit_created"
    else:
        unit.name, unit.office, unit.active = name, office, active
        action = "unit_changed"
    audit.record(session, actor, action, unit=code, name=name, office=office, active=active)
    session.flush()
    return unit


def list_units(session: Session, *, office: str | None = None, active_only: bool = False) -> list[Unit]:
    """Return units ordered by office and name."""
    query = select(Unit).order_by(Unit.office, Unit.name)
    if office is not None:
        query = query.where(Unit.office == office)
    if active_only:
        query = query.where(Unit.active.is_(True))
    return list(session.scalars(query))


def set_responsibility(session: Session, office: str, area: str, unit_code: str, *,
                       actor: str) -> Responsibility:
    """Make `unit_code` responsible for `office` in `area` ("*" for the district-wide default)."""
    unit = session.get(Unit, unit_code)
    if unit is None:
        raise OrgError(f"Die Stelle {unit_code!r} gibt es nicht")
    if unit.office != office:
        raise OrgError(f"Die Stelle {unit.name} gehört nicht zum Amt {office!r}")
    row = session.scalar(select(Responsibility).where(Responsibility.office == office,
                                                      Responsibility.area == area))
    old = row.unit_code if row else None
    if row is None:
        row = Responsibility(office=office, area=area, unit_code=unit_code)
        session.add(row)
    row.unit_code = unit_code
    audit.record(session, actor, "responsibility_set", office=office, area=area, unit=unit_code, old=old)
    session.flush()
    return row


def remove_responsibility(session: Session, office: str, area: str, *, actor: str) -> bool:
    """Remove the routing row for `office` in `area`; return whether there was one."""
    removed = cast(CursorResult[Any], session.execute(delete(Responsibility).where(
        Responsibility.office == office, Responsibility.area == area))).rowcount
    if removed:
        audit.record(session, actor, "responsibility_removed", office=office, area=area)
    return bool(removed)


def list_responsibilities(session: Session, *, office: str | None = None) -> list[Responsibility]:
    """Return the routing table ordered by office and area."""
    query = select(Responsibility).order_by(Responsibility.office, Responsibility.area)
    if office is not None:
        query = query.where(Responsibility.office == office)
    return list(session.scalars(query))


# -- memberships and deputies --------------------------------------------------------------------
def add_membership(session: Session, username: str, unit_code: str, *, actor: str) -> None:
    """Let a user work in a unit (no-op when already a member)."""
    user = user_by_name(session, username)
    if session.get(Unit, unit_code) is None:
        raise OrgError(f"Die Stelle {unit_code!r} gibt es nicht")
    exists = session.scalar(select(Membership).where(Membership.user_id == user.id,
                                                     Membership.unit_code == unit_code))
    if exists is None:
        session.add(Membership(user_id=user.id, unit_code=unit_code))
        audit.record(session, actor, "membership_added", user=username, unit=unit_code)
        session.flush()


def remove_membership(session: Session, username: str, unit_code: str, *, actor: str) -> bool:
    """Take a user out of a unit; return whether they were a member."""
    user = user_by_name(session, username)
    removed = cast(CursorResult[Any], session.execute(delete(Membership).where(
        Membership.user_id == user.id, Membership.unit_code == unit_code))).rowcount
    if removed:
        audit.record(session, actor, "membership_removed", user=username, unit=unit_code)
    return bool(removed)


def memberships(session: Session, username: str) -> list[str]:
    """Return the unit codes a user belongs to (not counting deputyships)."""
    user = user_by_name(session, username)
    return sorted(session.scalars(select(Membership.unit_code).where(Membership.user_id == user.id)))


def set_team_lead(session: Session, username: str, unit_code: str, team_lead: bool = True, *, actor: str) -> None:
    """Mark (or unmark) a member as team lead of a unit: escalations of the unit name them as candidates."""
    user = user_by_name(session, username)
    row = session.scalar(select(Membership).where(Membership.user_id == user.id, Membership.unit_code == unit_code))
    if row is None:
        raise OrgError(f"{username} arbeitet nicht in der Stelle {unit_code!r}; nur Mitglieder können Teamleitung sein")
    if row.team_lead != team_lead:
        row.team_lead = team_lead
        audit.record(session, actor, "team_lead_set" if team_lead else "team_lead_removed", user=username,
                     unit=unit_code)
        session.flush()


def team_leads(session: Session, unit_code: str) -> list[str]:
    """Return the usernames of the active team leads of a unit, sorted."""
    query = (select(User.username).join(Membership, Membership.user_id == User.id)
             .where(Membership.unit_code == unit_code, Membership.team_lead.is_(True), User.active.is_(True)))
    return sorted(session.scalars(query))


def set_deputy(session: Session, username: str, deputy: str, valid_from: dt.date, valid_until: dt.date | None,
               *, actor: str) -> Deputy:
    """Let `deputy` work the units of `username` from `valid_from` to `valid_until` (inclusive)."""
    absent, stand_in = user_by_name(session, username), user_by_name(session, deputy)
    if absent.id == stand_in.id:
        raise OrgError("Niemand kann sich selbst vertreten")
    if valid_until is not None and valid_until < valid_from:
        raise OrgError("Das Ende der Vertretung liegt vor ihrem Beginn")
    row = Deputy(user_id=absent.id, deputy_id=stand_in.id, valid_from=valid_from, valid_until=valid_until)
    session.add(row)
    audit.record(session, actor, "deputy_set", user=username, deputy=deputy,
                 valid_from=valid_from.isoformat(),
                 valid_until=valid_until.isoformat() if valid_until else None)
    session.flush()
    return row


def remove_deputy(session: Session, deputy_id: int, *, actor: str) -> None:
    """End a deputyship by deleting it."""
    row = session.get(Deputy, deputy_id)
    if row is None:
        raise NotFound(f"Vertretung {deputy_id} gibt es nicht")
    session.delete(row)
    audit.record(session, actor, "deputy_removed", deputy_row=deputy_id)


def deputies(session: Session, username: str) -> list[Deputy]:
    """Return the deputyships where `username` is the absent person, newest first."""
    user = user_by_name(session, username)
    query = select(Deputy).where(Deputy.user_id == user.id).order_by(Deputy.valid_from.desc())
    return list(session.scalars(query))


def _valid_on(today: dt.date) -> ColumnElement[bool]:
    return (Deputy.valid_from <= today) & or_(Deputy.valid_until.is_(None), Deputy.valid_until >= today)


def deputised_users(session: Session, username: str, now: dt.datetime) -> list[str]:
    """Return the usernames `username` stands in for at `now`."""
    stand_in, absent = aliased(User), aliased(User)
    query = (select(absent.username).join(Deputy, Deputy.user_id == absent.id)
             .join(stand_in, stand_in.id == Deputy.deputy_id)
             .where(stand_in.username == username, _valid_on(local_date(now)), absent.active.is_(True)))
    return sorted(set(session.scalars(query)))


@functools.cache
def _account_statement() -> Select[User, str, str, str, int]:
    """Built once: constructing this join on every request cost more than running it."""
    username, today = bindparam("username", type_=String), bindparam("today", type_=Date)
    stand_in, person = aliased(User), aliased(User)
    absent_ids = (select(Deputy.user_id).join(stand_in, stand_in.id == Deputy.deputy_id)
                  .where(stand_in.username == username, Deputy.valid_from <= today,
                         or_(Deputy.valid_until.is_(None), Deputy.valid_until >= today)))
    people = (person.id == User.id) | (person.id.in_(absent_ids) & person.active.is_(True))
    joined = (outerjoin(User, person, people).outerjoin(Membership, Membership.user_id == person.id)
              .outerjoin(Unit, (Unit.code == Membership.unit_code) & Unit.active.is_(True)))
    return (select(User, person.username, Unit.code, Unit.office, reference.revision_column())
            .select_from(joined).where(User.username == username))


def account(session: Session, username: str, now: dt.datetime | None = None) -> tuple[User, Actor]:
    """Return an active user and the actor they act as, read in one statement (every request loads it).

    One row per unit of the user and of each colleague they deputise today: the user row, whose units the row
    names (the user's or an absent colleague's username) and the unit's code and office (NULL without one).
    """
    rows = session.execute(_account_statement(), {"username": username,
                                                  "today": local_date(now or clock.now())}).all()
    if not rows:
        raise NotFound(f"Benutzer {username!r} gibt es nicht")
    user = rows[0][0]
    reference.note_revision(session, rows[0][4])  # the request then reads no revision of its own
    if not user.active:
        raise NotFound(f"Benutzer {username!r} ist deaktiviert")
    units = {(code, office) for _u, _p, code, office, _r in rows if code is not None}
    absent = frozenset(name for _u, name, _c, _o, _r in rows if name is not None and name != user.username)
    return user, Actor(name=user.username, units=frozenset(code for code, _o in units),
                       offices=frozenset(office for _c, office in units), roles=frozenset({user.role}),
                       stands_in_for=absent)


def actor_for(session: Session, username: str, now: dt.datetime | None = None) -> Actor:
    """Return the actor a user acts as: own and deputised units, their offices and the user's role."""
    return account(session, username, now)[1]
