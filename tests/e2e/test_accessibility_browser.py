"""Accessibility basics in the real browser: labels, landmarks, one h1, skip link first in the focus order."""

from __future__ import annotations

from tests.e2e.test_workspace_browser import sign_in

UNLABELLED = """() => Array.from(document.querySelectorAll('input, select, textarea'))
  .filter(el => el.type !== 'hidden' && !el.closest('[hidden]'))
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                && !el.getAttribute('aria-labelledby'))
  .map(el => el.name || el.id || el.outerHTML.slice(0, 60))"""


def _check_page(page) -> None:
    assert page.evaluate(UNLABELLED) == [], page.url
    assert page.locator("h1").count() == 1, page.url
    for landmark in ("header", "main", "footer", "nav"):
        assert page.locator(landmark).count() >= 1, (page.url, landmark)
    assert page.locator("html").get_attribute("lang") == "de"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link", page.url


def test_workspace_pages_have_labels_landmarks_and_a_skip_link(live_app, scene, page):
    app, base = live_app
    sign_in(page, base, "s.sozial")
    for path in ("/aufgaben", "/aufgaben/gruppe", f"/aufgabe/{scene.sozialamt_task}", f"/fall/{scene.case_ref}",
                 "/passwort"):
        page.goto(base + path)
        _check_page(page)


def test_case_management_and_administration_pages_are_labelled(live_app, scene, page):
    app, base = live_app
    sign_in(page, base, "f.fall")
    page.goto(f"{base}/fall/{scene.case_ref}")
    _check_page(page)
    page.get_by_text("Einwilligung erfassen").click()
    assert page.evaluate(UNLABELLED) == []
    page.goto(f"{base}/login")
    page.get_by_role("button", name="Abmelden").click()
    page.get_by_label("Benutzername").fill("admin")
    page.get_by_label("Passwort", exact=True).fill("geheim-geheim-42")
    page.get_by_role("button", name="Anmelden").click()
    for path in ("/verwaltung/benutzer", "/verwaltung/benutzer/s.sozial", "/verwaltung/stellen",
                 "/verwaltung/zustaendigkeiten"):
        page.goto(base + path)
        _check_page(page)
