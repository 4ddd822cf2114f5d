"""The Baustein 1 steering report: per municipality and month or quarter, aggregated and pseudonymised.

Source: only the `steering_fact` projection (see `workflows.steering.facts` for how each figure is
defined) and `case_manager_post`; no workflow is deserialized, no case number leaves this module.
Counts of 1-4 cases and statistics over fewer than five cases are suppressed ("<5"); zero is shown.
Times are calendar days; a fact belongs to the period in which it happened (UTC).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.core import clock
from workflows.steering.labels import MUNICIPALITIES
from workflows.steering.model import Period, Table
from workflows.steering.models import CaseManagerPost, SteeringFact
from workflows.steering.sections import SECTIONS

ANY = "*"  # matches every area or category in FactSet lookups
COUNTED = ("case_opened", "case_closed", "naturalised", "structural_problem", "status_transition",
           "office_response", "naturalisation_processing")
TIMED = ("first_contact", "consent", "plan", "office_response", "benefit_gap", "naturalisation_wait",
         "naturalisation_processing")


@dataclass
class FactSet:
    """The facts of one period, grouped the way the tables need them."""

    counts: Counter = field(default_factory=Counter)  # (kind, area, category, status) -> n
    durations: dict = field(default_factory=lambda: defaultdict(list))  # (kind, area, category) -> days
    opened_until_end: Counter = field(default_factory=Counter)  # area -> n
    closed_until_end: Counter = field(default_factory=Counter)
    residence: Counter = field(default_factory=Counter)  # (area, title) -> cases
    posts: dict[str, float] = field(default_factory=dict)
    areas: list[str | None] = field(default_factory=list)

    def count(self, kind: str, area: str | None = ANY, category: str | None = ANY,
              status: str | None = ANY) -> int:
        """Sum the counts matching the given parts (ANY matches everything)."""
        return sum(n for (k, a, c, s), n in self.counts.items() if k == kind and area in (ANY, a)
                   and category in (ANY, c) and status in (ANY, s))

    def days(self, kind: str, area: str | None = ANY, category: str | None = ANY) -> list[float]:
        """Return the durations matching the given parts (ANY matches everything)."""
        return [d for (k, a, c), values in self.durations.items() if k == kind and area in (ANY, a)
                and category in (ANY, c) for d in values]


@dataclass
class SteeringReport:
    """The steering report of one period, for some or all municipalities."""

    period: Period
    areas: list[str | None]
    tables: list[Table]
    generated_at: dt.datetime

    def table(self, key: str) -> Table:
        """Return the table with this key."""
        return next(t for t in self.tables if t.key == key)


def _in_period(query, period: Period, areas: Collection[str] | None):
    query = query.where(SteeringFact.at >= period.start, SteeringFact.at < period.end)
    return query.where(SteeringFact.area.in_(list(areas))) if areas else query


def load_facts(session: Session, period: Period, areas: Collection[str] | None = None) -> FactSet:
    """Read the period's facts with a handful of grouped, indexed queries."""
    facts = FactSet()
    columns = (SteeringFact.kind, SteeringFact.area, SteeringFact.category, SteeringFact.status)
    grouped = _in_period(select(*columns, func.count()).where(SteeringFact.kind.in_(COUNTED)), period, areas)
    for kind, area, category, status, n in session.execute(grouped.group_by(*columns)):
        facts.counts[(kind, area, category, status)] += n
    timed = _in_period(select(SteeringFact.kind, SteeringFact.area, SteeringFact.category, SteeringFact.days)
                       .where(SteeringFact.kind.in_(TIMED), SteeringFact.days.is_not(None)), period, areas)
    for kind, area, category, days in session.execute(timed):
        facts.durations[(kind, area, category)].append(days)
    _load_caseload(session, facts, period, areas)
    _load_residence(session, facts, period, areas)
    posts = session.execute(select(CaseManagerPost.area, CaseManagerPost.fte))
    facts.posts = {area: fte for area, fte in posts}
    known = set(MUNICIPALITIES) if not areas else set(areas)
    seen = {a for (_, a, _, _) in facts.counts} | set(facts.opened_until_end)
    facts.areas = sorted(known | {a for a in seen if a is not None}, key=_area_order) + \
        ([None] if None in seen and not areas else [])
    return facts


def _load_caseload(session: Session, facts: FactSet, period: Period, areas: Collection[str] | None) -> None:
    query = (select(SteeringFact.kind, SteeringFact.area, func.count())
             .where(SteeringFact.kind.in_(("case_opened", "case_closed")), SteeringFact.at < period.end)
             .group_by(SteeringFact.kind, SteeringFact.area))
    if areas:
        query = query.where(SteeringFact.area.in_(list(areas)))
    for kind, area, n in session.execute(query):
        (facts.opened_until_end if kind == "case_opened" else facts.closed_until_end)[area] += n


def _load_residence(session: Session, facts: FactSet, period: Period, areas: Collection[str] | None) -> None:
    # A case assessed twice in the period counts once, with its latest residence title.
    query = _in_period(select(SteeringFact.case_key, SteeringFact.area, SteeringFact.category)
                       .where(SteeringFact.kind == "residence_status"), period, areas)
    latest: dict[str, tuple[str | None, str | None]] = {}
    for case_key, area, title in session.execute(query.order_by(SteeringFact.at, SteeringFact.id)):
        latest[case_key] = (area, title)
    facts.residence = Counter(latest.values())


def _area_order(area: str) -> tuple[int, str]:
    order = list(MUNICIPALITIES)
    return (order.index(area), area) if area in order else (len(order), area)


def steering_report(session: Session, period: Period | str, areas: Collection[str] | None = None,
                    language: str = "de") -> SteeringReport:
    """Build the steering report of a month or quarter for the given municipalities (default: all), in German
    or English."""
    period = Period.parse(period) if isinstance(period, str) else period
    facts = load_facts(session, period, areas)
    return SteeringReport(period, facts.areas, [build(facts, language) for build in SECTIONS], clock.now())


def set_posts(session: Session, posts: dict[str, float]) -> None:
    """Store the case-manager full-time equivalents per municipality."""
    for area, fte in posts.items():
        row = session.get(CaseManagerPost, area)
        if row is None:
            session.add(CaseManagerPost(area=area, fte=float(fte)))
        else:
            row.fte = float(fte)
