"""Single sign-on in Chromium against a real OpenID provider (oidc-provider on Node.js) started by the test."""

from __future__ import annotations

import re
import threading
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from engine.identity import org, sso
from web.app import create_app

from .oidc import CLIENT_ID, CLIENT_SECRET, ensure_installed, free_port, running_provider

SSO_BUTTON = "Mit dem Anmeldedienst der Kommune anmelden"
SENT_TO_SIGN_IN = re.compile(r"/login\?next=(/|%2F)aufgaben$")


@pytest.fixture(scope="module")
def provider_installed():
    ensure_installed()


@pytest.fixture
def sso_site(db, database_url, provider_installed):
    """Serve kimflow with single sign-on against a freshly started provider; yield (app, base URL)."""
    port = free_port()
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "e2e-secret-e2e-secret-e2e-secret-42",
                      "TESTING": False, "OIDC_ISSUER": f"http://127.0.0.1:{port}", "OIDC_CLIENT_ID": CLIENT_ID,
                      "OIDC_CLIENT_SECRET": CLIENT_SECRET, "OIDC_SCOPES": "openid profile email groups"})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    with app.extensions["kimflow"].db.unit_of_work() as session:
        org.save_unit(session, "sozialamt_neuss", "Sozialamt Neuss", "sozialamt", actor="test")
        sso.add_mapping(session, "kimflow-sozialamt-neuss", role=None, unit_code="sozialamt_neuss", actor="test")
        sso.add_mapping(session, "kimflow-admins", role="admin", unit_code=None, actor="test")
    try:
        with running_provider(port, f"{base}/login/sso/callback", f"{base}/login"):
            yield app, base
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        app.extensions["kimflow"].db.engine.dispose()


def _through_the_provider(page, base: str, account: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_role("link", name=SSO_BUTTON).click()
    page.locator("input[name=login]").fill(account)
    page.locator("input[name=password]").fill("beliebig")
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()  # the provider's consent page


def _account(app, username: str):
    with app.extensions["kimflow"].db.reading() as session:
        user = org.user_by_name(session, username)
        return user.role, org.memberships(session, username)


def test_a_clerk_signs_in_at_the_provider_works_in_her_unit_and_signs_out(sso_site, page, browser):
    app, base = sso_site
    _through_the_provider(page, base, "erika")
    expect(page).to_have_url(f"{base}/aufgaben")
    expect(page.locator(".user-name")).to_have_text("Erika Mustermann")
    assert _account(app, "erika") == ("staff", ["sozialamt_neuss"])
    copied = [c for c in page.context.cookies() if c["name"] == "kimflow_session"]
    page.get_by_role("button", name="Abmelden").click()
    expect(page.get_by_role("heading", name="Sie wurden abgemeldet.")).to_be_visible()
    page.get_by_role("button", name="Yes, sign me out").click()  # the provider ends its session too
    expect(page).to_have_url(re.compile(re.escape(f"{base}/login") + r"(\?state=.*)?$"))
    page.goto(f"{base}/aufgaben")
    expect(page).to_have_url(SENT_TO_SIGN_IN)
    other = browser.new_context()  # the cookie copied before sign-out opens nothing after it
    try:
        other.add_cookies(copied)
        thief = other.new_page()
        thief.goto(f"{base}/aufgaben")
        expect(thief).to_have_url(SENT_TO_SIGN_IN)
    finally:
        other.close()


def test_the_admins_group_grants_the_administration(sso_site, page):
    app, base = sso_site
    _through_the_provider(page, base, "ada")
    expect(page).to_have_url(f"{base}/aufgaben")
    page.goto(f"{base}/verwaltung/anmeldedienst")
    expect(page.get_by_role("cell", name="kimflow-admins")).to_be_visible()
    assert _account(app, "ada") == ("admin", ["sozialamt_neuss"])


def test_a_member_of_no_mapped_group_gets_no_access(sso_site, page):
    app, base = sso_site
    _through_the_provider(page, base, "fremd")
    expect(page.get_by_role("alert")).to_contain_text("nicht freigegeben")
    page.goto(f"{base}/aufgaben")
    expect(page).to_have_url(SENT_TO_SIGN_IN)
    with app.extensions["kimflow"].db.reading() as session:
        assert [u.username for u in org.list_users(session)] == []


def test_a_tampered_state_is_refused(sso_site, page):
    app, base = sso_site
    page.goto(f"{base}/login")
    started = page.request.get(f"{base}/login/sso", max_redirects=0)  # shares the browser's cookies
    assert started.status == 302
    parts = urlsplit(started.headers["location"])
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    state = query["state"]
    query["state"] = ("y" if state.startswith("x") else "x") + state[1:]  # another first character, always
    page.goto(urlunsplit(parts._replace(query=urlencode(query))))
    page.locator("input[name=login]").fill("erika")
    page.locator("input[name=password]").fill("beliebig")
    page.get_by_role("button", name="Sign-in").click()
    with page.expect_response(lambda answer: "/login/sso/callback" in answer.url) as answer:
        page.get_by_role("button", name="Continue").click()
    assert answer.value.status == 400
    expect(page.get_by_role("alert")).to_contain_text("fehlgeschlagen")
    page.goto(f"{base}/aufgaben")
    expect(page).to_have_url(SENT_TO_SIGN_IN)
    with app.extensions["kimflow"].db.reading() as session:
        assert org.list_users(session) == []
