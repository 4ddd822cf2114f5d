"""API fixtures: the app on the test database, the district's units, service accounts and their tokens."""

from __future__ import annotations

import pytest

from engine import Actor, service_accounts
from tests.conftest import fixture_files
from tests.web.conftest import web_config
from web.app import create_app
from workflows.seed import seed_units

SYSTEM = Actor.system_actor("test")
EVERY_VERB = list(service_accounts.VERBS)


@pytest.fixture
def app(db, database_url):
    """Yield the web app (with the API mounted) on the emptied test database, units seeded."""
    application = create_app(web_config(database_url) | {"API_RATELIMIT": "10000 per minute"})
    with application.extensions["kimflow"].db.unit_of_work() as session:
        seed_units(session)
    yield application
    application.extensions["kimflow"].db.engine.dispose()


@pytest.fixture
def services(app):
    return app.extensions["kimflow"]


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def token_for(services):
    """Return a function making a service account with units and verbs and returning its bearer header."""

    def make(name: str, units: tuple[str, ...] = (), verbs: list[str] | None = None, days: int = 30) -> dict:
        with services.db.unit_of_work() as session:
            account = service_accounts.create_account(session, name, units=list(units),
                                                      verbs=EVERY_VERB if verbs is None else verbs, actor="test")
            token = service_accounts.issue_token(session, account.id, actor="test", days=days)
        return {"Authorization": f"Bearer {token}"}

    return make


@pytest.fixture
def two_tasks(services):
    """Deploy the two-task process (first task in the Sozialamt lane)."""
    services.engine.deploy(fixture_files("two_tasks.bpmn"), actor=SYSTEM)
    return "two_tasks"


def start(client, headers: dict, municipality: str, key: str = "two_tasks", **extra) -> dict:
    """Start an instance through the API and return its body."""
    answer = client.post("/api/v1/process-instances", headers=headers,
                         json={"key": key, "business_key": f"BK-{municipality}",
                               "variables": {"municipality": municipality}, **extra})
    assert answer.status_code == 201, answer.get_data(as_text=True)
    return answer.get_json()


def queue(client, headers: dict) -> list[dict]:
    """Return the caller's task queue."""
    answer = client.get("/api/v1/tasks?view=queue", headers=headers)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.get_json()["items"]
