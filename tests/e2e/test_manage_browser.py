"""The management views in Debian's Chromium: the heatmap on the diagram and the steering report with charts."""

from __future__ import annotations

import datetime as dt
import re
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


@pytest.fixture
def failed(live_app):
    """Serve the app with a manager, an admin and an instance whose script divided by zero."""
    from tests.engine.test_incidents import script_process

    app, base = live_app
    services = app.extensions["kimflow"]
    with services.db.unit_of_work() as session:
        org.create_user(session, "m.manager", "Maria Manager", PASSWORD, actor="test", role="manager")
        org.create_user(session, "a.admin", "Anton Admin", PASSWORD, actor="test", role="admin")
    services.engine.deploy({"calc.bpmn": script_process()}, actor=SYSTEM)
    instance_id = services.engine.start("calc", actor=SYSTEM, business_key="AZ-77")
    with services.db.reading() as session:
        [task] = queries.open_tasks(session, instance_id=instance_id)
    services.engine.complete(task.id, actor=SYSTEM, data={"divisor": 0})
    return base, services, instance_id


def _open_incident(page, base: str, username: str) -> None:
    page.goto(base + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    page.goto(base + "/manage/incidents")
    page.click("#incident-table a:has-text('durch null geteilt')")
    page.wait_for_selector("#incident-message")


def test_a_retry_that_fails_again_is_shown_as_failed_on_the_incident_screen(failed, page):
    base, services, instance_id = failed
    _open_incident(page, base, "m.manager")
    assert "ZeroDivisionError" not in page.inner_text("main")
    assert page.locator("#incident-skip").count() == 0  # skipping is for administrators
    page.fill("#incident-retry input[name=reason]", "noch einmal versuchen")
    page.click("#incident-retry button[type=submit]")
    flash = page.wait_for_selector(".flash-error")
    assert "wieder fehlgeschlagen" in flash.inner_text() and "durch null geteilt" in flash.inner_text()
    assert page.locator(".flash-success").count() == 0
    assert page.inner_text("#incident-state") == "offen"
    assert services.engine.show(instance_id).status == "error"


def test_an_admin_skips_the_failing_step_with_a_reason_and_the_instance_runs_on(failed, page):
    base, services, instance_id = failed
    _open_incident(page, base, "a.admin")
    assert "divisor" in page.inner_text("#incident-data")
    page.select_option("#incident-skip select[name=reason_code]", "done_elsewhere")
    page.fill("#incident-skip input[name=reason]", "per Hand berechnet")
    page.click("#incident-skip button[type=submit]")
    flash = page.wait_for_selector(".flash-success")
    assert flash.inner_text() == "Schritt übersprungen: der Vorgang läuft wieder."
    assert page.inner_text("#incident-state").startswith("behoben am")
    assert services.engine.show(instance_id).status == "running"


@pytest.fixture
def busy(live_app, scene):
    """The scene's district and benefit transfer, plus overdue follow-ups, a finished instance and an incident."""
    from sqlalchemy import select

    from engine.store.models import HumanTask
    from tests.bpmn_builder import build, user
    from tests.engine.test_incidents import script_process

    app, base = live_app
    services = app.extensions["kimflow"]
    with services.db.unit_of_work() as session:
        org.create_user(session, "m.chefin", "Marta Chefin", PASSWORD, actor="test", role="manager")
    late = build("late", [("start", "s"), user("follow", "Nachfassen", dueDate="2020-01-06T09:00:00Z"), ("end", "e")],
                 [("s", "follow"), ("follow", "e")])
    quick = build("quick", [("start", "s"), ("end", "e")], [("s", "e")])
    services.engine.deploy({"late.bpmn": late, "quick.bpmn": quick, "calc.bpmn": script_process()}, actor=SYSTEM)
    for _ in range(2):
        services.engine.start("late", actor=SYSTEM)
    services.engine.start("quick", actor=SYSTEM)
    failing = services.engine.start("calc", actor=SYSTEM)
    with services.db.reading() as session:
        task = session.scalars(select(HumanTask).where(HumanTask.instance_id == failing)).one()
    services.engine.complete(task.id, actor=SYSTEM, data={"divisor": 0})
    return base, services


def test_the_managers_start_page_figures_match_the_database_and_link_to_the_filtered_list(busy, page):
    from sqlalchemy import func, select

    from engine.store.models import HumanTask, Incident, ProcessInstance

    base, services = busy
    now = dt.datetime.now(dt.UTC)
    with services.db.reading() as session:
        open_work = HumanTask.status.in_(("open", "claimed"))
        expected = {
            "open": session.scalar(select(func.count()).select_from(HumanTask).where(open_work)),
            "overdue": session.scalar(select(func.count()).select_from(HumanTask)
                                      .where(open_work, HumanTask.due_at < now)),
            "incidents": session.scalar(select(func.count()).select_from(Incident)
                                        .where(Incident.resolved_at.is_(None))),
        }
        late_instances = session.scalar(select(func.count(func.distinct(HumanTask.instance_id)))
                                        .where(open_work, HumanTask.due_at < now))
        completed = session.scalar(select(func.count()).select_from(ProcessInstance).where(
            ProcessInstance.status == "completed", ProcessInstance.ended_at >= now - dt.timedelta(days=29)))
    assert expected["overdue"] == 2 and expected["incidents"] == 1 and completed >= 1

    page.goto(base + "/login")
    page.fill("input[name=username]", "m.chefin")
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r"/manage/$"))
    page.wait_for_selector("#throughput-chart[data-ready=true]")
    assert {name: int(page.inner_text(f"#fig-{name}")) for name in expected} == expected
    per_row = [int(text) for text in page.locator("#open-work tbody tr td:nth-child(3)").all_inner_texts()]
    assert sum(per_row) == expected["open"]
    assert f"({completed} in 30 Tagen)" in page.inner_text("main")
    assert "Nachfassen" in page.inner_text("#oldest-overdue")

    page.click("#fig-overdue")
    page.wait_for_url(re.compile(r"/manage/instances\?overdue=1"))
    assert f"{late_instances} Vorgänge" in page.inner_text("main")
