"""Which processes an actor may start by hand, with their start forms (the start page's read model)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.bpmn.forms import Form
from engine.core.actors import Actor
from engine.core.errors import NotFound
from engine.service.starting import may_start, start_facts
from engine.store.models import DefinitionVersion


@dataclass(frozen=True)
class Startable:
    """A process the actor may start from a start page: its latest version and start form."""

    process_id: str
    name: str
    version: int
    form: Form | None
    restricted: bool  # it names its starters; otherwise whoever may start processes may start it


def _latest_versions(session: Session) -> list[DefinitionVersion]:
    newest = (select(func.max(DefinitionVersion.id)).where(DefinitionVersion.kind == "process")
              .group_by(DefinitionVersion.process_id))
    return list(session.scalars(select(DefinitionVersion).where(DefinitionVersion.id.in_(newest))
                                .order_by(DefinitionVersion.name, DefinitionVersion.process_id)))


def _startable(row: DefinitionVersion, actor: Actor) -> Startable | None:
    facts = start_facts(row)
    if facts.start_event is None or not facts.listed or not may_start(actor, facts):
        return None
    return Startable(row.process_id, row.name, row.version, facts.form, facts.restricted)


def startable(session: Session, actor: Actor, *, unrestricted: bool = True) -> list[Startable]:
    """Return the processes `actor` may start by hand (a none start event, offered on start pages).

    `unrestricted=False` leaves out processes that name no starters (for callers whose role may not start them).
    """
    found = [_startable(row, actor) for row in _latest_versions(session)]
    return [item for item in found if item is not None and (unrestricted or item.restricted)]


def _latest(session: Session, process_id: str) -> DefinitionVersion | None:
    return session.scalars(select(DefinitionVersion).where(
        DefinitionVersion.process_id == process_id, DefinitionVersion.kind == "process")
        .order_by(DefinitionVersion.version.desc()).limit(1)).first()


def startable_process(session: Session, actor: Actor, process_id: str, *, unrestricted: bool = True) -> Startable:
    """Return one process the actor may start by hand, or raise NotFound (as if it did not exist)."""
    row = _latest(session, process_id)
    item = _startable(row, actor) if row is not None else None
    if item is None or not (unrestricted or item.restricted):
        raise NotFound(f"Prozess {process_id!r} gibt es nicht")
    return item


def start_form(session: Session, actor: Actor, process_id: str) -> Startable:
    """Return the start form of the latest version for an actor who may start it (also a process offered only
    through its own entrance), or raise NotFound."""
    row = _latest(session, process_id)
    facts = start_facts(row) if row is not None else None
    if row is None or facts is None or not may_start(actor, facts):
        raise NotFound(f"Prozess {process_id!r} gibt es nicht")
    return Startable(row.process_id, row.name, row.version, facts.form, facts.restricted)
