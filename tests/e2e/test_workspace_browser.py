"""End to end in Chromium: a benefit transfer passes from the Sozialamt to the Jobcenter through the workspace."""

from __future__ import annotations

import re

from sqlalchemy import select

from engine.store.models import HumanTask
from tests.web.scenario import PASSWORD


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Benutzername").fill(username)
    page.get_by_label("Passwort", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(re.compile(r".*/aufgaben.*"))


def sign_out(page) -> None:
    page.get_by_role("button", name="Abmelden").click()
    page.wait_for_url(re.compile(r".*/login.*"))


def test_sozialamt_completes_the_task_and_the_jobcenter_finds_the_follow_up(live_app, scene, page, artifacts):
    app, base = live_app
    sign_in(page, base, "s.sozial")
    page.get_by_role("link", name=re.compile("Gruppenaufgaben")).click()
    row = page.get_by_role("row", name=re.compile("AsylbLG zum Monatsende einstellen"))
    row.get_by_role("button", name=re.compile("Übernehmen")).click()
    page.get_by_role("link", name=re.compile("Meine Aufgaben")).click()
    assert page.locator("#badge-mine").inner_text() == "1"
    page.screenshot(path=str(artifacts / "inbox.png"), full_page=True)

    page.get_by_role("link", name="AsylbLG zum Monatsende einstellen").click()
    page.get_by_role("button", name="Erledigen", exact=True).click()
    assert page.locator("#f-last_payment_date-error").inner_text() == "Pflichtfeld"
    assert "Bitte korrigieren Sie die markierten Felder" in page.locator("#error-summary").inner_text()
    page.locator("#f-last_payment_date").fill("2026-03-31")
    page.get_by_label("Überleitung an Jobcenter / SGB XII übersandt").check()
    page.get_by_role("button", name="Erledigen", exact=True).click()
    page.wait_for_url(re.compile(r".*/aufgaben/meine(\?landen=1)?$"))  # back to the view it was opened from
    assert "ist erledigt" in page.locator(".flashes").inner_text()
    sign_out(page)

    sign_in(page, base, "j.center")
    page.get_by_role("link", name=re.compile("Gruppenaufgaben")).click()
    follow_up = page.get_by_role("row", name=re.compile("Antrag entscheiden"))
    assert scene.case_ref in follow_up.inner_text()


def test_a_clerk_of_another_unit_cannot_open_the_follow_up_task(live_app, scene, page):
    app, base = live_app
    services = app.extensions["kimflow"]
    with services.db.reading() as session:
        task_id = session.scalar(select(HumanTask.id).where(HumanTask.id == scene.sozialamt_task))
    sign_in(page, base, "k.kaarst")
    response = page.goto(f"{base}/aufgabe/{task_id}")
    assert response.status == 404
    assert "AsylbLG" not in page.content()


def test_the_case_file_shows_the_person_timeline_and_open_tasks(live_app, scene, page, artifacts):
    app, base = live_app
    sign_in(page, base, "f.fall")
    page.goto(f"{base}/fall/{scene.case_ref}")
    assert "Haddad" in page.locator("#person-title + dl").inner_text()
    assert page.locator("ol.timeline li").count() > 3
    assert "Sozialamt Stadt Neuss" in page.locator("#tasks-title + table").inner_text()
    page.screenshot(path=str(artifacts / "case-file.png"), full_page=True)


def test_the_task_page_draws_the_diagram_with_the_current_step(live_app, scene, page, artifacts):
    app, base = live_app
    sign_in(page, base, "s.sozial")
    page.goto(f"{base}/aufgabe/{scene.sozialamt_task}")
    page.wait_for_selector("#diagram[data-loaded='true']", timeout=15000)
    assert page.locator("#diagram .current-step").count() == 1
    page.screenshot(path=str(artifacts / "task.png"), full_page=True)


def test_the_interface_switches_to_english(live_app, scene, page):
    app, base = live_app
    page.goto(f"{base}/login")
    page.get_by_role("button", name="English").click()
    assert page.get_by_role("heading", name="Sign in").is_visible()
