"""Single sign-on settings over HTTP: the provider button, local passwords switched off, the group mapping page."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.identity.models import GroupMapping
from tests.web.conftest import PASSWORD, sign_in, web_config
from web.app import create_app

BUTTON = "Mit dem Anmeldedienst der Kommune anmelden"
# Nothing listens on port 9 of this machine: the provider is configured but unreachable.
UNREACHABLE = {"OIDC_ISSUER": "http://127.0.0.1:9", "OIDC_CLIENT_ID": "kimflow", "OIDC_CLIENT_SECRET": "s" * 32}


@pytest.fixture
def overrides() -> dict:
    return {}


@pytest.fixture
def app(db, database_url, overrides):
    application = create_app({**web_config(database_url), **overrides})
    yield application
    application.extensions["kimflow"].db.engine.dispose()


def test_without_a_provider_the_sign_in_page_offers_only_the_password(app):
    html = app.test_client().get("/login").data.decode()
    assert BUTTON not in html and 'name="password"' in html
    assert app.test_client().get("/login/sso").status_code == 404


@pytest.mark.parametrize("overrides", [UNREACHABLE])
def test_with_a_provider_the_sign_in_page_offers_its_button(app):
    html = app.test_client().get("/login?next=/aufgaben").data.decode()
    assert BUTTON in html and 'href="/login/sso?next=/aufgaben"' in html
    assert 'name="password"' in html  # local accounts stay beside it unless switched off


@pytest.mark.parametrize("overrides", [UNREACHABLE])
def test_an_unreachable_provider_gets_a_german_message_not_a_traceback(app):
    response = app.test_client().get("/login/sso")
    assert response.status_code == 503
    assert "nicht erreichbar" in response.data.decode() and "Traceback" not in response.data.decode()


@pytest.mark.parametrize("overrides", [UNREACHABLE])
def test_a_callback_without_a_started_sign_in_is_refused(app):
    response = app.test_client().get("/login/sso/callback?code=abc&state=erfunden")
    assert response.status_code == 400
    assert "fehlgeschlagen" in response.data.decode()


@pytest.mark.parametrize("overrides", [{**UNREACHABLE, "LOCAL_PASSWORDS": False}])
def test_switched_off_local_passwords_hide_the_form_and_refuse_the_post(app, make_user):
    make_user("anna", units=("sozialamt_neuss",))
    client = app.test_client()
    html = client.get("/login").data.decode()
    assert 'name="password"' not in html and BUTTON in html
    response = sign_in(client, "anna", PASSWORD)
    assert response.status_code == 403 and "abgeschaltet" in response.data.decode()
    assert client.get("/aufgaben").status_code == 302  # not signed in


def _admin(login, make_user):
    make_user("ada", role="admin")
    return login("ada")


def test_an_administrator_adds_and_deletes_a_group_mapping(app, make_user, login, services):
    make_user("anna", units=("sozialamt_neuss",))
    admin = _admin(login, make_user)
    response = admin.post("/verwaltung/anmeldedienst", data={"idp_group": "kimflow-sozialamt", "role": "manager",
                                                             "unit": "sozialamt_neuss"})
    assert response.status_code == 302
    html = admin.get("/verwaltung/anmeldedienst").data.decode()
    assert "kimflow-sozialamt" in html and "Sozialamt Neuss" in html
    with services.db.reading() as session:
        row = session.scalar(select(GroupMapping))
    assert (row.idp_group, row.role, row.unit_code) == ("kimflow-sozialamt", "manager", "sozialamt_neuss")
    assert admin.post(f"/verwaltung/anmeldedienst/{row.id}/loeschen").status_code == 302
    with services.db.reading() as session:
        assert session.scalar(select(GroupMapping)) is None


def test_a_mapping_with_an_unknown_role_or_neither_role_nor_unit_is_refused(app, make_user, login, services):
    admin = _admin(login, make_user)
    admin.post("/verwaltung/anmeldedienst", data={"idp_group": "g", "role": "kaiser", "unit": ""})
    html = admin.post("/verwaltung/anmeldedienst", data={"idp_group": "g", "role": "", "unit": ""},
                      follow_redirects=True).data.decode()
    assert "braucht eine Rolle, eine Stelle oder beides" in html
    with services.db.reading() as session:
        assert session.scalar(select(GroupMapping)) is None


def test_only_administrators_see_the_mapping(app, make_user, login):
    make_user("mara", role="manager")
    client = login("mara")
    assert client.get("/verwaltung/anmeldedienst").status_code == 404
    assert client.post("/verwaltung/anmeldedienst", data={"idp_group": "x", "role": "admin"}).status_code == 404


def test_deleting_a_mapping_that_is_gone_answers_404(app, make_user, login):
    assert _admin(login, make_user).post("/verwaltung/anmeldedienst/987654/loeschen").status_code == 404


def test_the_command_line_maps_the_first_administrators_group(app, engine, capsys, services):
    from engine.cli import Plugin, build_parser
    from web.auth import commands

    def run(*argv: str) -> tuple[int, str]:
        args = build_parser(Plugin(commands=[commands.register])).parse_args(["sso-mapping", *argv])
        code = args.func(args, engine)
        out = capsys.readouterr()
        return code, out.out + out.err

    code, out = run("add", "kimflow-admins", "--role", "admin")
    assert code == 0 and '"group": "kimflow-admins", "role": "admin"' in out
    assert run("add", "kimflow-admins", "--role", "kaiser")[0] == 2
    with services.db.reading() as session:
        mapping_id = session.scalar(select(GroupMapping.id))
    assert run("remove", "--id", str(mapping_id)) == (0, "")
    assert run("list") == (0, "")
