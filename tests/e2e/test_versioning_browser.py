"""Versioning in Chromium: deploying over running instances asks first, the diff shows one process, the migration
page selects nothing until the designer picks instances."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine.core.actors import Actor
from engine.identity import org
from engine.store.models import ProcessInstance
from tests.bpmn_builder import build, user

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
ANTRAG = (ROOT / "tests" / "scenarios" / "antrag.bpmn").read_text()
PASSWORD = "geheim-geheim-42"
SYSTEM = Actor.system_actor("test")


def diagram(process_id: str, *, decide_group: str = "jobcenter") -> str:
    """Return the laid-out `antrag` diagram under a process id of this test's own."""
    return (ANTRAG.replace('<bpmn:process id="antrag"', f'<bpmn:process id="{process_id}"')
            .replace('bpmnElement="antrag"', f'bpmnElement="{process_id}"')
            .replace('camunda:candidateGroups="jobcenter"', f'camunda:candidateGroups="{decide_group}"'))


@pytest.fixture
def server(live_app):
    """Serve the app with a designer; return (base URL, services)."""
    app, base = live_app
    services = app.extensions["kimflow"]
    with services.db.unit_of_work() as session:
        org.create_user(session, "d.berg", "Dana Berg", PASSWORD, actor="test", role="designer")
    return base, services


def _sign_in(page, base: str) -> None:
    page.goto(base + "/login")
    page.fill("input[name=username]", "d.berg")
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def _latest(services, process_id: str) -> int:
    with services.db.reading() as session:
        return services.engine.library.latest(session, process_id).version


def _versions(services, ids: list[int]) -> list[int]:
    with services.db.reading() as session:
        return [session.get(ProcessInstance, i).version for i in ids]


def test_deploying_over_running_instances_asks_with_the_counts_and_deploys_only_when_confirmed(server, page):
    base, services = server
    services.engine.deploy({"vers_deploy.bpmn": diagram("vers_deploy")}, actor=SYSTEM)
    for _ in range(3):
        services.engine.start("vers_deploy", actor=SYSTEM)
    questions: list[str] = []
    answers = iter([False, True])

    def answer(dialog):
        questions.append(dialog.message)
        dialog.accept() if next(answers) else dialog.dismiss()

    page.on("dialog", answer)
    _sign_in(page, base)
    page.goto(base + "/designer/process/vers_deploy/")
    page.wait_for_selector("#designer[data-ready=true]")
    page.click('.djs-element[data-element-id="decide"]')
    page.fill("#prop-name", "Entscheiden (neu)")
    page.press("#prop-name", "Tab")
    page.click("#btn-save")
    page.wait_for_selector("#message:has-text('Gespeichert')")

    page.click("#btn-deploy")
    page.wait_for_selector("#message:has-text('Nicht bereitgestellt')")
    assert questions == ["3 Vorgänge laufen auf älteren Versionen (3 auf Version 1). Sie bleiben dort, bis Sie sie "
                         "migrieren. Trotzdem bereitstellen?"]
    assert _latest(services, "vers_deploy") == 1

    page.click("#btn-deploy")
    page.wait_for_selector("#message:has-text('Bereitgestellt: vers_deploy Version 2')")
    assert len(questions) == 2 and _latest(services, "vers_deploy") == 2
    assert page.locator("#migration-link").is_visible()


def test_the_diff_compares_one_process_and_marks_only_its_changed_step(server, page):
    base, services = server
    other = build("vers_other", [("start", "s"), user("u", "Anderes", "abh"), ("end", "e")],
                  [("s", "u"), ("u", "e")])
    services.engine.deploy({"vers_diff.bpmn": diagram("vers_diff"), "vers_other.bpmn": other}, actor=SYSTEM)
    services.engine.deploy({"vers_diff.bpmn": diagram("vers_diff", decide_group="abh")}, actor=SYSTEM)
    _sign_in(page, base)
    page.goto(base + "/designer/process/vers_diff/vergleich?von=1&nach=2")
    page.wait_for_selector("#diff-canvas[data-ready=true]")
    assert page.locator(".djs-element.kf-changed").count() == 1
    assert page.locator('.djs-element.kf-changed[data-element-id="decide"]').count() == 1
    assert page.locator(".djs-element.kf-removed, .djs-element.kf-added").count() == 0
    assert page.locator("ul.diff-changed li").all_inner_texts() == [
        "Entscheiden (Aufgabe): Eigenschaften (Zuständigkeit, Fristen, Priorität, Formular)"]
    assert page.locator("ul.diff-removed li").all_inner_texts() == ["nichts"]


def test_the_migration_page_selects_nothing_and_moves_only_the_picked_instance(server, page):
    base, services = server
    services.engine.deploy({"vers_move.bpmn": diagram("vers_move")}, actor=SYSTEM)
    picked, left = (services.engine.start("vers_move", actor=SYSTEM, business_key=f"AZ-{n}") for n in (1, 2))
    held = services.engine.start("vers_move", actor=SYSTEM, business_key="AZ-3")
    services.engine.suspend(held, actor=SYSTEM)
    services.engine.deploy({"vers_move.bpmn": diagram("vers_move", decide_group="abh")}, actor=SYSTEM)
    _sign_in(page, base)
    page.goto(base + "/designer/process/vers_move/migration")
    boxes = page.locator("input[name=instance_id]")
    assert boxes.count() == 2 and page.locator("input[name=instance_id]:checked").count() == 0
    assert page.inner_text("#pick-count") == "0 ausgewählt"
    assert "Antrag erfassen" in page.inner_text(f"#instance-{picked}")
    assert "dieser ist angehalten" in page.inner_text(f"#instance-{held}")
    assert page.locator(f"#pick-{held}").count() == 0

    page.click("#migration-form button[type=submit]")
    page.wait_for_selector(".flash:has-text('Bitte mindestens einen Vorgang auswählen')")
    assert _versions(services, [picked, left, held]) == [1, 1, 1]

    page.check(f"#pick-{picked}")
    assert page.inner_text("#pick-count") == "1 ausgewählt"
    page.click("#migration-form button[type=submit]")
    page.wait_for_selector(".flash", state="attached")
    assert re.search(r"1 Vorgänge auf Version 2 umgezogen\.", page.inner_text(".flashes"))
    assert _versions(services, [picked, left, held]) == [2, 1, 1]
