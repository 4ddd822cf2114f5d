"""App-wide protections: security headers, CSRF, fail-closed routes, languages."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.web.conftest import csrf_token, web_config
from web.app import create_app


def test_every_response_carries_the_security_headers(app):
    response = app.test_client().get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_pages_contain_no_inline_script(app):
    html = app.test_client().get("/login").data.decode()
    assert "<script>" not in html and "onclick" not in html and "style=" not in html


@pytest.fixture
def csrf_app(db, database_url):
    application = create_app({**web_config(database_url), "WTF_CSRF_ENABLED": True})
    yield application
    application.extensions["kimflow"].db.engine.dispose()


def test_a_post_without_csrf_token_is_refused(csrf_app, make_user):
    response = csrf_app.test_client().post("/login", data={"username": "a", "password": "b"})
    assert response.status_code == 400


def test_a_post_with_the_page_token_is_accepted(csrf_app):
    client = csrf_app.test_client()
    token = csrf_token(client.get("/login").data.decode())
    response = client.post("/login", data={"username": "a", "password": "b", "csrf_token": token})
    assert response.status_code == 401


def test_a_route_without_declared_access_is_refused(app: Flask, make_user, login):
    app.add_url_rule("/undeclared", "undeclared", lambda: "secret")
    make_user("root", role="admin")
    assert login("root").get("/undeclared").status_code == 404


def test_nothing_happens_at_import_time():
    import importlib

    module = importlib.import_module("web.app")
    assert not [name for name in vars(module) if isinstance(vars(module)[name], Flask)]


def test_language_switch_shows_english(app):
    client = app.test_client()
    token_page = client.get("/login").data.decode()
    assert "Anmelden" in token_page
    client.post("/sprache", data={"lang": "en", "next": "/login"})
    assert "Sign in" in client.get("/login").data.decode()
