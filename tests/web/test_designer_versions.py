"""Deploying over running instances asks first; the migration page selects nothing and explains each verdict."""

import time

import pytest

from engine.core.actors import Actor
from tests.conftest import fixture_files

XML = fixture_files("two_tasks.bpmn")["two_tasks.bpmn"].decode()
V2 = XML.replace('camunda:priority="70"', 'camunda:priority="80"')
SYSTEM = Actor.system_actor("test")
DEPLOY = "/designer/api/process/two_tasks/bereitstellen"


@pytest.fixture
def designer(make_user, login, services):
    services.engine.deploy({"two_tasks.bpmn": XML}, actor=SYSTEM)
    make_user("d.berg", role="designer")
    return login("d.berg")


def _save_draft(client):
    client.post("/designer/api/process/two_tasks/entwurf", json={"xml": V2, "file_name": "two_tasks.bpmn"})


def test_deploy_with_running_instances_asks_for_confirmation_with_the_counts(designer, services):
    for _ in range(2):
        services.engine.start("two_tasks", actor=SYSTEM)
    _save_draft(designer)
    asked = designer.post(DEPLOY, json={})
    assert asked.status_code == 409 and asked.json["needs_confirmation"] and asked.json["running"] == 2
    assert "2 auf Version 1" in asked.json["message"]
    with services.db.reading() as session:
        assert services.engine.library.latest(session, "two_tasks").version == 1
    done = designer.post(DEPLOY, json={"confirmed": True})
    assert done.status_code == 200 and done.json["deployed"][0]["version"] == 2 and done.json["running"] == 2


def test_deploy_without_running_instances_needs_no_confirmation(designer):
    _save_draft(designer)
    assert designer.post(DEPLOY, json={}).status_code == 200


def test_the_migration_page_shows_the_step_and_selects_nothing(designer, services):
    running = services.engine.start("two_tasks", actor=SYSTEM)
    held = services.engine.start("two_tasks", actor=SYSTEM)
    services.engine.suspend(held, actor=SYSTEM)
    services.engine.deploy({"two_tasks.bpmn": V2}, actor=SYSTEM)
    html = designer.get("/designer/process/two_tasks/migration").get_data(as_text=True)
    assert f'value="{running}"' in html and f'value="{held}"' not in html and "checked" not in html
    assert "Antrag erfassen" in html and "dieser ist angehalten" in html


def test_a_migration_without_selection_moves_nothing(designer, services):
    instance = services.engine.start("two_tasks", actor=SYSTEM)
    services.engine.deploy({"two_tasks.bpmn": V2}, actor=SYSTEM)
    designer.post("/designer/process/two_tasks/migration", data={})
    assert services.engine.show(instance).version == 1


def test_a_large_migration_runs_in_the_background_with_progress(designer, services, app):
    app.config["MIGRATION_BACKGROUND_FROM"] = 2
    instances = [services.engine.start("two_tasks", actor=SYSTEM) for _ in range(2)]
    services.engine.deploy({"two_tasks.bpmn": V2}, actor=SYSTEM)
    response = designer.post("/designer/process/two_tasks/migration", data={"instance_id": [str(i) for i in instances]})
    batch = response.headers["Location"].split("lauf=")[1]
    deadline, progress = time.monotonic() + 20, {}
    while not progress.get("finished") and time.monotonic() < deadline:
        progress = designer.get(f"/designer/api/migration/{batch}").json
        time.sleep(0.05)
    assert progress["moved"] == 2 and progress["total"] == 2
    assert {services.engine.show(i).version for i in instances} == {2}


WITHOUT_DECIDE = XML.replace('<bpmn:sequenceFlow id="f_big" sourceRef="gw" targetRef="decide">',
                             '<bpmn:sequenceFlow id="f_big" sourceRef="gw" targetRef="end_ok">') \
    .replace('<bpmn:userTask id="decide"', '<bpmn:userTask id="approve"') \
    .replace('attachedToRef="decide"', 'attachedToRef="approve"').replace('sourceRef="decide"', 'sourceRef="approve"') \
    .replace("<bpmn:flowNodeRef>decide</bpmn:flowNodeRef>", "<bpmn:flowNodeRef>approve</bpmn:flowNodeRef>")


def _at_decide(services) -> int:
    from engine.read.lists import open_tasks

    instance = services.engine.start("two_tasks", actor=SYSTEM)
    with services.db.reading() as session:
        [task] = open_tasks(session, instance_id=instance)
    services.engine.complete(task.id, actor=SYSTEM, data={"amount": 500})
    return instance


def _english(client) -> None:
    client.post("/sprache", data={"lang": "en", "next": "/designer/"})


def test_the_migration_page_explains_each_verdict_in_english(designer, services):
    at_decide = _at_decide(services)
    held = services.engine.start("two_tasks", actor=SYSTEM)
    services.engine.suspend(held, actor=SYSTEM)
    services.engine.deploy({"two_tasks.bpmn": WITHOUT_DECIDE}, actor=SYSTEM)
    _english(designer)
    html = designer.get("/designer/process/two_tasks/migration").get_data(as_text=True)
    row = html[html.index(f'id="instance-{at_decide}"'):]
    assert "The instance is at “Entscheiden”, which no longer exists in version 2." in row
    assert "Only running instances can move; this one is suspended." in html
    assert "Der Vorgang steht an" not in html and "Nur laufende" not in html and "angehalten" not in html


def test_the_diff_api_gives_codes_and_labels_in_the_users_language(designer, services):
    services.engine.deploy({"two_tasks.bpmn": WITHOUT_DECIDE.replace('camunda:priority="70"',
                                                                     'camunda:priority="80"')}, actor=SYSTEM)
    url = "/designer/api/process/two_tasks/vergleich?von=1&nach=2"
    german = {e["element_id"]: e for e in designer.get(url).json["changed"]}
    _english(designer)
    english = designer.get(url).json
    changed = {e["element_id"]: e for e in english["changed"]}
    assert changed["record"]["changes"] == ["extensions"] == german["record"]["changes"]
    assert changed["record"]["details"] == ["properties (responsibility, deadlines, priority, form)"]
    assert german["record"]["details"] == ["Eigenschaften (Zuständigkeit, Fristen, Priorität, Formular)"]
    assert changed["f_big"]["kind_label"] == "Connection" and german["f_big"]["kind_label"] == "Verbindung"
    assert changed["f_big"]["name"].startswith("Flow from “Betrag groß?” to")
    assert "target" in changed["f_big"]["changes"]
    removed = {e["element_id"]: e for e in english["removed"]}
    assert removed["decide"]["kind"] == "UserTask" and removed["decide"]["kind_label"] == "Task"
