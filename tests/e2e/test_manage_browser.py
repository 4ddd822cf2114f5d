"""The management views in Debian's Chromium: the heatmap on the diagram and the steering report with charts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from engine.core import clock
from engine.core.actors import Actor
from engine.identity import org
from engine.read import lists as queries
from tests.engine.report_data import seed

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
DIAGRAM = ROOT / "tests" / "scenarios" / "antrag.bpmn"  # a diagram with layout, so the viewer can draw it
PASSWORD = "geheim-geheim-42"
SYSTEM = Actor.system_actor("test")


def _work(services) -> None:
    """Run a few instances so the heatmap has open tokens and durations."""
    services.engine.deploy({"antrag.bpmn": DIAGRAM.read_bytes()}, actor=SYSTEM)
    start = dt.datetime(2026, 3, 2, 8, tzinfo=dt.UTC)
    for n in range(6):
        with clock.frozen(start):
            instance_id = services.engine.start("antrag", actor=SYSTEM, business_key=f"AZ-{n}")
        with services.db.reading() as session:
            [task] = queries.open_tasks(session, instance_id=instance_id)
        with clock.frozen(start + dt.timedelta(hours=2 + 5 * n)):
            services.engine.complete(task.id, actor=SYSTEM, data={"amount": 500})


@pytest.fixture
def server(live_app):
    """Serve the app (conftest's live_app) with a manager, the report's data and some finished work."""
    app, base = live_app
    services = app.extensions["kimflow"]
    with services.db.unit_of_work() as session:
        org.create_user(session, "m.manager", "Maria Manager", PASSWORD, actor="test", role="manager")
        seed(session)
    _work(services)
    return base

def _sign_in(page, base: str) -> None:
    page.goto(base + "/login")
    page.fill("input[name=username]", "m.manager")
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def test_the_heatmap_draws_open_tokens_and_durations_on_the_diagram(server, page):
    ARTIFACTS.mkdir(exist_ok=True)
    _sign_in(page, server)
    page.goto(server + "/manage/heatmap")
    page.wait_for_selector("#diagram[data-loaded=true]")
    assert page.locator(".heat-badge").count() >= 2
    assert page.locator(".djs-element.heat-4").count() == 1  # the slowest element is the darkest
    page.screenshot(path=str(ARTIFACTS / "manage_heatmap.png"), full_page=True)


def test_the_steering_report_shows_tables_with_charts_and_suppressed_cells(server, page):
    ARTIFACTS.mkdir(exist_ok=True)
    _sign_in(page, server)
    page.goto(server + "/manage/report?period=2026-03")
    page.wait_for_selector("#caseload canvas[data-drawn=true]")
    assert page.locator("td.suppressed").count() > 0
    assert page.locator("#caseload tbody tr").first.inner_text().startswith("Neuss")
    page.screenshot(path=str(ARTIFACTS / "manage_report.png"), full_page=True)
    page.emulate_media(media="print")
    assert not page.locator("form.filters").is_visible()
    page.screenshot(path=str(ARTIFACTS / "manage_report_print.png"), full_page=True)
