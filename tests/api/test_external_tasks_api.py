"""External tasks over HTTP: a specialist system's worker fetches, locks and finishes service tasks."""

from __future__ import annotations

import threading
import time

import pytest

from tests.api.conftest import SYSTEM
from tests.engine.test_external_tasks import TOPIC, external_process, external_with_error_boundary

FETCH = "/api/v1/external-tasks/fetch-and-lock"


@pytest.fixture
def waiting(services):
    services.engine.deploy({"ext.bpmn": external_process(), "exterr.bpmn": external_with_error_boundary()},
                           actor=SYSTEM)
    return services.engine.start("ext", actor=SYSTEM, data={"aktenzeichen": "AZ-7"})


def _fetch(client, headers, worker="abh-worker", **extra) -> list[dict]:
    answer = client.post(FETCH, headers=headers, json={"worker_id": worker, "topics": [TOPIC], **extra})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.get_json()["items"]


def test_a_worker_fetches_and_completes_an_external_task_and_the_instance_ends(client, services, waiting,
                                                                                token_for):
    headers = token_for("abh-fachverfahren", verbs=["external"])
    [task] = _fetch(client, headers, max_tasks=10, lock_duration=60_000)
    assert task["variables"]["aktenzeichen"] == "AZ-7" and task["instance_id"] == waiting
    answer = client.post(f"/api/v1/external-tasks/{task['id']}/complete", headers=headers,
                         json={"worker_id": "abh-worker", "variables": {"aufenthalt": "geklärt"}})
    assert answer.get_json() == {"status": "completed"}
    assert services.engine.show(waiting).data["aufenthalt"] == "geklärt"


def test_a_token_without_the_external_verb_is_refused(client, waiting, token_for):
    answer = client.post(FETCH, headers=token_for("nur-lesen", verbs=["read"]),
                         json={"worker_id": "w", "topics": [TOPIC]})
    assert answer.status_code == 403
    assert answer.mimetype == "application/problem+json"


def test_completing_a_task_another_worker_holds_is_a_conflict(client, waiting, token_for):
    headers = token_for("abh-fachverfahren", verbs=["external"])
    [task] = _fetch(client, headers, worker="w1")
    answer = client.post(f"/api/v1/external-tasks/{task['id']}/complete", headers=headers,
                         json={"worker_id": "w2"})
    assert answer.status_code == 409
    assert "nicht (mehr) von w2 gesperrt" in answer.get_json()["detail"]


def test_an_unknown_task_answers_404(client, token_for):
    answer = client.post("/api/v1/external-tasks/no-such-task/unlock",
                         headers=token_for("abh-fachverfahren", verbs=["external"]))
    assert answer.status_code == 404


def test_failure_extend_lock_unlock_and_bpmn_error_over_http(client, services, waiting, token_for):
    headers = token_for("abh-fachverfahren", verbs=["external"])
    [task] = _fetch(client, headers)
    base = f"/api/v1/external-tasks/{task['id']}"
    extended = client.post(f"{base}/extend-lock", headers=headers,
                           json={"worker_id": "abh-worker", "new_duration": 600_000})
    assert extended.get_json()["lock_expires_at"] > task["lock_expires_at"]
    assert client.post(f"{base}/unlock", headers=headers).get_json() == {"status": "open"}
    [again] = _fetch(client, headers)
    failed = client.post(f"{base}/failure", headers=headers,
                         json={"worker_id": "abh-worker", "error_message": "Fachverfahren antwortet nicht",
                               "retries": 0})
    assert again["id"] == task["id"] and failed.get_json() == {"status": "failed"}
    assert _fetch(client, headers) == []
    other = services.engine.start("exterr", actor=SYSTEM)
    [errtask] = _fetch(client, headers)
    thrown = client.post(f"/api/v1/external-tasks/{errtask['id']}/bpmn-error", headers=headers,
                         json={"worker_id": "abh-worker", "error_code": "NICHT_ZUSTAENDIG"})
    assert errtask["instance_id"] == other and thrown.get_json() == {"status": "running"}


def test_the_openapi_document_lists_the_external_task_operations(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"/external-tasks/fetch-and-lock", "/external-tasks/{task_id}/complete",
            "/external-tasks/{task_id}/bpmn-error"} <= set(paths)


def test_a_long_poll_answers_with_the_task_that_arrives_while_it_waits(app, client, services, waiting, token_for):
    headers = token_for("abh-fachverfahren", verbs=["external"])
    assert [t["instance_id"] for t in _fetch(client, headers, worker="first")] == [waiting]
    answers: list[list[dict]] = []
    poller = threading.Thread(target=lambda: answers.append(
        _fetch(app.test_client(), headers, worker="second", async_response_timeout=20_000)))
    poller.start()
    time.sleep(0.3)  # the poll is waiting now: nothing was open when it asked
    arrived = services.engine.start("ext", actor=SYSTEM)
    poller.join(25)
    assert not poller.is_alive()
    assert [t["instance_id"] for t in answers[0]] == [arrived]


def test_a_long_poll_without_work_answers_empty_after_its_timeout(client, waiting, token_for):
    headers = token_for("abh-fachverfahren", verbs=["external"])
    _fetch(client, headers, worker="first")
    assert _fetch(client, headers, worker="second", async_response_timeout=200) == []
    answer = client.post(FETCH, headers=headers, json={"worker_id": "w", "topics": [TOPIC],
                                                      "async_response_timeout": 600_000})
    assert answer.status_code == 422  # longer than the server holds a request


def test_a_worker_gets_only_tasks_of_cases_its_units_may_see(client, services, token_for):
    import datetime as dt

    from workflows.cases import files as cases

    services.engine.deploy({"ext.bpmn": external_process()}, actor=SYSTEM)
    with services.db.unit_of_work() as session:
        neuss = cases.open_case(session, actor="test", area="neuss", given_name="Amina", family_name="Haddad",
                                birth_date=dt.date(1991, 4, 12)).case_ref
        kaarst = cases.open_case(session, actor="test", area="kaarst", given_name="Omar", family_name="Saleh",
                                 birth_date=dt.date(1988, 2, 3)).case_ref
    in_neuss = services.engine.start("ext", actor=SYSTEM, case_ref=neuss)
    in_kaarst = services.engine.start("ext", actor=SYSTEM, case_ref=kaarst)
    outside = services.engine.start("ext", actor=SYSTEM)
    neuss_worker = token_for("cm-neuss-worker", ("kim_cm_neuss",), ["external"])
    kaarst_worker = token_for("cm-kaarst-worker", ("kim_cm_kaarst",), ["external"])
    fetched = {t["instance_id"] for t in _fetch(client, neuss_worker, worker="neuss", max_tasks=10)}
    assert fetched == {in_neuss, outside}
    assert {t["instance_id"] for t in _fetch(client, kaarst_worker, worker="kaarst", max_tasks=10)} == {in_kaarst}
