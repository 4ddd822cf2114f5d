"""Every registered route declares who may open it, and every role outside that gets an audited 404."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select
from werkzeug.routing import IntegerConverter, Rule

from engine.store.models import AuditEvent
from web.security import PUBLIC, ROLES, SIGNED_IN, access_of

USERS = {"staff": "r.staff", "manager": "r.manager", "designer": "r.designer", "admin": "r.admin"}
SAMPLE_ARGS = {"int": 987654, "string": "x-unbekannt", "path": "x-unbekannt", "default": "x-unbekannt"}


def _routes(app) -> list[Rule]:
    return [r for r in app.url_map.iter_rules() if r.endpoint != "static" and not r.endpoint.endswith(".static")]


def _url(app, rule: Rule) -> str:
    values = {}
    for name, converter in rule._converters.items():
        choices = getattr(converter, "items", None) or getattr(converter, "_items", None)
        if choices:
            values[name] = sorted(choices)[0]
        elif isinstance(converter, IntegerConverter):
            values[name] = SAMPLE_ARGS["int"]
        else:
            values[name] = SAMPLE_ARGS["default"]
    with app.test_request_context():
        return app.url_for(rule.endpoint, **values)


def _client_as(app, username: str | None):
    client = app.test_client()
    if username is not None:
        with client.session_transaction() as session:
            session["_user_id"] = f"1:{username}"
            session["_fresh"] = True
            session["seen"] = time.time()
    return client


def _request(app, rule: Rule, username: str | None):
    method = "GET" if "GET" in rule.methods else sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
    return _client_as(app, username).open(_url(app, rule), method=method)


@pytest.fixture
def people(make_user):
    make_user("r.staff", role="staff", units=("sozialamt_neuss",))
    for role in ("manager", "designer", "admin"):
        make_user(USERS[role], role=role)


def test_every_route_declares_who_may_open_it(app):
    undeclared = sorted(r.endpoint for r in _routes(app) if access_of(app.view_functions[r.endpoint]) is None)
    assert undeclared == []


def test_anonymous_users_reach_only_public_routes(app, people):
    for rule in _routes(app):
        if access_of(app.view_functions[rule.endpoint]) == PUBLIC:
            continue
        response = _request(app, rule, None)
        assert response.status_code in (302, 401), rule.rule
        if response.status_code == 302:
            assert response.location.startswith("/login"), rule.rule


def test_every_role_outside_a_route_gets_404_and_the_attempt_is_audited(app, people, services):
    checked = 0
    for rule in _routes(app):
        access = access_of(app.view_functions[rule.endpoint])
        if access in (PUBLIC, SIGNED_IN):
            continue
        for role in sorted(set(ROLES) - set(access)):
            response = _request(app, rule, USERS[role])
            assert response.status_code == 404, (rule.rule, role, response.status_code)
            checked += 1
    with services.db.reading() as session:
        denied = session.scalars(select(AuditEvent).where(AuditEvent.action == "access_denied")).all()
    assert checked > 0 and len([e for e in denied if e.details.get("reason") == "role"]) == checked


def test_every_role_inside_a_route_passes_the_role_check(app, people, services):
    for rule in _routes(app):
        access = access_of(app.view_functions[rule.endpoint])
        allowed = set(ROLES) if access in (PUBLIC, SIGNED_IN) else set(access)
        for role in sorted(allowed):
            response = _request(app, rule, USERS[role])
            # /readyz says 503 until a worker has written its heartbeat: that is its answer, not a failure.
            expected_503 = rule.rule == "/readyz" and response.status_code == 503
            assert response.status_code < 500 or expected_503, (rule.rule, role, response.status_code)
    with services.db.reading() as session:
        role_denials = [e for e in session.scalars(select(AuditEvent).where(AuditEvent.action == "access_denied"))
                        if e.details.get("reason") == "role"]
    assert role_denials == []


def test_staff_pages_without_parameters_open_for_staff(app, people):
    client = _client_as(app, "r.staff")
    for path in ("/aufgaben", "/aufgaben/gruppe", "/aufgaben/erledigt", "/passwort"):
        assert client.get(path).status_code == 200, path
