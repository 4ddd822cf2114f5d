"""Liveness, readiness and metrics as a load balancer and Prometheus see them."""

from __future__ import annotations

import datetime as dt
import json
import logging

from engine import clock, health
from tests.conftest import fixture_files


def test_healthz_answers_without_sign_in(app):
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_readyz_refuses_until_a_worker_has_beaten(app):
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["schema"] == "ok"
    assert body["checks"]["worker"] == "no heartbeat yet"


def test_readyz_is_ready_with_a_recent_heartbeat_and_not_with_a_stale_one(app, services):
    health.beat(services.db, "host-a:1", clock.now())
    assert app.test_client().get("/readyz").status_code == 200
    health.beat(services.db, "host-a:1", clock.now() - dt.timedelta(minutes=10))
    body = app.test_client().get("/readyz").get_json()
    assert body["ready"] is False
    assert body["checks"]["worker"].startswith("last heartbeat")


def test_metrics_show_open_tasks_per_unit_and_request_latency_per_route(app, services):
    client = app.test_client()
    client.get("/healthz")
    text = client.get("/metrics").get_data(as_text=True)
    assert 'kimflow_request_seconds_count{method="GET",route="/healthz",status="200"} 1.0' in text
    assert "kimflow_overdue_tasks 0.0" in text
    assert "kimflow_job_lag_seconds" in text
    assert "kimflow_incidents_open 0.0" in text


def test_metrics_need_the_token_when_one_is_configured(app):
    app.config["METRICS_TOKEN"] = "scrape-secret"
    client = app.test_client()
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer scrape-secret"}).status_code == 200


def test_each_response_carries_a_request_id_and_a_plain_incoming_one_is_kept(app):
    client = app.test_client()
    assert len(client.get("/healthz").headers["X-Request-ID"]) == 32
    kept = client.get("/healthz", headers={"X-Request-ID": "lb-1234abcd"})
    assert kept.headers["X-Request-ID"] == "lb-1234abcd"
    replaced = client.get("/healthz", headers={"X-Request-ID": '{"injected": "Name Mustermann"}'})
    assert "Mustermann" not in replaced.headers["X-Request-ID"]


def test_the_access_log_is_json_with_route_and_request_id_but_no_query_or_user(app, make_user, login, caplog):
    from web.logging_setup import JsonFormatter

    make_user("s.sozial", units=("sozialamt_neuss",))
    client = login("s.sozial")
    with caplog.at_level(logging.INFO, logger="kimflow.access"):
        client.get("/?q=Mustermann", headers={"X-Request-ID": "req-00000001"})
    lines = [json.loads(JsonFormatter().format(r)) for r in caplog.records if r.name == "kimflow.access"]
    assert lines and lines[-1]["route"] == "/" and lines[-1]["status"] in (200, 302)
    assert "Mustermann" not in json.dumps(lines) and "s.sozial" not in json.dumps(lines)


def test_proxy_headers_are_trusted_only_when_configured(database_url, db):
    from tests.web.conftest import web_config
    from web.app import create_app

    plain = create_app(web_config(database_url))
    proxied = create_app({**web_config(database_url), "TRUSTED_PROXIES": 1})
    headers = {"X-Forwarded-Proto": "https"}
    assert "Strict-Transport-Security" not in plain.test_client().get("/healthz", headers=headers).headers
    assert "Strict-Transport-Security" in proxied.test_client().get("/healthz", headers=headers).headers


def test_a_worker_run_through_kimflow_stamps_the_heartbeat_readiness_asks_for(services, database_url):
    from engine import cli
    from web.cli import plugin

    assert cli.run(["--db", database_url, "worker", "--once"], plugin=plugin()) == 0
    verdict = health.readiness(services.db, now=clock.now(), extra_migrations=services.engine.extensions.migrations)
    assert verdict.checks["worker"] == "ok"


def _samples(text: str, name: str) -> dict[str, float]:
    """Return the samples of one metric as {label text: value} from the Prometheus exposition."""
    out = {}
    for line in text.splitlines():
        if line.startswith(name + "{") or line.startswith(name + " "):
            labels, _, value = line[len(name):].rpartition(" ")
            out[labels] = float(value)
    return out


def test_metrics_count_external_tasks_per_topic_as_open_locked_and_lock_expired(app, services):
    from engine import Actor, external_tasks
    from tests.engine.test_external_tasks import TOPIC, external_process

    system = Actor.system_actor("test")
    services.engine.deploy({"ext.bpmn": external_process()}, actor=system)
    for _ in range(4):
        services.engine.start("ext", actor=system)
    minute = dt.timedelta(minutes=1)
    external_tasks.fetch_and_lock(services.engine, "w-neu", [TOPIC], max_tasks=2, lock_duration=10 * minute)
    external_tasks.fetch_and_lock(services.engine, "w-alt", [TOPIC], max_tasks=1, lock_duration=minute,
                                  now=clock.now() - 10 * minute)  # its lock ran out long ago
    text = app.test_client().get("/metrics").get_data(as_text=True)
    assert _samples(text, "kimflow_external_tasks") == {
        f'{{state="lock_expired",topic="{TOPIC}"}}': 1.0, f'{{state="locked",topic="{TOPIC}"}}': 2.0,
        f'{{state="open",topic="{TOPIC}"}}': 1.0}


def test_metrics_count_hook_deliveries_delivered_pending_and_given_up_with_failed_attempts(app, services):
    from engine import Actor, hooks

    system = Actor.system_actor("test")
    services.engine.deploy(fixture_files("two_tasks.bpmn"), actor=system)
    hooks.subscribe(services.db, "Fachverfahren", "https://receiver.example/hook", ["instance.started"],
                    actor="admin")
    for municipality in ("neuss", "kaarst", "dormagen"):
        services.engine.start("two_tasks", actor=system, data={"municipality": municipality})
    answers = iter([200, 503])
    assert hooks.deliver_due(services.db, limit=2, post=lambda *_: next(answers)) == 1
    client = app.test_client()
    text = client.get("/metrics").get_data(as_text=True)
    assert _samples(text, "kimflow_hook_deliveries") == {
        '{status="pending"}': 2.0, '{status="delivered"}': 1.0, '{status="failed"}': 0.0}
    assert _samples(text, "kimflow_hook_attempts_failed") == {"": 1.0}
    assert _samples(text, "kimflow_hook_lag_seconds")[""] > 0.0
    for attempt in range(hooks.MAX_ATTEMPTS):
        hooks.deliver_due(services.db, now=clock.now() + dt.timedelta(days=attempt + 1), post=lambda *_: 500)
    text = client.get("/metrics").get_data(as_text=True)
    assert _samples(text, "kimflow_hook_deliveries") == {
        '{status="pending"}': 0.0, '{status="delivered"}': 1.0, '{status="failed"}': 2.0}
