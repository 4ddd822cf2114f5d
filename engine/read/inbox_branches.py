"""The group inbox as a union of index-served branches, and all three badge counts in one statement.

`task_rule.available_clause` is one OR over unit, office, assignee and candidate users; no index serves
an OR sorted by due date, so the database sorted every open task of the actor's units. Here the same
rule is split into one branch per unit, per office and per kind of personal address; each branch reads
at most offset + limit rows in index order (unit or office, status, due date), and the page is sorted
from those few ids. Counts read at most COUNT_CAP + 1 ids per branch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from sqlalchemy import ColumnElement, Select, func, select, true, union, union_all
from sqlalchemy.orm import Session

from engine.core.actors import Actor
from engine.read import lists
from engine.store.models import HumanTask, TaskCandidate

Refine = Callable[[Select], Select]
BADGES_KEY = "kimflow_inbox_badges"


def branches(actor: Actor) -> list[ColumnElement[bool]]:
    """Return the task rule (`task_rule.available_clause`) as index-friendly branches whose OR it is."""
    return [clause for clause, _by_id in _branches(actor)]


def _branches(actor: Actor) -> list[tuple[ColumnElement[bool], bool]]:
    """Return each branch and whether it is a short id list (candidate users) read by primary key."""
    if actor.system:
        return [(true(), False)]
    result: list[ColumnElement[bool]] = [HumanTask.unit == unit for unit in sorted(actor.units)]
    result += [HumanTask.unit.is_(None) & (HumanTask.office == office)
               for office in sorted(actor.offices | actor.units)]
    people = sorted(actor.personal_names)
    result.append(HumanTask.assignee.in_(people))
    candidate = HumanTask.id.in_(select(TaskCandidate.task_id).where(TaskCandidate.username.in_(people)))
    return [(clause, False) for clause in result] + [(candidate, True)]


def _ids(part: Select) -> Select:
    return select(part.subquery().c.id)


def _parts(actor: Actor, statuses: tuple[str, ...], refine: Refine, sort: str, order: tuple,
           rows: int) -> Iterator[Select]:
    for branch, by_id in _branches(actor):
        for status in statuses:
            base = refine(select(HumanTask.id).where(branch, HumanTask.status == status))
            # A candidate user's few task ids are read by primary key and sorted; split by due date, the planner
            # would walk the (status, due_at) index over every undated open task instead (SQLite: 30 ms at 100,000).
            if sort == "due" and not by_id:  # NULLS LAST as two index ranges: dated tasks by due date, then by age
                yield base.where(HumanTask.due_at.is_not(None)).order_by(
                    HumanTask.due_at, HumanTask.created_at, HumanTask.id).limit(rows)
                yield base.where(HumanTask.due_at.is_(None)).order_by(HumanTask.created_at, HumanTask.id).limit(rows)
            else:
                yield base.order_by(*order).limit(rows)


def group_page_query(actor: Actor, statuses: tuple[str, ...], refine: Refine, sort: str, order: tuple, *,
                     limit: int, offset: int) -> Select:
    """Return the statement of one group-view page: each branch's first rows, merged and sorted."""
    ids = union_all(*(_ids(part) for part in _parts(actor, statuses, refine, sort, order, offset + limit)))
    return select(HumanTask).where(HumanTask.id.in_(ids)).order_by(*order).limit(limit).offset(offset)


def group_count_query(actor: Actor, statuses: tuple[str, ...], refine: Refine) -> Select:
    """Return the statement counting the group view's distinct tasks, at most COUNT_CAP + 1."""
    cap = lists.COUNT_CAP
    parts = [refine(select(HumanTask.id).where(branch, HumanTask.status == status)).limit(cap + 1)
             for branch in branches(actor) for status in statuses]
    return select(func.count()).select_from(union(*(_ids(part) for part in parts)).subquery())


def capped(query: Select) -> Select:
    """Return the statement counting `query`'s rows, at most COUNT_CAP + 1."""
    cap = lists.COUNT_CAP
    limited = query.order_by(None).with_only_columns(HumanTask.id).limit(cap + 1).subquery()
    return select(func.count()).select_from(limited)


def combined_counts(counts: dict[str, Select]) -> Select:
    """Return the views' count statements as one statement, one labelled column per view."""
    return select(*(query.scalar_subquery().label(name) for name, query in counts.items()))


def badge_counts(session: Session, actor: Actor, statement: Callable[[Actor], Select]) -> dict[str, int]:
    """Run the views' combined count statement (once per session and actor); return raw counts by view."""
    cache = session.info.setdefault(BADGES_KEY, {})
    if actor.name not in cache:
        row = session.execute(statement(actor)).one()
        cache[actor.name] = {name: int(value or 0) for name, value in row._mapping.items()}
    return cache[actor.name]
