"""The case timeline as the user may read it: all of it for case management, else their own processes."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from engine import Actor, HumanTask
from workflows.cases.timeline import TimelineEntry, case_timeline


def entries(session: Session, case_ref: str, actor: Actor, *, full: bool) -> list[TimelineEntry]:
    """Return timeline entries, newest first; offices without full access see only their processes."""
    lines = case_timeline(session, case_ref)
    if not full:
        mine = set(session.scalars(select(HumanTask.instance_id).where(
            HumanTask.case_ref == case_ref,
            or_(HumanTask.unit.in_(sorted(actor.units)), HumanTask.claimed_by == actor.name,
                HumanTask.completed_by == actor.name,
                HumanTask.unit.is_(None) & HumanTask.office.in_(sorted(actor.offices))))))
        lines = [e for e in lines if e.instance_id in mine]
    return list(reversed(lines))
