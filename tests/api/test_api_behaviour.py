"""The REST API: start, work and correlate through HTTP as a specialist system would."""

from __future__ import annotations

from tests.api.conftest import queue, start


def test_the_openapi_document_is_version_3_1_and_the_docs_page_serves_its_own_assets(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"] == "3.1.0"
    assert "/process-instances" in spec["paths"]
    page = client.get("/api/v1/docs").get_data(as_text=True)
    assert "cdn" not in page.lower()
    with client.get("/api/v1/docs/assets/swagger-ui-bundle.js") as asset:
        assert asset.status_code == 200


def test_a_request_without_token_is_refused_as_problem_json(client, two_tasks):
    answer = client.get("/api/v1/tasks")
    assert answer.status_code == 401
    assert answer.mimetype == "application/problem+json"
    assert answer.get_json()["status"] == 401


def test_a_browser_session_does_not_open_the_api(app, client, two_tasks):
    with client.session_transaction() as session:
        session["_user_id"] = "1:admin"
    assert client.get("/api/v1/tasks").status_code == 401


def test_a_started_process_puts_the_task_in_the_unit_queue_with_its_form_as_json_schema(client, two_tasks, token_for):
    system = token_for("fachverfahren", ("sozialamt_neuss",))
    body = start(client, system, "neuss")
    assert body["status"] == "running" and body["business_key"] == "BK-neuss"
    [task] = queue(client, system)
    shown = client.get(f"/api/v1/tasks/{task['id']}", headers=system).get_json()
    assert shown["form"]["properties"]["amount"]["type"] == "integer"
    assert shown["form"]["required"] == ["amount"]


def test_completing_with_invalid_variables_answers_422_with_field_errors(client, two_tasks, token_for):
    system = token_for("fachverfahren", ("sozialamt_neuss",))
    start(client, system, "neuss")
    [task] = queue(client, system)
    answer = client.post(f"/api/v1/tasks/{task['id']}/complete", headers=system, json={"variables": {"amount": -5}})
    assert answer.status_code == 422
    assert answer.get_json()["errors"][0]["field"] == "variables.amount"


def test_claim_then_complete_moves_the_process_on(client, two_tasks, token_for):
    system = token_for("fachverfahren", ("sozialamt_neuss",))
    start(client, system, "neuss")
    [task] = queue(client, system)
    claimed = client.post(f"/api/v1/tasks/{task['id']}/claim", headers=system)
    assert claimed.get_json()["status"] == "claimed"
    done = client.post(f"/api/v1/tasks/{task['id']}/complete", headers=system | {"If-Match": claimed.headers["ETag"]},
                       json={"variables": {"amount": 100}})
    assert done.status_code == 200, done.get_data(as_text=True)
    assert done.get_json()["status"] == "running"


def test_a_stale_etag_is_refused_with_412(client, two_tasks, token_for):
    system = token_for("fachverfahren", ("sozialamt_neuss",))
    body = start(client, system, "neuss")
    stale = client.get(f"/api/v1/process-instances/{body['id']}", headers=system).headers["ETag"]
    client.post(f"/api/v1/process-instances/{body['id']}/suspend", headers=system, json={"reason": "Prüfung"})
    answer = client.post(f"/api/v1/process-instances/{body['id']}/resume", headers=system | {"If-Match": stale},
                         json={})
    assert answer.status_code == 412


def test_suspend_resume_and_cancel_with_a_reason(client, two_tasks, token_for):
    system = token_for("fachverfahren", ("sozialamt_neuss",))
    body = start(client, system, "neuss")
    url = f"/api/v1/process-instances/{body['id']}"
    assert client.post(url + "/suspend", headers=system, json={}).get_json()["status"] == "suspended"
    assert client.post(url + "/resume", headers=system, json={}).get_json()["status"] == "running"
    assert client.post(url + "/cancel", headers=system, json={}).status_code == 422  # a reason is required
    assert client.post(url + "/cancel", headers=system, json={"reason": "Doppelt"}).get_json()["status"] == "cancelled"
    trail = client.get(url + "/audit", headers=system).get_json()["items"]
    assert "instance_cancelled" in [e["action"] for e in trail]


def test_instances_list_filters_by_status(client, two_tasks, token_for):
    system = token_for("fachverfahren", ("sozialamt_neuss",))
    first = start(client, system, "neuss")
    start(client, system, "kaarst")
    client.post(f"/api/v1/process-instances/{first['id']}/suspend", headers=system, json={})
    listed = client.get("/api/v1/process-instances?status=suspended", headers=system).get_json()
    assert [i["id"] for i in listed["items"]] == [first["id"]] and listed["total"] == 1


def test_a_message_nobody_waits_for_answers_404(client, two_tasks, token_for):
    system = token_for("fachverfahren", ("sozialamt_neuss",))
    answer = client.post("/api/v1/messages", headers=system, json={"name": "niemand_wartet", "business_key": "x"})
    assert answer.status_code == 404 and answer.mimetype == "application/problem+json"


def test_a_revoked_or_expired_token_is_refused(client, services, two_tasks, token_for):
    from engine import service_accounts

    expired = token_for("alt", ("sozialamt_neuss",), days=0)
    assert client.get("/api/v1/tasks", headers=expired).status_code == 401
    live = token_for("neu", ("sozialamt_neuss",))
    assert client.get("/api/v1/tasks", headers=live).status_code == 200
    with services.db.unit_of_work() as session:
        [(_account, [token])] = [row for row in service_accounts.accounts(session) if row[0].name == "neu"]
        service_accounts.revoke_token(session, token.id, actor="test")
    assert client.get("/api/v1/tasks", headers=live).status_code == 401


def test_the_token_is_stored_only_as_a_digest(services, token_for):
    from engine import service_accounts

    header = token_for("geheim", ("sozialamt_neuss",))
    secret = header["Authorization"].split("_", 2)[2]
    with services.db.reading() as session:
        [(_account, [token])] = service_accounts.accounts(session)
    assert secret not in token.digest and len(token.digest) == 64


def test_requests_past_the_rate_limit_get_429(database_url, db):
    from tests.web.conftest import web_config
    from web.app import create_app

    app = create_app(web_config(database_url) | {"API_RATELIMIT": "3 per minute"})
    client = app.test_client()
    statuses = [client.get("/api/v1/tasks", headers={"Authorization": "Bearer kf_x_y"}).status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]
    app.extensions["kimflow"].db.engine.dispose()
