"""Each role lands on its workspace after sign-in; every error is a kimflow page with a way back."""

import pytest
from flask import abort

from tests.web.conftest import sign_in, web_config


@pytest.mark.parametrize(("role", "start"), [("manager", "/manage/"), ("designer", "/designer/")])
def test_managers_and_designers_land_on_their_workspace_after_sign_in(app, make_user, role, start):
    make_user("nutzer", role)
    client = app.test_client()
    assert sign_in(client, "nutzer").headers["Location"] == start
    assert client.get(start).status_code == 200


def test_a_clerk_still_lands_in_the_inbox(app, make_user):
    make_user("anna", units=("sozialamt_neuss",))
    client = app.test_client()
    assert client.get(sign_in(client, "anna").headers["Location"]).status_code == 200


def test_an_unknown_page_is_a_german_kimflow_page_with_a_link_to_the_start_page(make_user, login):
    client = login(make_user("chefin", "manager"))
    response = client.get("/gibt-es-nicht")
    html = response.data.decode()
    assert response.status_code == 404
    assert "Seite nicht gefunden" in html and 'href="/manage/"' in html and "kimflow" in html


def test_error_pages_follow_the_chosen_language(make_user, login):
    client = login(make_user("designerin", "designer"))
    client.post("/sprache", data={"lang": "en", "next": "/designer/"})
    html = client.get("/gibt-es-nicht").data.decode()
    assert "Page not found" in html and "To the start page" in html and "Seite nicht gefunden" not in html


@pytest.mark.parametrize(("status", "title"), [(400, "Die Anfrage war unvollständig"), (403, "Kein Zugriff"),
                                               (409, "Zwischenzeitlich geändert"), (410, "Nicht mehr vorhanden"),
                                               (500, "Ein Fehler ist aufgetreten")])
def test_every_error_status_has_its_own_explanation(app, status, title):
    app.add_url_rule(f"/_probe/{status}", f"probe_{status}", lambda: abort(status))
    app.view_functions[f"probe_{status}"].kimflow_access = "public"
    response = app.test_client().get(f"/_probe/{status}")
    assert response.status_code == status and title in response.data.decode()
    assert 'href="/login"' in response.data.decode()


def test_an_unexpected_exception_becomes_the_error_page_without_a_traceback(database_url, db):
    from web.app import create_app

    app = create_app({**web_config(database_url), "TESTING": False})

    def broken():
        raise ValueError("interne Details")

    broken.kimflow_access = "public"  # type: ignore[attr-defined]
    app.add_url_rule("/_probe/kaputt", "probe_broken", broken)
    response = app.test_client().get("/_probe/kaputt")
    html = response.data.decode()
    assert response.status_code == 500 and "Ein Fehler ist aufgetreten" in html and "interne Details" not in html
    app.extensions["kimflow"].db.engine.dispose()


def test_an_expired_form_explains_itself(database_url, db, make_user):
    from web.app import create_app

    app = create_app({**web_config(database_url), "WTF_CSRF_ENABLED": True})
    response = app.test_client().post("/login", data={"username": "x", "password": "y"})
    assert response.status_code == 400 and "Formular abgelaufen" in response.data.decode()
    app.extensions["kimflow"].db.engine.dispose()


def test_json_callers_get_json_errors(make_user, login):
    client = login(make_user("designerin", "designer"))
    response = client.get("/designer/api/process/gibt_es_nicht/vergleich?von=1&nach=2")
    assert response.is_json
