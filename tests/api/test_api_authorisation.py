"""Who may do what through the API: token x unit x resource, the same rule as in the browser.

Two municipalities (Neuss, Kaarst) with two units of the same office (Sozialamt) and one other office.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine import AuditEvent
from tests.api.conftest import queue, start

WORK = ["read", "tasks", "start"]
UNITS = {"neuss": ("sozialamt_neuss",), "kaarst": ("sozialamt_kaarst",), "jobcenter": ("jobcenter_rkn",)}


@pytest.fixture
def tokens(token_for):
    return {name: token_for(f"sys-{name}", units, WORK) for name, units in UNITS.items()}


@pytest.fixture
def neuss_task(client, two_tasks, tokens):
    start(client, tokens["neuss"], "neuss")
    [task] = queue(client, tokens["neuss"])
    return task


@pytest.mark.parametrize(("who", "sees"), [("neuss", True), ("kaarst", False), ("jobcenter", False)])
def test_only_the_responsible_unit_sees_the_task_in_its_queue(client, tokens, neuss_task, who, sees):
    assert (neuss_task["id"] in [t["id"] for t in queue(client, tokens[who])]) is sees


@pytest.mark.parametrize("who", ["kaarst", "jobcenter"])
@pytest.mark.parametrize("action", ["show", "claim", "complete"])
def test_another_unit_gets_404_for_the_task_and_the_attempt_is_audited(client, services, tokens, neuss_task,
                                                                        who, action):
    url = f"/api/v1/tasks/{neuss_task['id']}"
    answer = (client.get(url, headers=tokens[who]) if action == "show" else
              client.post(f"{url}/{action}", headers=tokens[who], json={"variables": {"amount": 1}}))
    assert answer.status_code == 404
    with services.db.reading() as session:
        denied = session.scalars(select(AuditEvent).where(AuditEvent.action == "access_denied",
                                                          AuditEvent.task_id == neuss_task["id"])).all()
    assert [e.actor for e in denied] == [f"system:sys-{who}"]


@pytest.mark.parametrize(("who", "status"), [("neuss", 200), ("kaarst", 404), ("jobcenter", 404)])
def test_an_instance_is_shown_only_to_a_unit_with_one_of_its_tasks(client, tokens, neuss_task, who, status):
    assert client.get(f"/api/v1/process-instances/{neuss_task['instance_id']}",
                      headers=tokens[who]).status_code == status


@pytest.mark.parametrize(("verb", "method", "url"), [
    ("manage", "get", "/api/v1/process-instances"),
    ("manage", "get", "/api/v1/incidents"),
    ("deploy", "post", "/api/v1/process-definitions"),
    ("messages", "post", "/api/v1/messages"),
    ("cases", "get", "/api/v1/cases/K-2026-00001"),
])
def test_a_token_without_the_verb_gets_403(client, tokens, two_tasks, verb, method, url):
    answer = getattr(client, method)(url, headers=tokens["neuss"], json={"name": "x", "files": {"a.bpmn": "x"}})
    assert answer.status_code == 403
    assert verb in answer.get_json()["detail"]


def test_a_case_is_released_only_to_the_unit_with_a_task_and_each_read_is_audited(client, services, token_for):
    import datetime as dt

    from engine import Actor
    from workflows.cases import files as cases
    from workflows.library import library_files

    files = {k: v for k, v in library_files().items() if k.endswith(".dmn") or k == "benefit_transfer.bpmn"}
    services.engine.deploy(files, actor=Actor.system_actor("test"))
    with services.db.unit_of_work() as session:
        case_ref = cases.open_case(session, actor="test", area="neuss", given_name="Amina", family_name="Haddad",
                                   birth_date=dt.date(1991, 4, 12)).case_ref
    services.engine.correlate("bamf_decision_served", actor=Actor.system_actor("test"), case_ref=case_ref,
                              payload={})
    kim = token_for("kim-neuss", ("kim_cm_neuss",), ["cases"])
    other = token_for("kim-kaarst", ("kim_cm_kaarst",), ["cases"])
    shown = client.get(f"/api/v1/cases/{case_ref}", headers=kim)
    assert shown.status_code == 200, shown.get_data(as_text=True)
    assert shown.get_json()["fields"]["family_name"] == "Haddad"
    assert client.get(f"/api/v1/cases/{case_ref}", headers=other).status_code == 404
    with services.db.reading() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.case_ref == case_ref))
        actions = [(e.actor, e.action) for e in events]
    assert ("system:kim-neuss", "case_viewed") in actions
    assert ("system:kim-kaarst", "case_access_denied") in actions
