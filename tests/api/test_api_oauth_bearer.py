"""OAuth2 bearer tokens (client credentials) from a real OpenID provider (oidc-provider on Node.js).

The specialist system's client at the provider gets JWT access tokens (RFC 9068); kimflow checks them against
the provider's published keys and maps the client to its service account: the account's units decide what it
sees, and the token's `kimflow:` scopes narrow the account's verbs.
"""

from __future__ import annotations

import base64
import json
import urllib.parse
import urllib.request

import pytest

from engine import service_accounts
from tests.api.conftest import SYSTEM
from tests.conftest import fixture_files
from tests.e2e.oidc import ensure_installed, free_port, running_provider
from tests.web.conftest import web_config
from web.app import create_app
from workflows.seed import seed_units

CLIENT, SECRET = "abh-fachverfahren", "abh-fachverfahren-test-secret-abh-fachverfahren"  # as in provider.js
AUDIENCE = "urn:kimflow:api"


@pytest.fixture
def provider():
    ensure_installed()
    port = free_port()
    with running_provider(port, "http://127.0.0.1/unused", "http://127.0.0.1/unused") as issuer:
        yield issuer


@pytest.fixture
def bearer_app(db, database_url, provider):
    application = create_app(web_config(database_url) | {"API_RATELIMIT": "10000 per minute",
                                                      "API_OIDC_ISSUER": provider, "API_OIDC_AUDIENCE": AUDIENCE})
    with application.extensions["kimflow"].db.unit_of_work() as session:
        seed_units(session)
    yield application
    application.extensions["kimflow"].db.engine.dispose()


def _token(issuer: str, scope: str, secret: str = SECRET) -> str:
    credentials = base64.b64encode(f"{CLIENT}:{secret}".encode()).decode()
    request = urllib.request.Request(
        issuer + "/token", method="POST", headers={"Authorization": f"Basic {credentials}"},
        data=urllib.parse.urlencode({"grant_type": "client_credentials", "scope": scope,
                                     "resource": AUDIENCE}).encode())
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 - the test's own provider
        return json.load(answer)["access_token"]


def _account(app, verbs: list[str], units: tuple[str, ...] = ("sozialamt_neuss",)) -> None:
    with app.extensions["kimflow"].db.unit_of_work() as session:
        service_accounts.create_account(session, CLIENT, units=list(units), verbs=verbs, actor="test")


def test_a_client_credentials_token_works_with_the_verbs_its_scopes_and_account_share(bearer_app, provider):
    _account(bearer_app, ["read", "start", "tasks"])
    bearer_app.extensions["kimflow"].engine.deploy(fixture_files("two_tasks.bpmn"), actor=SYSTEM)
    client = bearer_app.test_client()
    reading = {"Authorization": f"Bearer {_token(provider, 'kimflow:read')}"}
    assert client.get("/api/v1/process-definitions", headers=reading).status_code == 200
    refused = client.post("/api/v1/process-instances", headers=reading,
                          json={"key": "two_tasks", "variables": {"municipality": "neuss"}})
    assert refused.status_code == 403  # the account may start, the token was not given that scope
    starting = {"Authorization": f"Bearer {_token(provider, 'kimflow:read kimflow:start')}"}
    started = client.post("/api/v1/process-instances", headers=starting,
                          json={"key": "two_tasks", "variables": {"municipality": "neuss"}})
    assert started.status_code == 201, started.get_data(as_text=True)


def test_a_tampered_or_foreign_token_is_refused(bearer_app, provider):
    _account(bearer_app, ["read"])
    client = bearer_app.test_client()
    header, payload, signature = _token(provider, "kimflow:read").split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    forged = base64.urlsafe_b64encode(json.dumps(claims | {"client_id": "admin"}).encode()).decode().rstrip("=")
    for token in (f"{header}.{forged}.{signature}", f"{header}.{payload}.{signature[:-4]}AAAA", "not-a-jwt"):
        answer = client.get("/api/v1/process-definitions", headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 401, token


def test_a_client_without_a_service_account_is_refused(bearer_app, provider):
    token = _token(provider, "kimflow:read")
    answer = bearer_app.test_client().get("/api/v1/process-definitions", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 401
