"""Append-only audit log; the engine writes it in the same transaction as the change it records."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.core import clock
from engine.store.db import keep_after_rollback
from engine.store.models import AuditEvent


def record(session: Session, actor: str, action: str, *, instance_id: int | None = None,
           case_ref: str | None = None, task_id: str | None = None, legal_basis: str | None = None,
           **details: Any) -> AuditEvent:
    """Append one audit event to the session's transaction."""
    event = AuditEvent(at=clock.now(), actor=actor, action=action, instance_id=instance_id,
                       case_ref=case_ref, task_id=task_id, legal_basis=legal_basis, details=details)
    session.add(event)
    return event


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
    return list(session.scalars(query))
