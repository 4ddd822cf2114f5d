"""Read side of the staff inbox: three views, filters, counts and choices from the narrow task table."""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from engine.core.actors import Actor
from engine.identity.models import DISTRICT_WIDE, Membership, User
from engine.identity.org_reference import responsibility_rows
from engine.read import inbox_branches as branched
from engine.read import lists
from engine.read.lists import Page
from engine.service import task_rule
from engine.service.definitions import definition_index
from engine.service.registry import PersonDirectory
from engine.store.models import HumanTask

VIEWS = ("mine", "group", "done")
SORTS: dict[str, tuple[Any, ...]] = {
    "due": (HumanTask.due_at.asc().nulls_last(), HumanTask.created_at.asc(), HumanTask.id.asc()),
    "-due": (HumanTask.due_at.desc().nulls_last(), HumanTask.id.desc()),
    "created": (HumanTask.created_at.asc(), HumanTask.id.asc()),
    "-created": (HumanTask.created_at.desc(), HumanTask.id.desc()),
    "priority": (HumanTask.priority.desc(), HumanTask.due_at.asc().nulls_last(), HumanTask.id.asc()),
    "follow_up": (HumanTask.follow_up_at.asc().nulls_last(), HumanTask.id.asc()),
    "completed": (HumanTask.completed_at.desc().nulls_last(), HumanTask.id.desc()),
    "name": (HumanTask.name.asc(), HumanTask.id.asc()),
}
HIGH_PRIORITY = 70
CASE_REF = re.compile(r"^[Kk]-\d{4}-\d{5}$")


@dataclass
class InboxFilter:
    """What staff filter the inbox by; every field is optional."""

    process_id: str | None = None
    area: str | None = None
    due: str | None = None  # "overdue", "today", "soon", "none"
    follow_up: str | None = None  # "due" (follow-up date reached), "later"
    priority: str | None = None  # "high", "normal"
    created_from: dt.date | None = None
    created_to: dt.date | None = None
    search: str | None = None
    sort: str = "due"
    include_claimed: bool = False  # group view: also show tasks colleagues hold
    soon_days: int = 3  # "due soon" means within this many days


def _view_query(view: str, actor: Actor, include_claimed: bool = False) -> Select:
    """Return the query of the mine or done view (the group view is `inbox_branches`)."""
    if view == "mine":
        # Claimed by me, or open and assigned to me (or to a colleague I deputise) by name.
        assigned = (HumanTask.status == task_rule.OPEN) & HumanTask.assignee.in_(sorted(actor.personal_names))
        return select(HumanTask).where(or_((HumanTask.claimed_by == actor.name) & (HumanTask.status == "claimed"),
                                           assigned))
    return select(HumanTask).where(HumanTask.completed_by == actor.name, HumanTask.status == "completed")


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), dt.UTC)


def _due_clause(query: Select, due: str | None, now: dt.datetime, soon_days: int) -> Select:
    if due == "overdue":
        return query.where(HumanTask.due_at < now)
    if due == "today":
        return query.where(HumanTask.due_at >= now, HumanTask.due_at < _day_start(now.date() + dt.timedelta(days=1)))
    if due == "soon":
        return query.where(HumanTask.due_at >= now, HumanTask.due_at < now + dt.timedelta(days=soon_days))
    if due == "none":
        return query.where(HumanTask.due_at.is_(None))
    return query


def _filtered(query: Select, flt: InboxFilter, now: dt.datetime, directory: PersonDirectory | None) -> Select:
    if flt.process_id:
        query = query.where(HumanTask.process_id == flt.process_id)
    if flt.area:
        query = query.where(HumanTask.area == flt.area)
    query = _due_clause(query, flt.due, now, flt.soon_days)
    if flt.follow_up == "due":
        query = query.where(HumanTask.follow_up_at <= now)
    elif flt.follow_up == "later":
        query = query.where(HumanTask.follow_up_at > now)
    if flt.priority == "high":
        query = query.where(HumanTask.priority >= HIGH_PRIORITY)
    elif flt.priority == "normal":
        query = query.where(HumanTask.priority < HIGH_PRIORITY)
    if flt.created_from:
        query = query.where(HumanTask.created_at >= _day_start(flt.created_from))
    if flt.created_to:
        query = query.where(HumanTask.created_at < _day_start(flt.created_to + dt.timedelta(days=1)))
    if flt.search and flt.search.strip():
        query = query.where(_search_clause(flt.search.strip(), directory))
    return query


