"""The designer in Debian's Chromium: model a new user task, fix a validation error, deploy, run it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine.core.actors import Actor
from engine.identity import org
from engine.read import lists as queries

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
DIAGRAM = ROOT / "tests" / "scenarios" / "antrag.bpmn"
ARTIFACTS = ROOT / "test-artifacts"
PASSWORD = "geheim-geheim-42"
SYSTEM = Actor.system_actor("test")


@pytest.fixture
def server(live_app):
    """Serve the app (conftest's live_app) with a designer and the `antrag` process deployed."""
    app, base = live_app
    services = app.extensions["kimflow"]
    with services.db.unit_of_work() as session:
        org.create_user(session, "d.berg", "Dana Berg", PASSWORD, actor="test", role="designer")
    services.engine.deploy({"antrag.bpmn": DIAGRAM.read_bytes()}, actor=SYSTEM)
    return base, services

def _sign_in(page, base: str) -> None:
    page.goto(base + "/login")
    page.fill("input[name=username]", "d.berg")
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def _add_user_task_after_gateway(page) -> None:
    page.click('.djs-element[data-element-id="gw"]')
    page.click('.djs-context-pad .entry[data-action="append.append-task"]')
    page.keyboard.press("Escape")  # leave the label editor the new task opens with
    page.click('.djs-context-pad .entry[data-action="replace"]')
    page.click('.djs-popup .entry[data-id="replace-with-user-task"]')
    page.fill("#prop-id", "pruefen")
    page.fill("#prop-name", "Kleinbetrag prüfen")
    page.fill("#prop-candidateGroups", "sozialamt")
    page.press("#prop-candidateGroups", "Tab")
    page.click("#prop-add-field")
    page.fill("#field-0-id", "geprueft")
    page.fill("#field-0-label", "Geprüft am")
    page.press("#field-0-label", "Tab")


def test_designer_adds_a_user_task_fixes_a_missing_condition_deploys_and_an_instance_reaches_it(server, page):
    base, services = server
    _sign_in(page, base)
    page.goto(base + "/designer/process/antrag/")
    page.wait_for_selector("#designer[data-ready=true]")
    _add_user_task_after_gateway(page)

    page.click("#btn-save")
    page.wait_for_selector("#message:has-text('Gespeichert')")
    marker = page.wait_for_selector(".djs-element.kf-error")
    flow_id = marker.get_attribute("data-element-id")
    problem = page.locator(f'#problems li[data-element-id="{flow_id}"]')
    assert "Bedingung" in problem.inner_text()
    page.locator(".kf-problem").first.hover()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "designer-validation-marker.png"), full_page=True)

    problem.click()  # selects the flow on the diagram
    page.fill("#prop-condition", "${amount < 10}")
    page.press("#prop-condition", "Tab")
    page.click("#btn-save")
    page.locator("#message", has_text=re.compile(r"^Gespeichert\.$")).wait_for()
    assert page.locator(".djs-element.kf-error").count() == 0, page.inner_text("#problems")

    page.click("#btn-deploy")
    page.wait_for_selector("#message:has-text('Bereitgestellt: antrag Version 2')")
    page.screenshot(path=str(ARTIFACTS / "designer-deployed.png"), full_page=True)

    engine = services.engine
    instance = engine.start("antrag", actor=SYSTEM)
    with services.db.reading() as session:
        record = queries.open_tasks(session, instance_id=instance)[0]
    engine.complete(record.id, actor=SYSTEM, data={"amount": 5})
    with services.db.reading() as session:
        [task] = queries.open_tasks(session, instance_id=instance)
    assert (task.element_id, task.name, task.office) == ("pruefen", "Kleinbetrag prüfen", "sozialamt")
    form, _data = engine.task_form(task.id)
    assert [field.id for field in form.fields] == ["geprueft"]


def test_designer_edits_a_new_decision_table_and_sees_a_version_diff_on_the_diagram(server, page):
    base, services = server
    changed = DIAGRAM.read_text().replace('camunda:candidateGroups="jobcenter"', 'camunda:candidateGroups="abh"')
    services.engine.deploy({"antrag.bpmn": changed}, actor=SYSTEM)
    _sign_in(page, base)
    page.goto(base + "/designer/")
    page.select_option("#new-kind", "decision")
    page.fill("#new-id", "zustaendigkeit")
    page.fill("#new-name", "Zuständigkeit")
    page.click("text=Entwurf anlegen")
    page.wait_for_selector("#designer[data-ready=true]")
    page.wait_for_selector(".tjs-table")
    page.click("#btn-save")
    page.wait_for_selector("#message:has-text('Gespeichert')")

    page.goto(base + "/designer/process/antrag/vergleich?von=1&nach=2")
    page.wait_for_selector("#diff-canvas[data-ready=true]")
    assert page.locator('.djs-element.kf-changed[data-element-id="decide"]').count() == 1
    page.screenshot(path=str(ARTIFACTS / "designer-version-diff.png"), full_page=True)


def test_the_editor_its_panel_and_its_messages_speak_english_in_english_mode(server, page):
    base, _services = server
    _sign_in(page, base)
    page.goto(base + "/designer/process/antrag/")
    page.click("form.language-switch button[value=en]")
    page.wait_for_selector("#designer[data-ready=true]")
    page.click('.djs-element[data-element-id="decide"]')
    panel = page.inner_text("#panel")
    assert "Form fields" in panel and "Add form field" in panel and "Formularfelder" not in panel
    page.fill("#prop-dueDate", "3 Tage")
    page.press("#prop-dueDate", "Tab")
    assert "is not a valid date" in page.inner_text("#prop-dueDate-problem")
    page.fill("#prop-dueDate", "P3D")
    page.press("#prop-dueDate", "Tab")
    page.click("#btn-save")
    page.locator("#message", has_text=re.compile(r"^Saved\.$")).wait_for()
    assert page.inner_text("#draft-state").startswith("Draft revision 1, saved by")
