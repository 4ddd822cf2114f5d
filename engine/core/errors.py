"""Error types of the engine, each with a message a person can act on."""

from __future__ import annotations

from dataclasses import dataclass, field


class KimflowError(Exception):
    """Base of every error the engine raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a definition, located as precisely as known."""

    message: str
    file: str | None = None
    element_id: str | None = None
    line: int | None = None
    severity: str = "error"  # "error" blocks a deploy, "warning" does not

    def __str__(self) -> str:
        where = ":".join(str(p) for p in (self.file, self.line) if p)
        element = f" [{self.element_id}]" if self.element_id else ""
        return f"{where}{element}: {self.message}" if where or element else self.message

    def as_dict(self) -> dict:
        return {"message": self.message, "file": self.file, "element_id": self.element_id,
                "line": self.line, "severity": self.severity}


class DefinitionError(KimflowError):
    """A BPMN/DMN bundle was refused; nothing was deployed."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems) or "Ungültige Prozessdefinition")


class NotFound(KimflowError):
    """The thing asked for does not exist (or the actor may not know that it does)."""


@dataclass
class FormErrors(KimflowError):
    """Submitted data failed the task's form validation; nothing changed."""

    errors: dict[str, list[str]] = field(default_factory=dict)

    def __str__(self) -> str:
        return "; ".join(f"{k}: {', '.join(v)}" for k, v in self.errors.items())


class TaskStateError(KimflowError):
    """A task transition is not allowed in the task's current state."""


class TaskAlreadyCompleted(TaskStateError):
    """Someone else completed the task first."""

    def __init__(self, task_id: str, completed_by: str | None, completed_at):
        self.task_id = task_id
        self.completed_by = completed_by
        self.completed_at = completed_at
        when = completed_at.strftime("%d.%m.%Y %H:%M") if completed_at else "unbekannt"
        super().__init__(f"Diese Aufgabe wurde bereits von {completed_by or 'unbekannt'} am {when} erledigt")


class TaskClaimedByOther(TaskStateError):
    """The task is claimed by another user."""

    def __init__(self, task_id: str, claimed_by: str):
        self.task_id = task_id
        self.claimed_by = claimed_by
        super().__init__(f"Diese Aufgabe wird bereits von {claimed_by} bearbeitet")


class ConcurrentModification(KimflowError):
    """Another writer changed the instance first; this change was not saved."""


class InstanceStateError(KimflowError):
    """The instance is not in a state that allows this action (suspended, completed, ...)."""


class CorrelationError(KimflowError):
    """No instance or start event waits for this message."""


class PermissionDenied(KimflowError):
    """The actor may not do or see this."""