def _search_clause(text: str, directory: PersonDirectory | None):
    if CASE_REF.match(text):
        return HumanTask.case_ref == text.upper()  # a full case number: use the index, not a scan
    like = f"%{text}%"
    clauses = [HumanTask.case_ref.ilike(like), HumanTask.business_key.ilike(like)]
    if directory is not None:
        clauses.append(HumanTask.case_ref.in_(directory.matching(text)))
    return or_(*clauses)


def _statuses(include_claimed: bool) -> tuple[str, ...]:
    return ("open", "claimed") if include_claimed else ("open",)


def _refine(view: str, actor: Actor, flt: InboxFilter, now: dt.datetime,
            directory: PersonDirectory | None) -> branched.Refine:
    def refine(query: Select) -> Select:
        if view == "group" and flt.include_claimed:
            query = query.where(or_(HumanTask.claimed_by.is_(None), HumanTask.claimed_by != actor.name))
        return _filtered(query, flt, now, directory)

    return refine


def page_query(session: Session, view: str, actor: Actor, flt: InboxFilter | None = None, *, now: dt.datetime,
               limit: int = 25, offset: int = 0, directory: PersonDirectory | None = None) -> Select:
    """Return the statement that reads one page of an inbox view (the group view as index-served branches)."""
    flt = flt or InboxFilter(sort="completed" if view == "done" else "due")
    sort = flt.sort if flt.sort in SORTS else "due"
    if _unfiltered(flt):  # the common case: one statement per actor and page, built once
        return _unfiltered_page(view, actor, sort, limit, offset)
    return _page(view, actor, flt, sort, now, directory, limit, offset)


def _page(view: str, actor: Actor, flt: InboxFilter, sort: str, now: dt.datetime,
          directory: PersonDirectory | None, limit: int, offset: int) -> Select:
    if view == "group":
        refine = _refine(view, actor, flt, now, directory)
        return branched.group_page_query(actor, _statuses(flt.include_claimed), refine, sort, SORTS[sort],
                                         limit=limit, offset=offset)
    query = _filtered(_view_query(view, actor, flt.include_claimed), flt, now, directory)
    return query.order_by(*SORTS[sort]).limit(limit).offset(offset)


# Building the group view's union of branches cost more CPU than the database took to run it; an unfiltered
# page depends only on the actor (units, offices, names), the sort and the page, so it is built once per process.
@functools.lru_cache(maxsize=2048)
def _unfiltered_page(view: str, actor: Actor, sort: str, limit: int, offset: int) -> Select:
    return _page(view, actor, InboxFilter(sort=sort), sort, dt.datetime.now(dt.UTC), None, limit, offset)


@functools.lru_cache(maxsize=1024)
def _badge_statement(actor: Actor) -> Select:
    return branched.combined_counts(_count_queries(actor))


def _unfiltered(flt: InboxFilter) -> bool:
    return flt == InboxFilter(sort=flt.sort, soon_days=flt.soon_days)


def inbox(session: Session, view: str, actor: Actor, flt: InboxFilter | None = None, *, now: dt.datetime,
          limit: int = 25, offset: int = 0, directory: PersonDirectory | None = None) -> Page:
    """Return one page of an inbox view with its total, filtered and sorted."""
    flt = flt or InboxFilter(sort="completed" if view == "done" else "due")
    if view not in VIEWS:
        return Page(limit=limit, offset=offset)
    if _unfiltered(flt):  # the total is the view's badge: one statement counts all three views
        count = branched.badge_counts(session, actor, _badge_statement)[view]
    else:
        count = session.scalar(_count_query(view, actor, flt, now, directory)) or 0
    total, capped = min(count, lists.COUNT_CAP), count > lists.COUNT_CAP
    query = page_query(session, view, actor, flt, now=now, limit=limit, offset=offset, directory=directory)
    return Page(list(session.scalars(query)), total, limit, offset, capped)


