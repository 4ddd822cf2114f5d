"""A small fixed set of steering facts whose report figures are computed by hand in the tests."""

from __future__ import annotations

import datetime as dt

from workflows.steering.models import SteeringFact
from workflows.steering.report import set_posts


def at(month: int, day: int) -> dt.datetime:
    return dt.datetime(2026, month, day, 9, tzinfo=dt.UTC)


def fact(kind, area, month=3, day=10, category=None, status=None, days=None, case=None, n=[0]):  # noqa: B006
    n[0] += 1
    return SteeringFact(kind=kind, case_key=case or f"K-{n[0]}", instance_id=n[0], area=area, category=category,
                        status=status, at=at(month, day), days=days)


def seed(session) -> None:
    """March 2026 in Neuss and Kaarst, plus a few facts before and after it."""
    rows = [fact("case_opened", "neuss", category="office") for _ in range(5)]
    rows += [fact("case_opened", "neuss", category="walk_in"), fact("case_opened", "neuss", 2, category="office"),
             fact("case_opened", "neuss", 2, category="office"), fact("case_closed", "neuss", 2, category="no_contact")]
    rows += [fact("case_closed", "neuss", category="goals_met") for _ in range(2)]
    rows += [fact("case_opened", "kaarst", category="welfare") for _ in range(3)]
    rows += [fact("case_opened", "neuss", 4, category="office")]  # April: not in March
    rows += [fact("first_contact", "neuss", days=d) for d in (1, 2, 3, 4, 10)]
    rows += [fact("first_contact", "kaarst", days=d) for d in (5, 6)]
    rows += [fact("office_response", "neuss", category="abh", status="in_sla" if d <= 14 else "late", days=d)
             for d in (3, 5, 7, 20, 30, 12)]
    rows += [fact("benefit_gap", "neuss", days=d) for d in (10, 20, 30, 40, 50)]
    rows += [fact("structural_problem", "neuss", category="waiting_time", status="new") for _ in range(5)]
    rows += [fact("structural_problem", "kaarst", category="waiting_time", status="solved")]
    rows += [fact("residence_status", "neuss", 3, 2, category="duldung", case="A"),
             fact("residence_status", "neuss", 3, 20, category="aufenthaltserlaubnis", case="A"),
             fact("status_transition", "neuss", 3, 20, category="duldung>aufenthaltserlaubnis", case="A")]
    session.add_all(rows)
    set_posts(session, {"neuss": 2.0, "kaarst": 1.0})
