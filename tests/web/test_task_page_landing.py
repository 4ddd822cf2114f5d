"""Where a clerk lands: after sign-in, after "Erledigen" (the view and filter kept) and "Erledigen und nächste"."""

from __future__ import annotations

from sqlalchemy import select

from engine.store.models import HumanTask
from tests.web import scenario
from tests.web.conftest import sign_in
from tests.web.scenario import fill


def _second_task(services) -> str:
    """Start a second benefit transfer; its Sozialamt task waits in the same group queue."""
    return scenario.benefit_transfer_at_sozialamt(services.engine).sozialamt_task


def _complete(client, services, task_id: str, action: str = "erledigen"):
    form, _data = services.engine.task_form(task_id)
    return client.post(f"/aufgabe/{task_id}", data={**fill(form), "aktion": action})


def _landing(client, response) -> str:
    """Follow the inbox's own redirects (Meine Aufgaben decides where work waits) to the page that is shown."""
    while response.status_code == 302 and response.location.startswith("/aufgaben"):
        location = response.location
        response = client.get(location)
    assert response.status_code == 200
    return location


def test_after_sign_in_with_no_own_tasks_the_clerk_lands_on_the_group_queue(scene, app):
    client = app.test_client()
    assert sign_in(client, "s.sozial").location == "/aufgaben"
    response = client.get("/aufgaben")
    assert response.status_code == 302 and response.location == "/aufgaben/gruppe"
    assert "AsylbLG zum Monatsende einstellen" in client.get(response.location).data.decode()


def test_with_own_tasks_the_clerk_lands_on_meine_aufgaben(scene, login):
    client = login("s.sozial")
    client.post(f"/aufgabe/{scene.sozialamt_task}/uebernehmen")
    response = client.get("/aufgaben")
    assert response.status_code == 200 and 'id="badge-mine">1<' in response.data.decode()


def test_an_empty_meine_aufgaben_tab_stays_open_when_chosen(scene, login):
    html = login("s.sozial").get("/aufgaben/meine").data.decode()
    assert "Keine Aufgaben in dieser Ansicht." in html
    assert 'href="/aufgaben/meine" aria-current="page"' in html


def test_erledigen_returns_to_the_view_the_clerk_came_from_with_its_filter(scene, login, services):
    _second_task(services)
    client = login("s.sozial")
    client.get("/aufgaben/gruppe?prozess=benefit_transfer&sort=priority")
    response = _complete(client, services, scene.sozialamt_task)
    assert response.status_code == 302
    assert response.location == "/aufgaben/gruppe?prozess=benefit_transfer&sort=priority"
    assert "ist erledigt" in client.get(response.location).data.decode()


def test_erledigen_und_naechste_opens_the_next_task_of_the_same_view(scene, login, services):
    second = _second_task(services)
    client = login("s.sozial")
    client.get("/aufgaben/gruppe?prozess=benefit_transfer")
    response = _complete(client, services, scene.sozialamt_task, "erledigen_weiter")
    assert response.status_code == 302 and response.location == f"/aufgabe/{second}"
    html = client.get(response.location).data.decode()
    assert "ist erledigt" in html and f'data-forget-task="{scene.sozialamt_task}"' in html


def test_erledigen_und_naechste_respects_the_filter_of_the_view(scene, login, services):
    _second_task(services)
    client = login("s.sozial")
    client.get("/aufgaben/gruppe?prozess=kim_case")  # nothing of this process waits here
    response = _complete(client, services, scene.sozialamt_task, "erledigen_weiter")
    assert response.location == "/aufgaben/gruppe?prozess=kim_case"
    assert "In dieser Ansicht wartet keine weitere Aufgabe." in client.get(response.location).data.decode()


def test_completing_the_last_own_task_lands_on_the_group_queue_with_the_filter_kept(scene, login, services):
    _second_task(services)
    client = login("s.sozial")
    client.post(f"/aufgabe/{scene.sozialamt_task}/uebernehmen")
    client.get("/aufgaben/meine?sort=priority")
    response = _complete(client, services, scene.sozialamt_task)
    assert _landing(client, response) == "/aufgaben/gruppe?sort=priority"


def test_completing_an_own_task_with_more_own_tasks_returns_to_meine_aufgaben(scene, login, services):
    second = _second_task(services)
    client = login("s.sozial")
    for task_id in (scene.sozialamt_task, second):
        client.post(f"/aufgabe/{task_id}/uebernehmen")
    client.get("/aufgaben/meine")
    assert _landing(client, _complete(client, services, scene.sozialamt_task)) == "/aufgaben/meine?landen=1"


def test_a_forged_return_address_is_ignored(scene, login, services):
    client = login("s.sozial")
    with client.session_transaction() as session:
        session["inbox_back"] = "https://example.org/aufgaben/gruppe"
    response = _complete(client, services, scene.sozialamt_task)
    assert _landing(client, response) in ("/aufgaben/meine?landen=1", "/aufgaben/gruppe")
    with services.db.reading() as session:
        assert session.scalar(select(HumanTask.status).where(HumanTask.id == scene.sozialamt_task)) == "completed"
