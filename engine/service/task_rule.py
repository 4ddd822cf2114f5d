"""Whose task is this: the task-status state machine and the one rule of who may see and work a task.

Every screen, query and verb asks these functions; nothing else decides it. A task is available to an
actor who belongs to its unit, or (when it has no unit) to its office, or who is its assignee or one of
its candidate users, or who deputises such a person.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_, select, true

from engine.core.actors import Actor
from engine.core.errors import TaskStateError
from engine.store.models import HumanTask, TaskCandidate

OPEN, CLAIMED, COMPLETED, CANCELLED = "open", "claimed", "completed", "cancelled"
OPEN_STATES = (OPEN, CLAIMED)
# The lifecycle: what each transition may start from. Delegation is a claim on someone else's behalf.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "claim": (OPEN, CLAIMED),
    "unclaim": (CLAIMED, OPEN),
    "delegate": (OPEN, CLAIMED),
    "complete": (OPEN, CLAIMED),
    "cancel": (OPEN, CLAIMED),
}
TARGET = {"claim": CLAIMED, "unclaim": OPEN, "delegate": CLAIMED, "complete": COMPLETED, "cancel": CANCELLED}


def transition(task: HumanTask, verb: str) -> str:
    """Return the status `verb` leads to from the task's status, or raise TaskStateError."""
    if task.status not in TRANSITIONS[verb]:
        if task.status == CANCELLED:
            raise TaskStateError("Die Aufgabe wurde abgebrochen und kann nicht mehr bearbeitet werden")
        raise TaskStateError(f"Die Aufgabe ist {task.status}; »{verb}« ist nicht möglich")
    return TARGET[verb]


def available_to(actor: Actor, task: HumanTask) -> bool:
    """Tell whether `actor` may see and work on `task` (regardless of its status)."""
    if actor.system:
        return True
    people = actor.personal_names
    if task.assignee in people or people & set(task.candidate_users or ()):
        return True
    if task.unit is not None:
        return task.unit in actor.units
    return task.office is not None and (task.office in actor.offices or task.office in actor.units)


def addressed_people(task: HumanTask) -> list[str]:
    """Return the people a task is addressed to in person (assignee first, then candidate users)."""
    people = [task.assignee] if task.assignee else []
    return people + [name for name in task.candidate_users or () if name not in people]


def available_clause(actor: Actor) -> ColumnElement[bool]:
    """Return the SQL form of `available_to` for queries over human_task."""
    if actor.system:
        return true()
    clauses: list[ColumnElement[bool]] = []
    if actor.units:
        clauses.append(HumanTask.unit.in_(sorted(actor.units)))
    offices = sorted(actor.offices | actor.units)
    if offices:
        clauses.append(HumanTask.unit.is_(None) & HumanTask.office.in_(offices))
    people = sorted(actor.personal_names)
    clauses.append(HumanTask.assignee.in_(people))
    clauses.append(HumanTask.id.in_(select(TaskCandidate.task_id).where(TaskCandidate.username.in_(people))))
    return or_(*clauses) if clauses else false()


def personal_clause(actor: Actor) -> ColumnElement[bool]:
    """Return the SQL condition for tasks addressed to the actor in person (assignee or candidate user)."""
    people = sorted(actor.personal_names)
    return or_(HumanTask.assignee.in_(people),
               HumanTask.id.in_(select(TaskCandidate.task_id).where(TaskCandidate.username.in_(people))))
