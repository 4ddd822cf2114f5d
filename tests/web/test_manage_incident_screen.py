"""The incident screen: the error in words, data for admins only, retry, and skip with a reason for admins."""

import pytest
from sqlalchemy import select

from engine.core.actors import Actor
from engine.read.lists import open_tasks
from engine.store.models import AuditEvent, Incident
from tests.engine.test_incidents import script_process

SYSTEM = Actor.system_actor("test")


@pytest.fixture
def failed(services):
    services.engine.deploy({"calc.bpmn": script_process()}, actor=SYSTEM)
    instance_id = services.engine.start("calc", actor=SYSTEM, business_key="AZ-7",
                                         data={"name": "Amira Haddad"})
    with services.db.reading() as session:
        [task] = open_tasks(session, instance_id=instance_id)
    services.engine.complete(task.id, actor=SYSTEM, data={"divisor": 0})
    with services.db.reading() as session:
        incident_id = session.scalars(select(Incident.id)).one()
    return instance_id, f"/manage/instances/{instance_id}/incidents/{incident_id}"


def test_the_incident_screen_says_the_error_in_words_without_python_names(make_user, login, failed):
    _instance, url = failed
    html = login(make_user("chefin", "manager")).get(url).get_data(as_text=True)
    assert "durch null geteilt" in html
    assert "ZeroDivisionError" not in html and "division by zero" not in html


def test_the_data_involved_is_shown_to_admins_only(make_user, login, failed):
    _instance, url = failed
    manager_page = login(make_user("chefin", "manager")).get(url).get_data(as_text=True)
    assert "Amira Haddad" not in manager_page and 'id="incident-data"' not in manager_page
    admin_page = login(make_user("root", "admin")).get(url).get_data(as_text=True)
    assert "Amira Haddad" in admin_page and 'id="incident-data"' in admin_page


def test_only_admins_are_offered_skip_and_a_manager_posting_it_is_refused(make_user, login, failed, services):
    instance_id, url = failed
    manager = login(make_user("chefin", "manager"))
    assert "Schritt überspringen" not in manager.get(url).get_data(as_text=True)
    assert manager.post(url + "/skip", data={"reason_code": "not_needed"}).status_code in (403, 404)
    assert services.engine.show(instance_id).status == "error"
    assert "Schritt überspringen" in login(make_user("root", "admin")).get(url).get_data(as_text=True)


def test_an_admin_skips_with_a_reason_and_is_told_the_instance_runs_again(make_user, login, failed, services):
    instance_id, url = failed
    page = login(make_user("root", "admin")).post(
        url + "/skip", data={"reason_code": "done_elsewhere", "reason": "per Telefon geklärt"}, follow_redirects=True)
    html = page.get_data(as_text=True)
    assert "Schritt übersprungen: der Vorgang läuft wieder." in html
    assert services.engine.show(instance_id).status == "running"
    with services.db.reading() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "task_skipped")).one()
    assert event.details["reason_code"] == "done_elsewhere" and "Telefon" not in str(event.details)


def test_a_skip_without_a_reason_code_is_refused_and_changes_nothing(make_user, login, failed, services):
    instance_id, url = failed
    page = login(make_user("root", "admin")).post(url + "/skip", data={"reason_code": "other"},
                                                   follow_redirects=True)
    assert "Bitte einen Grund auswählen" in page.get_data(as_text=True)
    assert services.engine.show(instance_id).status == "error"


def test_a_retry_from_the_incident_screen_that_fails_again_is_shown_as_failed(make_user, login, failed, services):
    instance_id, url = failed
    page = login(make_user("chefin", "manager")).post(url + "/retry", data={"reason": "nochmal"},
                                                      follow_redirects=True)
    html = page.get_data(as_text=True)
    assert "wieder fehlgeschlagen" in html and "durch null geteilt" in html
    assert "läuft wieder" not in html and "Aktion ausgeführt" not in html
    assert services.engine.show(instance_id).status == "error"
    with services.db.reading() as session:
        newest = session.scalars(select(Incident.id).where(Incident.resolved_at.is_(None))).one()
    assert page.request.path.endswith(f"/incidents/{newest}")
    assert '<strong id="incident-state">offen</strong>' in html


def test_a_manager_retries_with_a_corrected_value_from_the_incident_screen(make_user, login, failed, services):
    instance_id, url = failed
    page = login(make_user("chefin", "manager")).post(
        url + "/retry", data={"reason": "Teiler", "field": "divisor", "value": "5"}, follow_redirects=True)
    assert "läuft wieder" in page.get_data(as_text=True)
    assert services.engine.show(instance_id).data["result"] == 20


def test_an_incident_of_another_instance_is_not_found(make_user, login, failed):
    instance_id, url = failed
    other = url.replace(f"/instances/{instance_id}/", f"/instances/{instance_id + 1000}/")
    assert login(make_user("chefin", "manager")).get(other).status_code == 404


def test_a_clerk_cannot_open_the_incident_screen(make_user, login, failed):
    _instance, url = failed
    assert login(make_user("anna", units=("sozialamt_neuss",))).get(url).status_code in (403, 404)


def test_the_incident_list_links_the_screen_and_shows_the_error_in_words(make_user, login, failed):
    _instance, url = failed
    html = login(make_user("chefin", "manager")).get("/manage/incidents").get_data(as_text=True)
    assert url in html and "durch null geteilt" in html and "ZeroDivisionError" not in html


@pytest.mark.parametrize(("recorded", "words"), [
    ("Ausdruck ${reviewer} der Aufgabe 'u': Error evaluating expression 'reviewer': NameError: name 'reviewer' "
     "is not defined.", "Der Wert „reviewer“ fehlt in den Prozessdaten."),
    ("KeyError: 'plz'.", "Der Eintrag „plz“ fehlt in den Daten."),
    ("ValueError: invalid literal for int() with base 10: 'abc'.", "Der Wert „abc“ ist keine gültige Zahl."),
    ("RecursionError: maximum recursion depth exceeded",
     "Bei der Ausführung dieses Schritts ist ein technischer Fehler aufgetreten."),
    ("Für die Serviceaufgabe 'lookup' ist kein Handler 'address_lookup' registriert",
     "Für den automatischen Schritt „lookup“ ist keine Anbindung „address_lookup“ eingerichtet."),
    ("Serviceaufgabe 'lookup' fehlgeschlagen: Adresse unbekannt",
     "Der automatische Schritt „lookup“ ist fehlgeschlagen: Adresse unbekannt"),
    ("Der Prozess wartet auf nichts mehr und ist nicht beendet (stiller Stillstand)",
     "Der Vorgang wartet auf nichts mehr, ist aber nicht beendet; er steht still."),
    ("Interner Fehler bei <SpiffWorkflow.specs.Foo object at 0x7f00>", "Interner Fehler bei"),
])
def test_a_recorded_error_is_put_into_words_without_class_names_or_reprs(app, recorded, words):
    from web.manage.plain_errors import in_words

    with app.test_request_context():
        assert in_words(recorded) == words
