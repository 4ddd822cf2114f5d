"""English mode: every page of the management and designer workspaces speaks English."""

import re

import pytest
from sqlalchemy import select

from engine.core.actors import Actor
from engine.read.lists import open_tasks
from engine.store.models import DefinitionVersion, Incident
from tests.bpmn_builder import build, user
from workflows.catalogue import MUNICIPALITIES

SYSTEM = Actor.system_actor("test")
# German words and letters that would betray an untranslated text; the fixture's own data is English.
GERMAN = re.compile(r"[äöüÄÖÜß]|\b(und|der|die|das|nicht|keine?|mit|für|bei|oder|ist|wird|noch|seit|zurück|weiter|"
                    r"Seite|alle|Vorgang|Vorgänge|Störung|Aufgabe|Bitte|bitte|Prozess|Version \d+ →|Entwurf|"
                    r"Begründung|Schritt|Fehler|Zeitgeber|Nachricht|Stelle|Kommune|Filtern|Speichern|Prüfen)\b")
# Place names stay as they are in both languages ("Jüchen").
PLACES = re.compile("|".join(re.escape(name) for name, _inhabitants in MUNICIPALITIES.values()))
# Pages that are not screens: JSON, files, diagrams.
NOT_PAGES = {"designer.source", "designer.save", "designer.validate", "designer.deploy_draft", "designer.dry_run",
             "designer.run_scenarios", "designer.diff_data", "designer.migration_progress", "designer.download",
             "manage.report_csv", "manage.report_xlsx", "manage.heatmap_diagram"}


def _process(check_name: str) -> str:
    return build("intake", [("start", "s"), user("enter", "Enter", "kim_cm", [("divisor", "long", "Divisor")]),
                            ("script", "divide", "result = 100 / divisor"), user("check", check_name, "kim_cm"),
                            ("end", "e")],
                 [("s", "enter"), ("enter", "divide"), ("divide", "check"), ("check", "e")], name="Intake")


@pytest.fixture
def pages(services):
    services.engine.deploy({"intake.bpmn": _process("Check")}, actor=SYSTEM)
    failed = services.engine.start("intake", actor=SYSTEM, business_key="REF-1")
    services.engine.start("intake", actor=SYSTEM, business_key="REF-2")
    with services.db.reading() as session:
        [task] = open_tasks(session, instance_id=failed)
    services.engine.complete(task.id, actor=SYSTEM, data={"divisor": 0})
    services.engine.deploy({"intake.bpmn": _process("Check again")}, actor=SYSTEM)
    with services.db.reading() as session:
        incident = session.scalars(select(Incident.id)).one()
        version = session.scalars(select(DefinitionVersion.id).where(DefinitionVersion.version == 1)).one()
    return {
        "manage.index": "/manage/", "manage.instances": "/manage/instances",
        "manage.instance": f"/manage/instances/{failed}", "manage.incidents": "/manage/incidents?all=1",
        "manage.incident": f"/manage/instances/{failed}/incidents/{incident}",
        "manage.heatmap_view": f"/manage/heatmap/{version}", "manage.report": "/manage/report",
        "designer.library": "/designer/", "designer.edit": "/designer/process/intake/",
        "designer.diff": "/designer/process/intake/vergleich?von=1&nach=2",
        "designer.migration": "/designer/process/intake/migration",
    }


def _in_english(client, path: str) -> str:
    client.post("/sprache", data={"lang": "en", "next": path})
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def _visible_text(html: str) -> str:
    html = re.sub(r"<script\b.*?</script>", " ", html, flags=re.S)
    return PLACES.sub(" ", re.sub(r"<[^>]+>", " ", html))


def test_every_page_of_the_two_workspaces_is_covered_here(app, pages):
    screens = {rule.endpoint for rule in app.url_map.iter_rules()
               if rule.endpoint.split(".")[0] in ("manage", "designer") and "GET" in rule.methods
               and not rule.endpoint.endswith(".static")}
    assert screens - NOT_PAGES - set(pages) == set()


def test_every_management_and_designer_page_shows_no_german_in_english_mode(make_user, login, pages):
    client = login(make_user("root", "admin"))
    for endpoint, path in pages.items():
        found = GERMAN.findall(_visible_text(_in_english(client, path)))
        assert found == [], (endpoint, sorted(set(found)))


def test_the_incident_and_migration_pages_say_their_verdicts_in_english(make_user, login, pages):
    client = login(make_user("root", "admin"))
    incident = _in_english(client, pages["manage.incident"])
    assert "A calculation divided by zero" in incident and "Skip step" in incident
    migration = _in_english(client, pages["designer.migration"])
    assert "Only running instances can move; this one is failed." in migration and "Nothing is preselected" in migration
    diff = _in_english(client, pages["designer.diff"])
    assert "Changed" in diff and "Check again" in diff
    diagram_data = re.search(r'id="diff-data">(.*?)</script>', diff, re.S).group(1)
    assert '"kind_label": "Task"' in diagram_data and "Aufgabe" not in diagram_data


def test_the_managers_start_page_is_english_after_switching(make_user, login):
    html = _in_english(login(make_user("chefin", "manager")), "/manage/")
    assert "Steering and monitoring" in html and "Open work per unit and municipality" in html
    assert "Steuerung und Monitoring" not in html and "Offene Arbeit" not in html


def test_the_process_library_is_english_after_switching(make_user, login):
    html = _in_english(login(make_user("d.berg", role="designer")), "/designer/")
    assert "Process library" in html and "Create draft" in html
    assert "Prozessbibliothek" not in html and "Entwurf anlegen" not in html


def test_the_steering_report_explains_its_figures_for_the_steering_group_in_both_languages(make_user, login):
    client = login(make_user("chefin", "manager"))
    german = client.get("/manage/report").get_data(as_text=True)
    assert "Leistungslücke: Tage von der letzten AsylbLG-Zahlung" in german and "record_referral" not in german
    english = _in_english(client, "/manage/report")
    assert "Definitions" in english and "Benefit gap: days from the last AsylbLG payment" in english
    assert "Print view" in english and "All tables as XLSX" in english and "Druckansicht" not in english


def test_the_steering_reports_tables_are_titled_and_explained_in_english(make_user, login):
    client = login(make_user("chefin", "manager"))
    german = client.get("/manage/report?period=2026-03").get_data(as_text=True)
    assert "Fallzahlen" in german and "Offene Fälle je VZÄ" in german and "März 2026" in german
    assert "Selbstmelder/in" in german and "Rhein-Kreis Neuss gesamt" in german and "Ausländerbehörde" in german
    english = _in_english(client, "/manage/report?period=2026-03")
    for text in ("Caseload", "Open cases per FTE", "March 2026", "Referral routes", "Self-referral",
                 "Rhein-Kreis Neuss, total", "Foreigners&#39; authority", "Reasons for closure", "goals met",
                 "Benefit gap when changing legal system", "noted for the steering group",
                 "Cases with a clearing in the period, each with the status recorded last."):
        assert text in english, text
    for text in ("Fallzahlen", "Zugangswege", "gesamt", "Ausländerbehörde", "Abschlussgründe", "März"):
        assert text not in english, text
