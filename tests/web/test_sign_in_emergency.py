"""The emergency way in: with passwords switched off, an administrator signs in through a one-time link that
only the server's command line (`kimflow sign-in-link`) issues."""

from __future__ import annotations

import pytest

from engine.cli import Plugin, build_parser
from tests.web.conftest import PASSWORD, sign_in, web_config
from web.app import create_app
from web.auth import commands
from web.cli import plugin

KEY = "k" * 40


@pytest.fixture
def app(db, database_url, monkeypatch):
    monkeypatch.setenv("KIMFLOW_SECRET_KEY", KEY)
    monkeypatch.setenv("KIMFLOW_BASE_URL", "https://kimflow.kreis.example")
    application = create_app({**web_config(database_url), "SECRET_KEY": KEY, "LOCAL_PASSWORDS": False})
    yield application
    application.extensions["kimflow"].db.engine.dispose()


def _link(engine, capsys, username: str) -> tuple[int, str]:
    args = build_parser(Plugin(commands=[commands.register])).parse_args(["sign-in-link", username])
    code = args.func(args, engine)
    out = capsys.readouterr()
    return code, (out.out.strip() or out.err)


def test_the_kimflow_command_offers_the_emergency_link():
    assert "sign-in-link" in build_parser(plugin()).format_help()


def test_an_administrator_signs_in_once_through_the_link_although_passwords_are_off(app, make_user, engine,
                                                                                      capsys):
    make_user("ada", role="admin")
    assert sign_in(app.test_client(), "ada", PASSWORD).status_code == 403
    code, url = _link(engine, capsys, "ada")
    assert code == 0 and url.startswith("https://kimflow.kreis.example/login/notfall/")
    path = url.removeprefix("https://kimflow.kreis.example")
    client = app.test_client()
    assert client.get(path).status_code == 200  # a preview of the link signs nobody in
    assert client.get("/verwaltung/benutzer").status_code == 302
    response = client.post(path)
    assert response.status_code == 302 and client.get("/verwaltung/benutzer").status_code == 200
    assert app.test_client().post(path).status_code == 404  # used up


def test_the_link_is_only_for_active_administrators(app, make_user, engine, capsys):
    make_user("anna", units=("sozialamt_neuss",))
    code, message = _link(engine, capsys, "anna")
    assert code == 2 and "admin" in message
    assert _link(engine, capsys, "niemand")[0] == 2


def test_a_forged_link_is_refused(app, make_user, engine, capsys):
    make_user("ada", role="admin")
    _code, url = _link(engine, capsys, "ada")
    path = url.removeprefix("https://kimflow.kreis.example")
    assert app.test_client().post(path[:-3] + "xyz").status_code == 404
