"""Web fixtures: an app on the test database, users in units, and signed-in test clients."""

from __future__ import annotations

import os
import re

import pytest

from engine.identity import org
from engine.identity.models import Unit
from web.app import create_app

# CORE_ONLY=1 leaves out the optional blueprints (designer, manage, api) while a teammate's is mid-change.
_CORE_ONLY = {"OPTIONAL_BLUEPRINTS": ()} if os.environ.get("CORE_ONLY") else {}
PASSWORD = "geheim-geheim-42"
UNITS = {
    "sozialamt_neuss": ("Sozialamt Neuss", "sozialamt"),
    "sozialamt_kaarst": ("Sozialamt Kaarst", "sozialamt"),
    "jobcenter_rkn": ("Jobcenter Rhein-Kreis Neuss", "jobcenter"),
    "abh_neuss": ("Ausländerbehörde Neuss", "abh"),
    "kim_cm_neuss": ("KIM-Fallmanagement Neuss", "kim_cm"),
}


def web_config(database_url: str) -> dict:
    """Return the app overrides of the web tests (CSRF off; tests of CSRF switch it on)."""
    return {"DATABASE_URL": database_url, "TESTING": True, "SECRET_KEY": "test-secret", "WTF_CSRF_ENABLED": False,
            **_CORE_ONLY}


@pytest.fixture
def app(db, database_url):
    """Yield the web app on the emptied test database."""
    application = create_app(web_config(database_url))
    yield application
    application.extensions["kimflow"].db.engine.dispose()


@pytest.fixture
def services(app):
    return app.extensions["kimflow"]


@pytest.fixture
def make_user(services):
    """Create a user with a role and memberships (units are created on first use)."""

    def make(username: str, role: str = "staff", units: tuple[str, ...] = (), display_name: str | None = None):
        with services.db.unit_of_work() as session:
            for code in units:
                if session.get(Unit, code) is None:
                    name, office = UNITS.get(code, (code, code.split("_")[0]))
                    org.save_unit(session, code, name, office, actor="test")
            org.create_user(session, username, display_name or username.title(), PASSWORD, actor="test", role=role)
            for code in units:
                org.add_membership(session, username, code, actor="test")
        return username

    return make


def sign_in(client, username: str, password: str = PASSWORD):
    """Post the sign-in form and return the response."""
    return client.post("/login", data={"username": username, "password": password})


@pytest.fixture
def login(app):
    """Return a function giving a test client signed in as the user."""

    def make_client(username: str):
        client = app.test_client()
        response = sign_in(client, username)
        assert response.status_code == 302, response.data.decode()[:500]
        return client

    return make_client


def csrf_token(html: str) -> str:
    """Extract the CSRF token of the first form in a page."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "page has no CSRF token"
    return match.group(1)


def seed_scene(database):
    """Seed the district, the clerks of tests.web.scenario and a benefit transfer waiting at the Sozialamt."""
    from engine.service.engine import ProcessEngine
    from tests.web import scenario
    from web.cli import kim_extensions

    engine = ProcessEngine(database, kim_extensions())  # the app's engine: same extensions as create_app
    scenario.seed_people(engine)
    return scenario.benefit_transfer_at_sozialamt(engine)


@pytest.fixture
def scene(services, restore_template):
    """The district, the clerks of tests.web.scenario and a benefit transfer waiting at the Sozialamt.

    Seeded once per run into a template that is copied over the test database per test.
    """
    return restore_template("scene", seed_scene, services.db)
