"""The properties panel in Chromium: an enum field with options and limits, deployed and used by an instance."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine.core.actors import Actor
from engine.core.errors import FormErrors
from engine.identity import org
from engine.read import lists as queries

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
DIAGRAM = ROOT / "tests" / "scenarios" / "antrag.bpmn"
# A process id of this test's own, so the version numbers do not depend on what the database already holds.
KEY = "antrag_panel"
PASSWORD = "geheim-geheim-42"
SYSTEM = Actor.system_actor("test")


@pytest.fixture
def server(live_app):
    """Serve the app with a designer and the `antrag` diagram deployed under this test's own process id."""
    app, base = live_app
    services = app.extensions["kimflow"]
    with services.db.unit_of_work() as session:
        org.create_user(session, "d.berg", "Dana Berg", PASSWORD, actor="test", role="designer")
    xml = (DIAGRAM.read_text().replace('<bpmn:process id="antrag"', f'<bpmn:process id="{KEY}"')
           .replace('bpmnElement="antrag"', f'bpmnElement="{KEY}"'))
    services.engine.deploy({f"{KEY}.bpmn": xml}, actor=SYSTEM)
    return base, services


def _open_designer(page, base: str) -> None:
    page.goto(base + "/login")
    page.fill("input[name=username]", "d.berg")
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    page.goto(base + f"/designer/process/{KEY}/")
    page.wait_for_selector("#designer[data-ready=true]")


def _user_task_with_enum_field(page) -> None:
    page.click('.djs-element[data-element-id="gw"]')
    page.click('.djs-context-pad .entry[data-action="append.append-task"]')
    page.keyboard.press("Escape")
    page.click('.djs-context-pad .entry[data-action="replace"]')
    page.click('.djs-popup .entry[data-id="replace-with-user-task"]')
    page.fill("#prop-id", "einstufen")
    page.fill("#prop-candidateGroups", "sozialamt")
    page.press("#prop-candidateGroups", "Tab")
    page.fill("#prop-dueDate", "3 Tage")
    page.press("#prop-dueDate", "Tab")
    page.click("#prop-add-field")
    page.fill("#field-0-id", "stufe")
    page.press("#field-0-id", "Tab")
    page.select_option("#field-0-type", "enum")
    page.click("#field-0-add-option")
    page.fill("#field-0-option-0-id", "hoch")
    page.press("#field-0-option-0-id", "Tab")
    page.fill("#field-0-option-0-name", "Hohe Dringlichkeit")
    page.press("#field-0-option-0-name", "Tab")
    page.check("#field-0-required")


def test_an_enum_option_added_in_the_panel_reaches_the_form_of_a_started_instance(server, page):
    base, services = server
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    _open_designer(page, base)
    _user_task_with_enum_field(page)
    assert not errors
    assert "kein gültiges Datum" in page.inner_text("#prop-dueDate-problem")

    page.click("#btn-save")
    page.wait_for_selector("#message:has-text('Gespeichert')")
    due_problem = page.locator('#problems li[data-element-id="einstufen"]', has_text="Fälligkeit")
    due_problem.click()
    page.fill("#prop-dueDate", "P3D")
    page.press("#prop-dueDate", "Tab")
    for flow_id in [m.get_attribute("data-element-id") for m in page.locator(".djs-element.kf-error").all()
                    if m.get_attribute("data-element-id") != "einstufen"]:
        page.locator(f'#problems li[data-element-id="{flow_id}"]').first.click()
        page.fill("#prop-condition", "${amount < 10}")
        page.press("#prop-condition", "Tab")
    page.click("#btn-save")
    # Wait for this save's own message: the first save's "Gespeichert. ... Fehler" is still shown until then.
    page.locator("#message", has_text=re.compile(r"^Gespeichert\.$")).wait_for()
    with services.db.reading() as session:
        deployed = services.engine.library.latest(session, KEY).version
    page.click("#btn-deploy")
    page.wait_for_selector(f"#message:has-text('Bereitgestellt: {KEY} Version {deployed + 1}')")

    engine = services.engine
    instance = engine.start(KEY, actor=SYSTEM)
    with services.db.reading() as session:
        first = queries.open_tasks(session, instance_id=instance)[0]
    engine.complete(first.id, actor=SYSTEM, data={"amount": 5})
    with services.db.reading() as session:
        [task] = queries.open_tasks(session, instance_id=instance)
    form, _data = engine.task_form(task.id)
    [field] = form.fields
    assert (task.element_id, field.id, field.type, field.required) == ("einstufen", "stufe", "enum", True)
    assert field.options == [("hoch", "Hohe Dringlichkeit")]
    engine.complete(task.id, actor=SYSTEM, data={"stufe": "hoch"})


def test_date_bounds_entered_in_the_panel_are_checked_when_the_task_is_completed(server, page):
    base, services = server
    _open_designer(page, base)
    page.click('.djs-element[data-element-id="record"]')
    page.click("#prop-add-field")
    page.fill("#field-1-id", "eingang")
    page.press("#field-1-id", "Tab")
    page.select_option("#field-1-type", "date")
    page.fill("#field-1-min", "2020-01-01")
    page.press("#field-1-min", "Tab")
    page.fill("#field-1-max", "today")
    page.press("#field-1-max", "Tab")
    page.click("#btn-save")
    page.locator("#message", has_text=re.compile(r"^Gespeichert\.$")).wait_for()
    with services.db.reading() as session:
        deployed = services.engine.library.latest(session, KEY).version
    page.click("#btn-deploy")
    page.wait_for_selector(f"#message:has-text('Bereitgestellt: {KEY} Version {deployed + 1}')")

    instance = services.engine.start(KEY, actor=SYSTEM)
    with services.db.reading() as session:
        [task] = queries.open_tasks(session, instance_id=instance)
    form, _data = services.engine.task_form(task.id)
    field = form.field("eingang")
    assert (field.type, field.min_date, field.max_date) == ("date", "2020-01-01", "today")
    with pytest.raises(FormErrors) as refused:
        services.engine.complete(task.id, actor=SYSTEM, data={"amount": 5, "eingang": "31.12.2019"})
    assert refused.value.errors == {"eingang": ["Das Datum darf nicht vor dem 01.01.2020 liegen"]}
    with pytest.raises(FormErrors) as refused:
        services.engine.complete(task.id, actor=SYSTEM, data={"amount": 5, "eingang": "2099-01-01"})
    assert refused.value.errors["eingang"][0].startswith("Das Datum darf nicht nach dem")
    services.engine.complete(task.id, actor=SYSTEM, data={"amount": 5, "eingang": "02.01.2020"})
    assert services.engine.show(instance).data["eingang"] == "2020-01-02"
