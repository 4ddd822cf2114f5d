"""Whom a task can be handed to, read in one statement: colleagues, their deputies today, sibling units."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, Select, literal, or_, select, union_all
from sqlalchemy.orm import aliased

from engine.core.actors import Actor
from engine.identity.models import Deputy, Membership, Unit, User
from engine.store.models import HumanTask


@dataclass
class HandoverChoices:
    """(username or unit code, display name) pairs, each list sorted by name."""

    colleagues: list[tuple[str, str]] = field(default_factory=list)
    deputies: list[tuple[str, str]] = field(default_factory=list)
    units: list[tuple[str, str]] = field(default_factory=list)


def _members(units: list[str]) -> ColumnElement[bool]:
    return User.id.in_(select(Membership.user_id).where(Membership.unit_code.in_(units)))


def _colleagues(units: list[str]) -> Select:
    return select(literal("colleague").label("kind"), User.username.label("key"), User.display_name.label("name")) \
        .where(_members(units), User.active.is_(True))


def _deputies(units: list[str], actor: str, today: dt.date) -> Select:
    absent, stand_in = aliased(User), aliased(User)
    covered = or_(absent.username == actor, absent.id.in_(select(Membership.user_id).where(
        Membership.unit_code.in_(units))))
    return (select(literal("deputy").label("kind"), stand_in.username.label("key"),
                   stand_in.display_name.label("name"))
            .join(Deputy, Deputy.deputy_id == stand_in.id).join(absent, absent.id == Deputy.user_id)
            .where(covered, absent.active.is_(True), stand_in.active.is_(True), Deputy.valid_from <= today,
                   or_(Deputy.valid_until.is_(None), Deputy.valid_until >= today)))


def _sibling_units(task: HumanTask) -> Select:
    query = select(literal("unit").label("kind"), Unit.code.label("key"), Unit.name.label("name")) \
        .where(Unit.office == task.office, Unit.active.is_(True))
    return query.where(Unit.code != task.unit) if task.unit else query


def handover_choices(session, task: HumanTask, actor: Actor, today: dt.date) -> HandoverChoices:
    """Return colleagues of the task's unit (else the actor's units), their and the actor's deputies, other units.

    A deputy already listed as a colleague, or the actor, is not listed again; units come only for a task of an
    office. One statement whatever the number of colleagues.
    """
    units = sorted({task.unit} if task.unit else actor.units)
    parts = [_colleagues(units), _deputies(units, actor.name, today)]
    if task.office:
        parts.append(_sibling_units(task))
    rows = session.execute(union_all(*parts)).all()
    choices = HandoverChoices()
    colleague_names = {key for kind, key, _name in rows if kind == "colleague"}
    seen: set[str] = set()
    for kind, key, name in sorted(rows, key=lambda row: (row[2], row[1])):
        if kind == "colleague" and key != actor.name:
            choices.colleagues.append((key, name))
        elif kind == "deputy" and key not in colleague_names | seen | {actor.name}:
            seen.add(key)
            choices.deputies.append((key, name))
        elif kind == "unit":
            choices.units.append((key, name))
    return choices
