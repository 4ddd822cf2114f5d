"""The REST API under the same rule: every API route x service accounts of several units x both residents' objects.

Objects and people come from the access matrix's scene (a Neuss and a Kaarst resident). A service account of a
unit without need-to-know gets a refusal that does not reveal the object (404, or 403/422 before any lookup) and
never a word of the person or of who completed the task. An API route the matrix does not know fails the test.
"""

from __future__ import annotations

import pytest
from werkzeug.routing import IntegerConverter, Rule

from engine import service_accounts
from tests.web.test_access_matrix import Person, seed_matrix

# The API's routes by the object they name; new API routes must be placed here.
API_ROUTES = {
    "operations.case": "case", "tasks.show": "task", "tasks.claim": "task", "tasks.complete": "task",
    "tasks.delegate": "task", "tasks.unclaim": "task", "external_tasks.bpmn_error": "task",
    "external_tasks.complete": "task", "external_tasks.extend_lock": "task", "external_tasks.failure": "task",
    "external_tasks.unlock": "task", "instances.show": "instance", "instances.audit_trail": "instance",
    "instances.cancel": "instance", "instances.resume": "instance", "instances.suspend": "instance",
    "operations.retry": "instance",
    "external_tasks.fetch_and_lock": "global", "hooks.subscribe": "global", "hooks.list_subscriptions": "global",
    "hooks.end": "global", "hooks.delivery_log": "global", "operations.incidents": "global",
    "operations.correlate": "global", "definitions.list_definitions": "global", "definitions.deploy": "global",
    "definitions.download": "global", "definitions.start_form": "global", "instances.start": "global",
    "instances.list_instances": "global", "tasks.list_tasks": "global", "docs": "global", "openapi.spec": "global",
}
# Service accounts by the units they act for, and the residents none of their units may know.
OUTSIDERS = {
    "kim_cm_kaarst": ("neuss",), "sozialamt_kaarst": ("neuss",), "abh_dormagen": ("neuss", "kaarst"),
    "abh_kreis": ("neuss", "kaarst"), "sozialamt_dormagen": ("neuss", "kaarst"), "kim_cm_neuss": ("kaarst",),
    "jobcenter_rkn": ("neuss", "kaarst"),
}
REFUSED = (403, 404, 422)  # 403 and 422 come from the verb and the body check, before any object is looked up
# A unit's specialist procedure: every verb but the operator's ("manage": every instance, like an administrator)
# and the designer's ("deploy").
UNIT_VERBS = [verb for verb in service_accounts.VERBS if verb not in ("manage", "deploy")]


@pytest.fixture
def people(services, restore_template) -> dict[str, Person]:
    from tests.web.test_access_matrix import _person

    raw = restore_template("access_matrix", seed_matrix, services.db)
    return {area: _person(value) for area, value in raw.items()}


@pytest.fixture
def api(app):
    return app.wsgi_app.mounts["/api/v1"]


@pytest.fixture
def tokens(services, people) -> dict[str, dict]:
    headers = {}
    with services.db.unit_of_work() as session:
        for unit in OUTSIDERS:
            account = service_accounts.create_account(session, f"verfahren-{unit}", units=[unit], verbs=UNIT_VERBS,
                                                      actor="test")
            token = service_accounts.issue_token(session, account.id, actor="test", days=1)
            headers[unit] = {"Authorization": f"Bearer {token}"}
    return headers


def _routes(api) -> list[Rule]:
    return [r for r in api.url_map.iter_rules() if r.endpoint != "static"]


def _url(api, rule: Rule, person: Person | None, task_id: str | None = None) -> str:
    values: dict[str, object] = {}
    for name, converter in rule._converters.items():
        if person is not None and name == "case_ref":
            values[name] = person.case_ref
        elif person is not None and name == "task_id":
            values[name] = task_id or person.open_task
        elif person is not None and name == "instance_id":
            values[name] = person.instance_id
        elif isinstance(converter, IntegerConverter):
            values[name] = 1
        else:
            values[name] = "x-unbekannt"
    with api.test_request_context():
        return "/api/v1" + api.url_for(rule.endpoint, **values).removeprefix("/api/v1")


def _text(response) -> str:
    return response.get_data().decode("utf-8", "replace")


def test_every_api_route_is_placed_in_the_matrix(api):
    unplaced = sorted({r.endpoint for r in _routes(api)} - set(API_ROUTES))
    assert unplaced == [], f"place these API routes in {__name__} API_ROUTES: {unplaced}"


def test_api_objects_of_a_resident_are_refused_to_units_without_need_to_know(app, api, people, tokens):
    client, failures, checked = app.test_client(), [], 0
    for rule in _routes(api):
        kind = API_ROUTES.get(rule.endpoint)
        if kind not in ("case", "task", "instance"):
            continue
        for unit, areas in OUTSIDERS.items():
            for area in areas:
                person = people[area]
                task_ids = (person.open_task, person.done_task) if kind == "task" else (None,)
                for task_id in task_ids:
                    url = _url(api, rule, person, task_id)
                    for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                        response = client.open(url, method=method, headers=tokens[unit], json={})
                        # a refusal may repeat the case number it was asked for, never what it would have shown
                        hidden = person.secrets + person.completer + (() if kind == "case" else (person.case_ref,))
                        leaks = [w for w in hidden if w and w in _text(response)]
                        checked += 1
                        if response.status_code not in REFUSED or leaks:
                            failures.append((unit, method, url, response.status_code, leaks))
    assert checked > 100 and failures == []


def test_api_lists_and_searches_never_show_a_resident_to_units_without_need_to_know(app, api, people, tokens):
    client, failures = app.test_client(), []
    for rule in _routes(api):
        if API_ROUTES.get(rule.endpoint) != "global" or "GET" not in rule.methods:
            continue
        url = _url(api, rule, None)
        for unit, areas in OUTSIDERS.items():
            for area in areas:
                person = people[area]
                for query in (None, {"view": "done"}, {"search": person.secrets[0]},
                              {"search": person.case_ref}, {"case_ref": person.case_ref}):
                    response = client.get(url, headers=tokens[unit], query_string=query)
                    hidden = person.secrets[1:] + person.completer if query and "search" in query else (
                        person.secrets + person.completer + (person.case_ref,))
                    hidden = tuple(w for w in hidden if not (query and w in query.values()))
                    leaks = [w for w in hidden if w and w in _text(response)]
                    if leaks or response.status_code >= 500:
                        failures.append((unit, url, query, response.status_code, leaks))
    assert failures == []


def test_the_responsible_case_management_does_get_its_own_task_over_the_api(app, people, services):
    with services.db.unit_of_work() as session:
        account = service_accounts.create_account(session, "verfahren-cm-neuss", units=["kim_cm_neuss"],
                                                  verbs=UNIT_VERBS, actor="test")
        token = service_accounts.issue_token(session, account.id, actor="test", days=1)
    answer = app.test_client().get(f"/api/v1/tasks/{people['neuss'].open_task}",
                                   headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200 and answer.json["case_ref"] == people["neuss"].case_ref
