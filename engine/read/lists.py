"""Read side: inbox and instance lists straight from the narrow indexed tables."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, func, or_, select, union_all
from sqlalchemy.orm import Session

from engine.store.models import HumanTask, ProcessInstance

SORTS: dict[str, tuple[Any, ...]] = {
    "created": (HumanTask.created_at.asc(), HumanTask.id.asc()),
    "-created": (HumanTask.created_at.desc(), HumanTask.id.desc()),
    "due": (HumanTask.due_at.asc().nulls_last(), HumanTask.id.asc()),
    "priority": (HumanTask.priority.desc(), HumanTask.created_at.asc()),
    "follow_up": (HumanTask.follow_up_at.asc().nulls_last(), HumanTask.id.asc()),
}


@dataclass
class TaskFilter:
    """Inbox filters as staff use them."""

    process_id: str | None = None
    area: str | None = None
    overdue_at: dt.datetime | None = None  # only tasks due before this moment
    due_before: dt.datetime | None = None
    case_refs: Collection[str] | None = None
    search: str | None = None
    sort: str = "created"


# Counting every row of a huge office costs more than the page itself; badges show "1.000+" instead.
COUNT_CAP = 1000


@dataclass
class Page:
    items: list = field(default_factory=list)
    total: int = 0
    limit: int = 50
    offset: int = 0
    total_capped: bool = False  # True when there are more than `total` rows


def capped_count(session: Session, query: Select, cap: int | None = None) -> tuple[int, bool]:
    """Count the query's rows up to `cap` + 1; return (count, whether the cap was exceeded)."""
    cap = cap or COUNT_CAP
    limited = query.order_by(None).with_only_columns(HumanTask.id).limit(cap + 1).subquery()
    count = session.scalar(select(func.count()).select_from(limited)) or 0
    return min(count, cap), count > cap


def _filtered(query: Select, flt: TaskFilter | None) -> Select:
    if flt is None:
        return query
    if flt.process_id:
        query = query.where(HumanTask.process_id == flt.process_id)
    if flt.area:
        query = query.where(HumanTask.area == flt.area)
    if flt.overdue_at is not None:
        query = query.where(HumanTask.due_at < flt.overdue_at)
    if flt.due_before is not None:
        query = query.where(HumanTask.due_at < flt.due_before)
    if flt.case_refs is not None:
        query = query.where(HumanTask.case_ref.in_(list(flt.case_refs)))
    if flt.search:
        like = f"%{flt.search.strip()}%"
        query = query.where(or_(HumanTask.case_ref.ilike(like), HumanTask.business_key.ilike(like),
                                HumanTask.name.ilike(like)))
    return query


def _page(session: Session, query: Select, flt: TaskFilter | None, limit: int, offset: int) -> Page:
    query = _filtered(query, flt)
    total, capped = capped_count(session, query)
    order = SORTS.get(flt.sort if flt else "created", SORTS["created"])
    items = list(session.scalars(query.order_by(*order).limit(limit).offset(offset)))
    return Page(items, total, limit, offset, capped)


def office_queue(session: Session, *, offices: Collection[str] = (), units: Collection[str] = (),
                 flt: TaskFilter | None = None, limit: int = 50, offset: int = 0) -> Page:
    """Open, unclaimed tasks of the given units (or offices without unit routing): Gruppenaufgaben."""
    clauses: list[Any] = []
    if units:
        clauses.append(HumanTask.unit.in_(list(units)))
    if offices:
        clauses.append(HumanTask.office.in_(list(offices)) & HumanTask.unit.is_(None))
    if not clauses:
        return Page(limit=limit, offset=offset)
    query = select(HumanTask).where(HumanTask.status == "open", or_(*clauses))
    return _page(session, query, flt, limit, offset)


def office_open_tasks(session: Session, office: str, *, limit: int = 50, offset: int = 0) -> Page:
    """Open tasks of one office (claimed or not), oldest first, with the (capped) total count."""
    # One index range per status, each already in created order, merged: no sort over the whole office.
    per_status = [select(HumanTask.id, HumanTask.created_at).where(HumanTask.office == office, HumanTask.status == st)
                  .order_by(HumanTask.created_at, HumanTask.id).limit(offset + limit).subquery()
                  for st in ("open", "claimed")]
    merged = union_all(*(select(sub.c.id, sub.c.created_at) for sub in per_status)).subquery()
    ids = [row.id for row in session.execute(select(merged.c.id).order_by(merged.c.created_at, merged.c.id)
                                             .limit(limit).offset(offset))]
    rows = {t.id: t for t in session.scalars(select(HumanTask).where(HumanTask.id.in_(ids)))} if ids else {}
    everything = select(HumanTask).where(HumanTask.office == office, HumanTask.status.in_(("open", "claimed")))
    total, capped = capped_count(session, everything)
    return Page([rows[i] for i in ids], total, limit, offset, capped)


def my_tasks(session: Session, user: str, *, flt: TaskFilter | None = None, limit: int = 50,
             offset: int = 0) -> Page:
    """Tasks claimed by the user: Meine Aufgaben."""
    query = select(HumanTask).where(HumanTask.claimed_by == user, HumanTask.status == "claimed")
    return _page(session, query, flt, limit, offset)


def completed_by(session: Session, user: str, *, flt: TaskFilter | None = None, limit: int = 50,
                 offset: int = 0) -> Page:
    """Tasks the user completed, newest first: Erledigt."""
    query = select(HumanTask).where(HumanTask.completed_by == user, HumanTask.status == "completed")
    flt = flt or TaskFilter(sort="-created")
    return _page(session, query, flt, limit, offset)


def open_tasks(session: Session, *, instance_id: int | None = None, office: str | None = None,
               limit: int = 1000) -> list[HumanTask]:
    """Open tasks for the CLI and scripts, oldest first."""
    query = select(HumanTask).where(HumanTask.status.in_(("open", "claimed")))
    if instance_id is not None:
        query = query.where(HumanTask.instance_id == instance_id)
    if office is not None:
        query = query.where(HumanTask.office == office)
    return list(session.scalars(query.order_by(HumanTask.created_at, HumanTask.id).limit(limit)))


def instance_tasks(session: Session, instance_id: int) -> list[HumanTask]:
    """Every human task of an instance, in the order they were created."""
    query = select(HumanTask).where(HumanTask.instance_id == instance_id)
    return list(session.scalars(query.order_by(HumanTask.created_at, HumanTask.id)))


def instances(session: Session, *, process_id: str | None = None, status: str | None = None,
              case_ref: str | None = None, limit: int = 50, offset: int = 0) -> Page:
    """Instances, newest first, with a total count."""
    query = select(ProcessInstance)
    if process_id:
        query = query.where(ProcessInstance.process_id == process_id)
    if status:
        query = query.where(ProcessInstance.status == status)
    if case_ref:
        query = query.where(ProcessInstance.case_ref == case_ref)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(ProcessInstance.started_at.desc(), ProcessInstance.id.desc())
                           .limit(limit).offset(offset))
    return Page(list(rows), total, limit, offset)
