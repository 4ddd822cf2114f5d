"""Append-only audit log; the engine writes it in the same transaction as the change it records."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy import event, func, insert, select
from sqlalchemy.orm import Session

from engine.core import clock
from engine.store.db import keep_after_rollback
from engine.store.models import AuditEvent

# Keys whose values people or scripts write freely (a message may quote task data, e.g. a family name; a business
# key may be the person's name). The log is append-only and outlives retention, so such a value is kept only when
# it is a code ("consent_revoked"); the instance row the event names holds the rest, and retention scrubs it there.
FREE_TEXT_KEYS = frozenset({"message", "error", "reason", "text", "comment", "note", "detail", "details",
                            "business_key"})
CODE = re.compile(r"[a-z0-9_.:-]{1,60}")
REFUSALS = ("access_denied", "case_access_denied")


def _without_free_text(details: dict[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for key, value in details.items():
        if key in FREE_TEXT_KEYS and not (value is None or isinstance(value, str) and CODE.fullmatch(value)):
            clean[f"{key}_omitted"] = True  # the text lives in a row retention scrubs (incident, note)
        else:
            clean[key] = value
    return clean


def record(session: Session, actor: str, action: str, *, instance_id: int | None = None,
           case_ref: str | None = None, task_id: str | None = None, legal_basis: str | None = None,
           **details: Any) -> AuditEvent:
    """Append one audit event (action, actor, time, ids, codes and basis; never free text)."""
    event = AuditEvent(at=clock.now(), actor=actor, action=action, instance_id=instance_id,
                       case_ref=case_ref, task_id=task_id, legal_basis=legal_basis,
                       details=_without_free_text(details))
    session.info.setdefault(PENDING, []).append(event)
    return event


# A page audits up to three reads and each line used to be its own INSERT (queries in between flush the session):
# the lines of a transaction are kept aside and written by one statement when it commits, or dropped with it.
PENDING = "kimflow_audit_pending"
_COLUMNS = ("at", "actor", "action", "instance_id", "case_ref", "task_id", "legal_basis", "details")
_INSERT = insert(AuditEvent.__table__)  # type: ignore[arg-type]


def _write_pending(session: Session) -> None:
    pending = session.info.pop(PENDING, None)
    if pending:  # Core, not the ORM's bulk path: nothing is read back, and it costs a fraction
        session.connection().execute(_INSERT, [{name: getattr(e, name) for name in _COLUMNS} for e in pending])


def _drop_pending(session: Session, _previous: Any = None) -> None:
    session.info.pop(PENDING, None)


event.listen(Session, "before_commit", _write_pending)
event.listen(Session, "after_rollback", _drop_pending)


def _pending(session: Session) -> list[AuditEvent]:
    return list(session.info.get(PENDING, ()))


def record_refusal(session: Session, actor: str, action: str, **ids: Any) -> None:
    """Audit a refused access; the line stays even though the refused verb's transaction rolls back."""
    def write(target: Session) -> None:
        record(target, actor, action, **ids)

    keep_after_rollback(session, write)


def events(session: Session, *, instance_id: int | None = None, case_ref: str | None = None,
           actor: str | None = None, limit: int = 500) -> list[AuditEvent]:
    """Return audit events, newest first, filtered by instance, case or actor."""
    query = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)
    if instance_id is not None:
        query = query.where(AuditEvent.instance_id == instance_id)
    if case_ref is not None:
        query = query.where(AuditEvent.case_ref == case_ref)
    if actor is not None:
        query = query.where(AuditEvent.actor == actor)
    wanted = {"instance_id": instance_id, "case_ref": case_ref, "actor": actor}
    unwritten = [e for e in reversed(_pending(session))  # this transaction's lines, not yet written
                 if all(value is None or getattr(e, key) == value for key, value in wanted.items())]
    return (unwritten + list(session.scalars(query)))[:limit]


def refusal_bursts(session: Session, *, within: dt.timedelta = dt.timedelta(minutes=10),
                   threshold: int = 20) -> list[tuple[str, int, dt.datetime]]:
    """Return (actor, refusals, last) for users refused at least `threshold` times within the last `within`."""
    since = clock.now() - within
    rows = session.execute(select(AuditEvent.actor, func.count(), func.max(AuditEvent.at))
                           .where(AuditEvent.action.in_(REFUSALS), AuditEvent.at >= since)
                           .group_by(AuditEvent.actor).having(func.count() >= threshold)
                           .order_by(func.count().desc()))
    return [(actor, count, last) for actor, count, last in rows]


def case_accesses(session: Session, case_ref: str, limit: int = 10_000) -> list[AuditEvent]:
    """Return who read or changed what of a case and when, oldest first (access log for the data subject)."""
    return list(session.scalars(select(AuditEvent).where(AuditEvent.case_ref == case_ref)
                                .order_by(AuditEvent.at, AuditEvent.id).limit(limit)))
