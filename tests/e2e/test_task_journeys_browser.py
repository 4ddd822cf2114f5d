"""Working the inbox in Chromium: typed input survives a session expiry; the inbox on a phone and by keyboard."""

from __future__ import annotations

import re

from sqlalchemy import select

from engine.store.models import AuditEvent, HumanTask
from tests.web.scenario import PASSWORD

TASK_NAME = "AsylbLG zum Monatsende einstellen"


def _sign_in(page, base: str, username: str, *, start: str = "/login") -> None:
    if start:
        page.goto(f"{base}{start}")
    page.get_by_label("Benutzername").fill(username)
    page.get_by_label("Passwort", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()


def test_input_typed_before_the_session_expired_is_restored_after_signing_in_and_completes(
        live_app, scene, page, artifacts):
    app, base = live_app
    services = app.extensions["kimflow"]
    _sign_in(page, base, "s.sozial")
    page.wait_for_url(re.compile(r".*/aufgaben.*"))
    page.goto(f"{base}/aufgabe/{scene.sozialamt_task}")
    page.locator("#f-last_payment_date").fill("2026-03-31")
    status = page.locator("#autosave-status")
    status.filter(has_text="Entwurf gespeichert um").wait_for()

    page.context.clear_cookies()  # the session is gone, as after the idle timeout
    page.get_by_label("Überleitung an Jobcenter / SGB XII übersandt").check()
    status.filter(has_text="Ihre Sitzung ist abgelaufen").wait_for()
    page.get_by_role("button", name="Erledigen", exact=True).click()
    page.wait_for_url(re.compile(r".*/login\?next=.*"))
    page.screenshot(path=str(artifacts / "task-session-expired.png"), full_page=True)

    _sign_in(page, base, "s.sozial", start="")
    page.wait_for_url(re.compile(rf".*/aufgabe/{scene.sozialamt_task}$"))
    status.filter(has_text="Ihre Eingaben wurden wiederhergestellt").wait_for()
    assert page.locator("#f-last_payment_date").input_value() == "2026-03-31"
    assert page.get_by_label("Überleitung an Jobcenter / SGB XII übersandt").is_checked()
    page.get_by_role("button", name="Erledigen", exact=True).click()
    page.wait_for_url(re.compile(r".*/aufgaben.*"))
    assert "ist erledigt" in page.locator(".flashes").inner_text()

    with services.db.reading() as session:
        task = session.get(HumanTask, scene.sozialamt_task)
        fields = session.scalar(select(AuditEvent.details).where(AuditEvent.action == "task_completed",
                                                                 AuditEvent.task_id == scene.sozialamt_task))
    assert (task.status, task.completed_by) == ("completed", "s.sozial")
    assert {"last_payment_date", "transfer_sent"} <= set(fields["fields"])
    data = services.engine.show(scene.instance_id).data
    assert (data["last_payment_date"], data["transfer_sent"]) == ("2026-03-31", True)
    assert page.evaluate("Object.keys(window.sessionStorage).filter(k => k.startsWith('kimflow:task:'))") == []


def test_on_a_phone_the_inbox_shows_cards_filters_behind_a_button_and_a_skip_link_to_the_tasks(
        live_app, scene, browser, artifacts):
    app, base = live_app
    context = browser.new_context(locale="de-DE", timezone_id="Europe/Berlin", viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        _sign_in(page, base, "s.sozial")
        page.wait_for_url(re.compile(r".*/aufgaben/gruppe$"))  # nothing of their own yet: the group queue
        assert not page.locator("#suche").is_visible()
        page.locator("details.filter-toggle > summary").click()
        assert page.locator("#suche").is_visible()
        row = page.locator("table.task-table tbody tr").first
        assert row.evaluate("el => getComputedStyle(el).display") == "block"
        assert page.locator("table.task-table thead").evaluate("el => el.getBoundingClientRect().right") < 0
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
        page.screenshot(path=str(artifacts / "inbox-phone.png"), full_page=True)

        page.goto(f"{base}/aufgaben/gruppe")
        presses = 0
        for _ in range(5):
            page.keyboard.press("Tab")
            presses += 1
            focused = page.evaluate("[document.activeElement.getAttribute('href'), document.activeElement.textContent]")
            if focused[0] in ("#main", "#task-list"):
                page.keyboard.press("Enter")
            elif focused[1].strip() == TASK_NAME:
                break
        assert focused[1].strip() == TASK_NAME and presses <= 5
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(rf".*/aufgabe/{scene.sozialamt_task}$"))
    finally:
        context.close()


def _fill_and(page, button: str) -> None:
    page.locator("#f-last_payment_date").fill("2026-03-31")
    page.get_by_label("Überleitung an Jobcenter / SGB XII übersandt").check()
    page.get_by_role("button", name=button, exact=True).click()


def test_erledigen_und_naechste_walks_the_filtered_queue_and_erledigen_returns_to_it(live_app, scene, page):
    from tests.web import scenario

    app, base = live_app
    second = scenario.benefit_transfer_at_sozialamt(app.extensions["kimflow"].engine).sozialamt_task
    _sign_in(page, base, "s.sozial")
    page.wait_for_url(re.compile(r".*/aufgaben/gruppe$"))
    page.get_by_label("Prozess").select_option("benefit_transfer")
    page.get_by_role("button", name="Anwenden").click()
    page.wait_for_url(re.compile(r".*prozess=benefit_transfer.*"))
    page.get_by_role("link", name=TASK_NAME).first.click()
    first = page.url.rsplit("/", 1)[-1]
    _fill_and(page, "Erledigen und nächste")
    page.wait_for_url(re.compile(rf".*/aufgabe/(?!{first})[0-9a-f-]+$"))
    assert page.url.rsplit("/", 1)[-1] in ({scene.sozialamt_task, second} - {first})
    assert "ist erledigt" in page.locator(".flashes").inner_text()
    _fill_and(page, "Erledigen")
    page.wait_for_url(re.compile(r".*/aufgaben/gruppe\?.*prozess=benefit_transfer.*"))
    assert page.get_by_label("Prozess").input_value() == "benefit_transfer"


def test_a_task_handed_to_another_unit_of_the_office_arrives_there_with_its_reason(live_app, scene, page):
    _app, base = live_app
    _sign_in(page, base, "s.sozial")
    page.wait_for_url(re.compile(r".*/aufgaben.*"))
    page.goto(f"{base}/aufgabe/{scene.sozialamt_task}")
    page.get_by_label("Weitergeben an").select_option("einheit:sozialamt_kaarst")
    page.get_by_label("Grund der Weitergabe").fill("Umzug nach Kaarst")
    page.get_by_role("button", name="Weitergeben").click()
    assert "weitergegeben" in page.locator(".flashes").inner_text()
    page.get_by_role("button", name="Abmelden").click()
    _sign_in(page, base, "k.kaarst")
    page.wait_for_url(re.compile(r".*/aufgaben/gruppe$"))
    page.get_by_role("link", name=TASK_NAME).click()
    assert "Umzug nach Kaarst" in page.locator("#handover-reason").inner_text()
