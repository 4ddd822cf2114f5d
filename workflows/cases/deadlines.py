"""Deadlines that end with the work they were set for: closed with their task, or by hand with a reason."""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from engine.core import clock
from engine.core.errors import KimflowError, NotFound
from engine.service.registry import InstanceContext
from engine.service.task_rule import OPEN_STATES
from engine.store import audit
from engine.store.models import HumanTask
from workflows.cases.models import Deadline
from workflows.register import registered

# Deadlines for work (measures, an appointment, a review) end with that work; document expiries and legal
# periods run on whatever happens and stay until someone closes them.
WORK_KINDS = ("measure_due", "appointment", "review")
SYSTEM = "system"


def close_with_task(event: str, context: InstanceContext, payload: dict[str, Any]) -> None:
    """Close the instance's work deadlines once the last task started after them is done."""
    if not context.case_ref:
        return  # the register holds deadlines of cases only
    task = payload["task"]
    session = context.session
    rows = [row for row in registered(session, context.case_ref, context.instance_id)
            if row.done_at is None and row.kind in WORK_KINDS and row.created_at <= task.created_at]
    for row in rows:
        # The tasks its step started are the ones created since; the deadline ends with the last of them.
        still_open = session.scalar(select(exists().where(
            HumanTask.instance_id == context.instance_id, HumanTask.status.in_(OPEN_STATES),
            HumanTask.id != task.id, HumanTask.created_at >= row.created_at)))
        if still_open:
            continue
        row.done_at, row.done_by = clock.now(), SYSTEM
        audit.record(session, SYSTEM, "deadline_closed_with_task", case_ref=row.case_ref,
                     instance_id=context.instance_id, task_id=task.id, deadline=row.id, kind=row.kind)


class ReasonMissing(KimflowError):
    """A deadline closed by hand needs a reason."""

    def __init__(self) -> None:
        super().__init__("Bitte einen Grund angeben, warum die Frist geschlossen wird.")


def close_by_hand(session: Session, case_ref: str, deadline_id: int, reason: str, *, actor: str) -> Deadline:
    """Close an open deadline of the case with the reason given; the audit line names no reason text."""
    reason = " ".join(reason.split())[:300]
    # Compared in Python: an id beyond the column's range (typed into the URL) is simply not found.
    deadline = next((d for d in session.scalars(select(Deadline).where(Deadline.case_ref == case_ref))
                     if d.id == deadline_id), None)
    if deadline is None:
        raise NotFound(f"Frist {deadline_id} gibt es nicht")
    if not reason:
        raise ReasonMissing()
    if deadline.done_at is None:
        deadline.done_at, deadline.done_by, deadline.done_reason = clock.now(), actor, reason
        audit.record(session, actor, "deadline_closed_by_hand", case_ref=case_ref, deadline=deadline_id,
                     kind=deadline.kind)
    return deadline
