"""End to end in Chromium: intake opens a case whose first task waits in the right inbox; the case list, the person
search and recording the agency's answer on a work permit."""

from __future__ import annotations

import re

import pytest

from tests.e2e.test_workspace_browser import sign_in, sign_out
from tests.web.cases_scene import seed_district, seed_permit_waiting
from tests.web.test_case_file_substance import seed_plan_case


@pytest.fixture
def district(live_app, restore_template):
    app, _base = live_app
    return restore_template("cases_district", seed_district, app.extensions["kimflow"].db)


@pytest.fixture
def permit(live_app, restore_template):
    app, _base = live_app
    return restore_template("cases_permit", seed_permit_waiting, app.extensions["kimflow"].db)


@pytest.fixture
def plan_case(live_app, restore_template):
    app, _base = live_app
    return restore_template("cases_plan", seed_plan_case, app.extensions["kimflow"].db)


def test_case_file_journey_plan_completed_form_reminder_and_deadline(live_app, plan_case, page):
    _app, base = live_app
    sign_in(page, base, "c.neuss")
    page.get_by_role("link", name="Fälle", exact=True).click()
    page.get_by_role("link", name=plan_case["neuss"], exact=True).click()
    assert "Al-Hassan, Mohammed" in page.get_by_role("heading", level=1).inner_text()
    plan = page.locator("#plan")
    assert "Duldung verlängert" in plan.inner_text() and "Mietkosten bewilligt" in plan.inner_text()

    late = page.locator("#late-work")
    assert "Ausländerbehörde Stadt Neuss" in late.inner_text() and "5 Tage überfällig" in late.inner_text()
    late.get_by_role("button", name=re.compile("Erinnerung senden")).click()
    assert "Die Erinnerung wurde an die zuständige Stelle gesendet." in page.locator(".flashes").inner_text()
    assert "heute erinnert" in page.locator("#late-work").inner_text()

    deadlines = page.locator("section", has=page.get_by_role("heading", name="Fristen"))
    row = deadlines.get_by_role("row", name=re.compile("Aufenthaltstitel läuft ab"))
    row.locator("summary").click()
    row.get_by_label("Grund").fill("Neuer Titel liegt vor")
    row.get_by_role("button", name="Frist schließen").click()
    assert "geschlossen: Neuer Titel liegt vor" in page.locator("section", has=page.get_by_role(
        "heading", name="Fristen")).inner_text()

    timeline = page.locator("ol.timeline")
    timeline.locator("li", has_text="Sozialamt Stadt Neuss: Aufgabe „Anfrage bearbeiten“ erledigt").get_by_role(
        "link", name="Formular ansehen").click()
    form = page.locator("#completed-form")
    assert "Rückmeldung an das Fallmanagement" in form.inner_text() and "Mietkosten bewilligt" in form.inner_text()
    assert page.locator("#completed-form input, #completed-form textarea").count() == 0

    sign_out(page)
    sign_in(page, base, "a.neuss")
    page.goto(f"{base}/aufgabe/{plan_case['abh_task']}")
    assert "Das Fallmanagement hat am" in page.locator("#task-reminder").inner_text()
    page.goto(f"{base}/aufgabe/{plan_case['sozialamt_task']}/ansicht")
    assert page.locator("#completed-form").count() == 0  # another office's answer stays closed


def test_intake_opens_the_case_and_the_referral_waits_in_neuss_case_management(live_app, district, page):
    _app, base = live_app
    sign_in(page, base, "c.neuss")
    page.get_by_role("link", name="Fälle", exact=True).click()
    page.get_by_role("link", name="Neue Person / neuer Fall").click()
    page.get_by_label("Vorname").fill("Mohammed")
    page.get_by_label("Familienname").fill("Al-Hassan")
    page.get_by_label("Geburtsdatum").fill("1990-05-17")
    page.get_by_label("Wohnort (Kommune)").select_option("neuss")
    page.get_by_label("Zugang über").select_option("welfare")
    page.get_by_label("Sozialamt").check()
    page.get_by_label("Widerrufsrecht erklärt").check()
    page.get_by_role("button", name="Fall anlegen und Fallmanagement starten").click()
    page.wait_for_url(re.compile(r".*/fall/K-\d{4}-\d+$"))
    case_ref = page.url.rsplit("/", 1)[1]
    assert "ist angelegt" in page.locator(".flashes").inner_text()

    page.goto(f"{base}/aufgaben/gruppe")
    row = page.get_by_role("row", name=re.compile("Zuweisung erfassen"))
    assert case_ref in row.inner_text()

    page.goto(f"{base}/faelle/neu")
    page.get_by_label("Vorname").fill("Muhammad")
    page.get_by_label("Familienname").fill("Al Hasan")
    page.get_by_label("Geburtsdatum").fill("1990-05-17")
    page.get_by_label("Wohnort (Kommune)").select_option("neuss")
    page.get_by_label("Zugang über").select_option("office")
    page.get_by_role("button", name="Fall anlegen und Fallmanagement starten").click()
    assert case_ref in page.locator("#duplicates").inner_text()
    page.get_by_role("button", name="Bestehenden Fall fortführen").click()
    page.wait_for_url(re.compile(rf".*/fall/{case_ref}$"))


def test_case_list_and_person_search_show_only_what_the_unit_may_see(live_app, permit, page):
    _app, base = live_app
    sign_in(page, base, "c.kaarst")
    page.get_by_role("link", name="Fälle", exact=True).click()
    page.get_by_role("link", name="Fälle der Einheit").click()
    table = page.locator("#case-list").inner_text()
    assert permit["kaarst"] in table and permit["neuss"] not in table
    page.get_by_role("link", name="Personensuche").click()
    page.get_by_label("Name").fill("Mueller")
    page.get_by_role("button", name="Suchen").click()
    assert "Müller, Jörg" in page.locator("#search-hits").inner_text()
    page.get_by_label("Name").fill("Mohammed")
    page.get_by_role("button", name="Suchen").click()
    assert page.locator("#result-count").inner_text() == "0 Treffer"


def test_recording_the_agency_answer_moves_the_work_permit_on(live_app, permit, page):
    app, base = live_app
    sign_in(page, base, "c.neuss")
    page.goto(f"{base}/faelle")
    page.get_by_role("row", name=re.compile(permit["neuss"])).get_by_role("link", name="Eingänge erfassen").click()
    card = page.locator("section", has=page.get_by_role("heading", name="Antwort der Bundesagentur erfassen"))
    card.get_by_label("Zustimmung der Bundesagentur").select_option("granted")
    card.get_by_label("Geschäftszeichen der Bundesagentur").fill("BA-4711")
    card.get_by_role("button", name="Antwort der Bundesagentur erfassen").click()
    assert "der Vorgang läuft weiter" in page.locator(".flashes").inner_text()
    assert page.get_by_role("heading", name="Antwort der Bundesagentur erfassen").count() == 0
    shown = app.extensions["kimflow"].engine.show(permit["permit"])
    assert shown.data["agency_response"]["consent"] == "granted"
