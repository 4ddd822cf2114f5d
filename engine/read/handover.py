"""Whom a task can be handed to: colleagues, their deputies today, sibling units (from the cached organisation)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from engine.core.actors import Actor
from engine.identity.org_reference import organisation
from engine.store.models import HumanTask


@dataclass
class HandoverChoices:
    """(username or unit code, display name) pairs, each list sorted by name."""

    colleagues: list[tuple[str, str]] = field(default_factory=list)
    deputies: list[tuple[str, str]] = field(default_factory=list)
    units: list[tuple[str, str]] = field(default_factory=list)


def _by_name(pairs: set[tuple[str, str]]) -> list[tuple[str, str]]:
    return sorted(pairs, key=lambda pair: (pair[1], pair[0]))


def handover_choices(session: Session, task: HumanTask, actor: Actor, today: dt.date) -> HandoverChoices:
    """Return colleagues of the task's unit (else the actor's units), their and the actor's deputies, other units.

    A deputy already listed as a colleague, or the actor, is not listed again; units come only for a task of an
    office. Deactivated accounts and units are never offered.
    """
    org = organisation(session)
    units = {task.unit} if task.unit else set(actor.units)
    members = {name for unit in units for name in org.members.get(unit, ()) if name in org.active}
    covered = members | {actor.name}
    stand_ins = {deputy.stand_in for deputy in org.deputies
                 if deputy.absent in covered and deputy.absent in org.active and deputy.stand_in in org.active
                 and deputy.valid_on(today)}
    choices = HandoverChoices(
        colleagues=_by_name({(name, org.names[name]) for name in members - {actor.name}}),
        deputies=_by_name({(name, org.names[name]) for name in stand_ins - members - {actor.name}}))
    if task.office:
        choices.units = _by_name({(unit.code, unit.name) for unit in org.units.values()
                                  if unit.office == task.office and unit.active and unit.code != task.unit})
    return choices
