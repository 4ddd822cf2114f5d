"""The manager's start page shows open and overdue work, incidents and throughput as the database has them."""

import re

from sqlalchemy import func, select

from engine.identity.models import Unit
from engine.store.models import HumanTask, Incident


def _figure(html: str, name: str) -> int:
    match = re.search(rf'id="fig-{name}">(\d+)<', html)
    assert match, name
    return int(match.group(1))


def test_the_start_page_figures_match_the_database(make_user, login, scene, services):
    html = login(make_user("chefin", "manager")).get("/manage/").get_data(as_text=True)
    with services.db.reading() as session:
        open_tasks = session.scalar(select(func.count()).select_from(HumanTask)
                                    .where(HumanTask.status.in_(("open", "claimed"))))
        incidents = session.scalar(select(func.count()).select_from(Incident).where(Incident.resolved_at.is_(None)))
        unit = session.scalars(select(HumanTask.unit).where(HumanTask.status == "open")).first()
        unit_name = session.get(Unit, unit).name
    assert open_tasks and _figure(html, "open") == open_tasks
    assert _figure(html, "incidents") == incidents
    assert "throughput-chart" in html and "Offene Arbeit je Stelle und Kommune" in html
    assert f"<td>{unit_name}</td>" in html and f"<td>{unit}</td>" not in html
