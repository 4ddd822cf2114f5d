"""What starting an instance needs to know, however it is started, and who may start a process by hand."""

from __future__ import annotations

import dataclasses
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from engine.bpmn.dialect import ProcessStart, process_start
from engine.core.actors import Actor
from engine.core.errors import FormErrors, PermissionDenied
from engine.store import audit
from engine.store.models import DefinitionVersion

CACHE_SIZE = 512
_lock = threading.Lock()
_facts: OrderedDict[tuple[str, str], ProcessStart] = OrderedDict()


@dataclass(frozen=True)
class StartRequest:
    """A request to start one instance of a process."""

    process_id: str
    data: dict[str, Any] = field(default_factory=dict)
    business_key: str | None = None
    case_ref: str | None = None
    version: int | None = None
    parent_id: int | None = None
    start_message: tuple | None = None  # (name, payload, correlation) for a message start event
    timer_start: bool = False  # the start job already waited for the timer start event


def start_facts(row: DefinitionVersion) -> ProcessStart:
    """Return the starters and start form of a deployed version (read from its sources once)."""
    key = (row.checksum, row.process_id)  # content-addressed: ids restart in a fresh database
    with _lock:
        cached = _facts.get(key)
        if cached is not None:
            _facts.move_to_end(key)
            return cached
    facts = process_start(row.files, row.process_id)
    with _lock:
        _facts[key] = facts
        while len(_facts) > CACHE_SIZE:
            _facts.popitem(last=False)
    return facts


def may_start(actor: Actor, facts: ProcessStart) -> bool:
    """Tell whether `actor` may start a process: a named starter (group as for tasks, or user), or any
    actor when the process names no starters (the caller's role decides then); administrators always."""
    if actor.is_admin or not facts.restricted:
        return True
    if actor.personal_names & set(facts.starter_users):
        return True
    groups = actor.offices | actor.units
    return any(group in groups for group in facts.starter_groups)


def admit(session: Session, row: DefinitionVersion, request: StartRequest, actor: Actor) -> StartRequest:
    """Refuse (audited) a start the actor may not make; check the data against the start form."""
    facts = start_facts(row)
    if not may_start(actor, facts):
        audit.record_refusal(session, actor.name, "access_denied", case_ref=request.case_ref,
                             process_id=row.process_id, reason="not_a_starter")
        raise PermissionDenied(f"Sie dürfen den Prozess »{row.name}« nicht starten")
    if facts.form is None:
        return request
    clean, errors = facts.form.validate(request.data)
    if errors:
        raise FormErrors(errors)
    return dataclasses.replace(request, data=clean)
