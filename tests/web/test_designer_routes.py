"""Designer routes: library, drafts with optimistic locking, validation, deploy, dry run, diff, migration."""

import pytest

from engine.core.actors import Actor
from engine.read import lists as queries
from tests.conftest import fixture_files

XML = fixture_files("two_tasks.bpmn")["two_tasks.bpmn"].decode()
NO_CONDITION = XML.replace('<bpmn:sequenceFlow id="f_small" sourceRef="gw" targetRef="end_small" />',
                           '<bpmn:sequenceFlow id="f_small" sourceRef="gw" targetRef="end_small" />'
                           '<bpmn:sequenceFlow id="f_new" sourceRef="gw" targetRef="end_ok" />')
SYSTEM = Actor.system_actor("test")


@pytest.fixture
def designer(make_user, login):
    make_user("d.berg", role="designer")
    return login("d.berg")


@pytest.fixture
def deployed(services):
    services.engine.deploy({"two_tasks.bpmn": XML}, actor=SYSTEM)


def _save(client, xml=XML, revision=None):
    return client.post("/designer/api/process/two_tasks/entwurf",
                       json={"xml": xml, "file_name": "two_tasks.bpmn", "revision": revision})


def test_staff_without_the_designer_role_get_404(make_user, login):
    make_user("s.mueller", role="staff", units=("sozialamt_neuss",))
    assert login("s.mueller").get("/designer/").status_code == 404


def test_the_library_lists_versions_deployer_and_running_instances(designer, services, deployed):
    services.engine.start("two_tasks", actor=SYSTEM)
    html = designer.get("/designer/").get_data(as_text=True)
    assert "Zwei Aufgaben" in html and "Version 1 · test" in html and "1 laufend" in html


def test_a_saved_draft_survives_a_reload_and_shows_in_the_library(designer, deployed):
    response = _save(designer, XML.replace("Antrag erfassen", "Antrag aufnehmen"))
    assert response.status_code == 200 and response.json["draft"]["revision"] == 1
    source = designer.get("/designer/api/process/two_tasks/quelle").json
    assert "Antrag aufnehmen" in source["xml"] and source["revision"] == 1
    assert "Entwurf" in designer.get("/designer/").get_data(as_text=True)


def test_a_second_designer_with_an_outdated_revision_gets_a_conflict_and_nothing_is_overwritten(
        designer, make_user, login, deployed):
    make_user("k.lang", role="designer")
    other = login("k.lang")
    _save(designer, XML.replace("Antrag erfassen", "Fassung A"))
    assert _save(other, XML.replace("Antrag erfassen", "Fassung B"), revision=1).status_code == 200
    response = _save(designer, XML.replace("Antrag erfassen", "Fassung C"), revision=1)
    assert response.status_code == 409
    assert "K.Lang" in response.json["error"] and "nicht überschrieben" in response.json["error"]
    assert response.json["current"]["revision"] == 2
    assert "Fassung B" in designer.get("/designer/api/process/two_tasks/quelle").json["xml"]


def test_saving_reports_a_flow_without_condition_on_its_element(designer, deployed):
    problems = _save(designer, NO_CONDITION).json["problems"]
    assert any(p["element_id"] == "f_new" and p["severity"] == "error" for p in problems)


def test_a_draft_with_errors_cannot_be_deployed(designer, services, deployed):
    _save(designer, NO_CONDITION)
    response = designer.post("/designer/api/process/two_tasks/bereitstellen", json={})
    assert response.status_code == 422 and response.json["problems"]
    with services.db.reading() as session:
        assert services.engine.library.latest(session, "two_tasks").version == 1


def test_deploying_a_draft_creates_a_version_and_removes_the_draft(designer, services, deployed):
    _save(designer, XML.replace("Antrag erfassen", "Antrag aufnehmen"))
    response = designer.post("/designer/api/process/two_tasks/bereitstellen", json={})
    assert response.status_code == 200 and response.json["deployed"][0]["version"] == 2
    assert designer.get("/designer/api/process/two_tasks/quelle").json["revision"] is None
    instance = services.engine.start("two_tasks", actor=SYSTEM)
    with services.db.reading() as session:
        assert queries.open_tasks(session, instance_id=instance)[0].name == "Antrag aufnehmen"


def test_a_dry_run_shows_the_path_and_creates_no_instance(designer, services, deployed):
    response = designer.post("/designer/api/process/two_tasks/probelauf", json={
        "xml": XML, "scenario": {"tasks": {"record": {"amount": "250"}, "decide": {"approved": "on"}}}})
    assert [s["element_id"] for s in response.json["path"]] == ["start_event", "record", "gw", "decide", "end_ok"]
    assert response.json["data"]["approved"] is True
    with services.db.reading() as session:
        assert queries.open_tasks(session) == []


def test_scenarios_run_from_the_page_report_passes_and_failures(designer, deployed):
    text = ('{"scenarios": [{"name": "gut", "tasks": {"record": {"amount": 5}}, "expect": {"end_event": "end_small"}},'
            '{"name": "schlecht", "tasks": {"record": {"amount": 5}}, "expect": {"end_event": "end_ok"}}]}')
    response = designer.post("/designer/api/process/two_tasks/szenarien", json={"xml": XML, "text": text})
    assert (response.json["passed"], response.json["total"]) == (1, 2)
    assert designer.post("/designer/api/process/two_tasks/szenarien", json={"xml": XML, "text": "{"}).status_code == 400


def test_uploading_a_camunda_file_opens_it_as_a_draft(designer):
    from io import BytesIO

    response = designer.post("/designer/hochladen", data={"file": (BytesIO(XML.encode()), "antrag.bpmn")},
                             content_type="multipart/form-data")
    assert response.status_code == 302 and response.headers["Location"].endswith("/designer/process/two_tasks/")
    page = designer.get("/designer/process/two_tasks/").get_data(as_text=True)
    assert "bpmn-modeler.production.min.js" in page and "Entwurf Stand 1" in page


def test_download_returns_the_deployed_version_as_a_file(designer, deployed):
    response = designer.get("/designer/process/two_tasks/herunterladen?version=1")
    assert response.headers["Content-Disposition"] == 'attachment; filename="two_tasks_v1.bpmn"'
    assert 'id="two_tasks"' in response.get_data(as_text=True)


def test_the_version_diff_names_the_changed_elements(designer, services, deployed):
    services.engine.deploy({"two_tasks.bpmn": XML.replace("amount &gt;= 100", "amount &gt;= 200")}, actor=SYSTEM)
    data = designer.get("/designer/api/process/two_tasks/vergleich?von=1&nach=2").json
    assert {e["element_id"] for e in data["changed"]} == {"gw", "f_big"}
    assert "Bedingung" in designer.get("/designer/process/two_tasks/vergleich?von=1&nach=2").get_data(as_text=True)


def test_migration_page_lists_instances_and_moves_the_chosen_ones(designer, services, deployed):
    instance = services.engine.start("two_tasks", actor=SYSTEM)
    services.engine.deploy({"two_tasks.bpmn": XML.replace('camunda:priority="70"', 'camunda:priority="80"')},
                           actor=SYSTEM)
    assert f'value="{instance}"' in designer.get("/designer/process/two_tasks/migration").get_data(as_text=True)
    response = designer.post("/designer/process/two_tasks/migration", data={"instance_id": [str(instance)]})
    assert response.status_code == 302
    assert services.engine.show(instance).version == 2


def test_designer_pages_allow_only_own_scripts(designer, deployed):
    csp = designer.get("/designer/process/two_tasks/").headers["Content-Security-Policy"]
    assert "script-src 'self';" in csp and "unsafe-eval" not in csp
