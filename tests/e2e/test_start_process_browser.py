"""End to end in Chromium: a clerk starts a process from the start page (a wrong start form is answered by the
fields, the right one lands on the new task), and a case manager starts one from the case file."""

from __future__ import annotations

import re

import pytest

from tests.e2e.test_workspace_browser import sign_in
from tests.web.test_start_process import seed_start_scene


@pytest.fixture
def cases(live_app, restore_template):
    app, _base = live_app
    return restore_template("start_process", seed_start_scene, app.extensions["kimflow"].db)


def test_a_clerk_corrects_the_start_form_and_lands_on_the_new_task(live_app, cases, page):
    _app, base = live_app
    sign_in(page, base, "s.neuss")
    page.get_by_role("link", name="Fälle", exact=True).click()
    page.get_by_role("link", name="Vorgang starten").click()
    assert "Fallkonferenz" not in page.locator("#startable").inner_text()
    page.get_by_role("link", name="Antrag auf Hilfe").click()
    page.get_by_label("Wohnort").select_option("neuss")
    page.get_by_label("Personen im Haushalt").fill("0")
    page.get_by_role("button", name="Vorgang starten").click()

    assert page.locator("#f-household_size-error").inner_text() == "Wert muss ≥ 1 sein"
    assert page.locator("#f-applied_on-error").inner_text() == "Pflichtfeld"
    assert page.get_by_label("Wohnort").input_value() == "neuss"  # what was typed is kept
    page.get_by_label("Personen im Haushalt").fill("3")
    page.get_by_label("Antrag vom").fill("2026-03-02")
    page.get_by_label("Eilig").check()
    page.get_by_role("button", name="Vorgang starten").click()

    page.wait_for_url(re.compile(r".*/aufgabe/[0-9a-f-]+$"))
    assert "ist gestartet" in page.locator(".flashes").inner_text()
    assert page.get_by_role("heading", name="Antrag auf Hilfe bearbeiten").is_visible()


def test_a_case_manager_starts_a_process_from_the_case_file(live_app, cases, page):
    _app, base = live_app
    sign_in(page, base, "c.neuss")
    page.goto(f"{base}/fall/{cases['neuss']}")
    page.get_by_role("link", name="Vorgang starten").click()
    page.get_by_role("link", name="Fallkonferenz einberufen").click()
    page.get_by_role("button", name="Vorgang starten").click()
    assert page.locator("#f-topic-error").inner_text() == "Pflichtfeld"
    page.get_by_label("Anlass").fill("Wohnungssuche stockt")
    page.get_by_role("button", name="Vorgang starten").click()

    page.wait_for_url(re.compile(r".*/aufgabe/[0-9a-f-]+$"))
    assert cases["neuss"] in page.locator("main").inner_text()