def _count_query(view: str, actor: Actor, flt: InboxFilter, now: dt.datetime,
                 directory: PersonDirectory | None) -> Select:
    if view == "group":
        return branched.group_count_query(actor, _statuses(flt.include_claimed),
                                          _refine(view, actor, flt, now, directory))
    return branched.capped(_filtered(_view_query(view, actor), flt, now, directory))


def _count_queries(actor: Actor) -> dict[str, Select]:
    unfiltered = InboxFilter()
    return {view: _count_query(view, actor, unfiltered, dt.datetime.now(dt.UTC), None) for view in VIEWS}


def counts(session: Session, actor: Actor) -> dict[str, int]:
    """Return the badge counts of the three views (group: unclaimed tasks only), at most COUNT_CAP + 1."""
    raw = branched.badge_counts(session, actor, _badge_statement)
    return {view: min(count, lists.COUNT_CAP + 1) for view, count in raw.items()}  # COUNT_CAP + 1 reads as "1000+"


def process_names(session: Session) -> dict[str, str]:
    """Return the newest display name of every deployed process, by name (from the cached definition index)."""
    names: dict[str, tuple[int, str]] = {}
    for head in definition_index(session):
        if head.kind == "process" and (head.process_id not in names or head.version > names[head.process_id][0]):
            names[head.process_id] = (head.version, head.name or head.process_id)
    return {pid: name for pid, (_v, name) in sorted(names.items(), key=lambda kv: kv[1][1])}


def people(session: Session, case_refs: set[str], directory: PersonDirectory | None) -> dict[str, str]:
    """Return the person's name for the references of one inbox page, where a directory knows them."""
    if not case_refs or directory is None:
        return {}
    return directory.names(session, case_refs)


def areas(session: Session) -> list[str]:
    """Return the municipalities of the routing table, for the filter."""
    return sorted({area for _office, area, _unit in responsibility_rows(session) if area and area != DISTRICT_WIDE})


def tasks_created_between(session: Session, since: dt.datetime, until: dt.datetime) -> list[HumanTask]:
    """Return open, unclaimed tasks created in [since, until) that belong to a unit (for the digest)."""
    return list(session.scalars(select(HumanTask).where(
        HumanTask.status == "open", HumanTask.unit.is_not(None), HumanTask.created_at >= since,
        HumanTask.created_at < until).order_by(HumanTask.unit, HumanTask.created_at)))


def claimed_tasks_due_between(session: Session, start: dt.datetime, end: dt.datetime) -> list[HumanTask]:
    """Return claimed tasks due in [start, end) (the "due tomorrow" reminder)."""
    return list(session.scalars(select(HumanTask).where(
        HumanTask.status == "claimed", HumanTask.due_at >= start, HumanTask.due_at < end)
        .order_by(HumanTask.claimed_by, HumanTask.due_at)))


def overdue_tasks(session: Session, now: dt.datetime, limit: int = 5000) -> list[HumanTask]:
    """Return open or claimed tasks past their due date, oldest due first (escalations)."""
    return list(session.scalars(select(HumanTask).where(
        HumanTask.status.in_(("open", "claimed")), HumanTask.due_at < now).order_by(HumanTask.due_at).limit(limit)))


def mail_recipients(session: Session) -> tuple[dict[str, list[tuple[str, str]]], dict[str, tuple[str, str]]]:
    """Return active users with an e-mail address: by unit [(username, email)], and by username (email, name)."""
    rows = session.execute(select(User.username, User.email, User.display_name, Membership.unit_code)
                           .outerjoin(Membership, Membership.user_id == User.id)
                           .where(User.active.is_(True), User.email.is_not(None), User.email != ""))
    by_unit: dict[str, list[tuple[str, str]]] = {}
    by_user: dict[str, tuple[str, str]] = {}
    for username, email, name, unit in rows:
        if not email:
            continue
        by_user[username] = (email, name)
        if unit is not None:
            by_unit.setdefault(unit, []).append((username, email))
    return by_unit, by_user
