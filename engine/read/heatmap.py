"""Heatmap of a process version: open tokens and average / 90th-percentile durations per element.

Open tokens: open human tasks, pending timer jobs and message subscriptions waiting at an element.
Durations: created -> completed of the human tasks of that version (cancelled tasks do not count),
computed in the database with window functions (SQLite >= 3.25 and PostgreSQL).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.core.errors import NotFound
from engine.store.models import DefinitionVersion, HumanTask, Job, MessageSubscription, ProcessInstance


@dataclass
class ElementHeat:
    """The figures of one element of a process version."""

    element_id: str
    name: str = ""
    open_tokens: int = 0
    completed: int = 0
    avg_hours: float | None = None
    p90_hours: float | None = None

    def as_dict(self) -> dict:
        return {"element_id": self.element_id, "name": self.name, "open": self.open_tokens,
                "completed": self.completed, "avg_hours": self.avg_hours, "p90_hours": self.p90_hours}


@dataclass
class Heatmap:
    """A process version's diagram source and the figures per element."""

    version: DefinitionVersion
    elements: dict[str, ElementHeat]

    @property
    def max_open(self) -> int:
        return max((e.open_tokens for e in self.elements.values()), default=0)

    @property
    def max_p90(self) -> float:
        return max((e.p90_hours or 0.0 for e in self.elements.values()), default=0.0)


def _seconds(session: Session):
    if session.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", HumanTask.completed_at - HumanTask.created_at)
    return (func.julianday(HumanTask.completed_at) - func.julianday(HumanTask.created_at)) * 86400.0


def heatmap(session: Session, definition_version_id: int) -> Heatmap:
    """Return open tokens and durations per element of one deployed process version."""
    version = session.get(DefinitionVersion, definition_version_id)
    if version is None or version.kind != "process":
        raise NotFound(f"Prozessversion {definition_version_id} gibt es nicht")
    instances = select(ProcessInstance.id).where(ProcessInstance.definition_version_id == definition_version_id)
    elements: dict[str, ElementHeat] = {}

    def element(element_id: str) -> ElementHeat:
        return elements.setdefault(element_id, ElementHeat(element_id))

    _open_tokens(session, instances, element)
    _durations(session, instances, element)
    return Heatmap(version, elements)


def _open_tokens(session: Session, instances, element) -> None:
    open_tasks = (select(HumanTask.element_id, func.max(HumanTask.name), func.count())
                  .where(HumanTask.instance_id.in_(instances), HumanTask.status.in_(("open", "claimed")))
                  .group_by(HumanTask.element_id))
    for element_id, name, n in session.execute(open_tasks):
        heat = element(element_id)
        heat.name, heat.open_tokens = name, heat.open_tokens + n
    jobs = (select(Job.element_id, func.count()).where(Job.instance_id.in_(instances), Job.status == "pending")
            .group_by(Job.element_id))
    subscriptions = (select(MessageSubscription.element_id, func.count())
                     .where(MessageSubscription.instance_id.in_(instances)).group_by(MessageSubscription.element_id))
    for query in (jobs, subscriptions):
        for element_id, n in session.execute(query):
            element(element_id).open_tokens += n


def _durations(session: Session, instances, element) -> None:
    seconds = _seconds(session).label("seconds")
    done = (select(HumanTask.element_id.label("element_id"), func.max(HumanTask.name).over(
        partition_by=HumanTask.element_id).label("name"), seconds,
        func.row_number().over(partition_by=HumanTask.element_id, order_by=seconds).label("rank"),
        func.count().over(partition_by=HumanTask.element_id).label("n"))
        # completed_by, not status: only a person's completion sets it (cancelled tasks have none).
        .where(HumanTask.instance_id.in_(instances), HumanTask.completed_by.is_not(None),
               HumanTask.completed_at.is_not(None))).subquery()
    # Nearest-rank 90th percentile: the smallest duration whose rank reaches 90 % of the element's count.
    p90 = func.min(done.c.seconds).filter(done.c.rank * 10 >= done.c.n * 9)
    query = (select(done.c.element_id, func.max(done.c.name), func.count(), func.avg(done.c.seconds), p90)
             .group_by(done.c.element_id))
    for element_id, name, n, avg, high in session.execute(query):
        heat = element(element_id)
        heat.name = heat.name or name
        heat.completed = n
        heat.avg_hours = round(float(avg) / 3600, 1) if avg is not None else None
        heat.p90_hours = round(float(high) / 3600, 1) if high is not None else None


def process_versions(session: Session) -> list[DefinitionVersion]:
    """Return every deployed process version, newest first within each process."""
    return list(session.scalars(select(DefinitionVersion).where(DefinitionVersion.kind == "process")
                                .order_by(DefinitionVersion.process_id, DefinitionVersion.version.desc())))


def diagram_source(version: DefinitionVersion) -> str:
    """Return the BPMN file of the version that defines its process (for the diagram viewer)."""
    marker = f'id="{version.process_id}"'
    for name, text in sorted(version.files.items()):
        if name.endswith(".bpmn") and marker in text:
            return text
    raise NotFound(f"Kein Diagramm für {version.process_id} v{version.version}")
