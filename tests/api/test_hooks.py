"""Event hooks: subscribed events reach a local receiver signed, retried after errors and never lost."""

from __future__ import annotations

import datetime as dt
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from engine import clock, hooks
from engine.store.integration_models import HookOutbox
from tests.api.conftest import SYSTEM
from tests.engine.test_external_tasks import TOPIC, external_process
from tests.engine.test_external_tasks import ext as external_tasks

LATER = dt.timedelta(hours=2)


class Receiver:
    """A local HTTP receiver that answers with the queued statuses (then 200) and keeps what it got."""

    def __init__(self):
        self.received: list[tuple[dict, bytes]] = []
        self.statuses: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the http.server API
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(receiver.statuses.pop(0) if receiver.statuses else 200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/kimflow"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def events(self) -> list[str]:
        return [json.loads(body)["event"] for _headers, body in self.received]


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.server.shutdown()
    server.server.server_close()


@pytest.fixture
def subscribed(services, receiver):
    services.engine.deploy({"ext.bpmn": external_process()}, actor=SYSTEM)
    return hooks.subscribe(services.db, "Ausländerbehörde", receiver.url,
                           ["instance.started", "instance.completed", "incident.raised"], actor="admin")


def test_a_started_instance_is_delivered_signed_with_ids_and_no_personal_data(services, receiver, subscribed):
    _subscription_id, secret = subscribed
    instance_id = services.engine.start("ext", actor=SYSTEM, business_key="BK-1",
                                        data={"vorname": "Amina", "nachname": "Yilmaz"})
    assert hooks.deliver_due(services.db) == 1
    [(headers, body)] = receiver.received
    expected = hooks.sign(secret, headers["x-kimflow-timestamp"], body)
    assert hmac.compare_digest(headers["x-kimflow-signature"], expected)
    payload = json.loads(body)
    assert payload["event"] == "instance.started" and payload["instance_id"] == instance_id
    assert payload["id"] == headers["x-kimflow-idempotency-key"]
    assert "Amina" not in body.decode() and "Yilmaz" not in body.decode()


def test_a_tampered_body_fails_the_signature_check(services, receiver, subscribed):
    _subscription_id, secret = subscribed
    services.engine.start("ext", actor=SYSTEM)
    hooks.deliver_due(services.db)
    [(headers, body)] = receiver.received
    forged = body.replace(b"instance.started", b"instance.completed")
    assert not hmac.compare_digest(headers["x-kimflow-signature"],
                                   hooks.sign(secret, headers["x-kimflow-timestamp"], forged))


def test_a_500_is_retried_after_the_backoff_with_the_same_idempotency_key(services, receiver, subscribed):
    subscription_id, _secret = subscribed
    receiver.statuses = [500]
    services.engine.start("ext", actor=SYSTEM)
    assert hooks.deliver_due(services.db) == 0
    assert hooks.deliver_due(services.db) == 0  # not due again before the backoff
    assert hooks.deliver_due(services.db, now=clock.now() + LATER) == 1
    keys = [headers["x-kimflow-idempotency-key"] for headers, _body in receiver.received]
    assert len(keys) == 2 and len(set(keys)) == 1
    log = [(delivery.attempt, delivery.status_code) for _outbox, delivery in hooks.deliveries(services.db,
                                                                                              subscription_id)]
    assert log == [(2, 200), (1, 500)]


def test_an_event_claimed_by_a_worker_that_died_is_delivered_after_the_lease(services, receiver, subscribed):
    services.engine.start("ext", actor=SYSTEM)

    def die(url, body, headers):
        raise SystemExit  # the worker process ends before it hears back

    with pytest.raises(SystemExit):
        hooks.deliver_due(services.db, post=die)
    assert hooks.deliver_due(services.db) == 0  # still leased to the dead worker
    assert hooks.deliver_due(services.db, now=clock.now() + hooks.LEASE * 2) == 1
    assert receiver.events() == ["instance.started"]


def test_incidents_and_completions_are_delivered_only_to_subscribers_of_those_events(services, receiver,
                                                                                       subscribed):
    hooks.subscribe(services.db, "nur Aufgaben", receiver.url + "/tasks", ["task.created"], actor="admin")
    first = services.engine.start("ext", actor=SYSTEM)
    second = services.engine.start("ext", actor=SYSTEM)
    tasks = {t.instance_id: t for t in external_tasks.fetch_and_lock(services.engine, "w", [TOPIC], max_tasks=2)}
    external_tasks.complete(services.engine, tasks[first].id, "w", actor=SYSTEM)
    external_tasks.failure(services.engine, tasks[second].id, "w", actor=SYSTEM, message="kaputt", retries=0)
    hooks.deliver_due(services.db)
    assert sorted(receiver.events()) == ["incident.raised", "instance.completed", "instance.started",
                                         "instance.started"]


def test_a_subscription_to_an_unknown_event_is_refused(services, receiver):
    with pytest.raises(hooks.HookError, match="Unbekannte Ereignisse"):
        hooks.subscribe(services.db, "x", receiver.url, ["case.opened"], actor="admin")


def test_the_outbox_row_is_written_with_the_change_and_rolled_back_with_it(services, subscribed):
    with pytest.raises(RuntimeError), services.db.unit_of_work():
        services.engine.start("ext", actor=SYSTEM)  # joins the outer unit, which then fails
        raise RuntimeError("Abbruch nach dem Start")
    with services.db.reading() as session:
        assert session.scalars(select(HookOutbox)).all() == []


def test_a_correlated_message_is_delivered_with_its_name_and_not_its_payload(services, receiver):
    from tests.bpmn_builder import build

    waiting = build("wartet", [("start", "s"), ("msg_catch", "antwort", "ba_antwort"), ("end", "e")],
                    [("s", "antwort"), ("antwort", "e")])
    services.engine.deploy({"wartet.bpmn": waiting.encode()}, actor=SYSTEM)
    hooks.subscribe(services.db, "Fachverfahren", receiver.url, ["message.correlated"], actor="admin")
    instance_id = services.engine.start("wartet", actor=SYSTEM, business_key="BK-7")
    services.engine.correlate("ba_antwort", actor=SYSTEM, business_key="BK-7", payload={"nachname": "Yilmaz"})
    assert hooks.deliver_due(services.db) == 1
    [(_headers, body)] = receiver.received
    payload = json.loads(body)
    assert (payload["event"], payload["instance_id"], payload["message"]) == (
        "message.correlated", instance_id, "ba_antwort")
    assert "Yilmaz" not in body.decode()


def test_an_incident_is_delivered_without_its_error_text(services, receiver, subscribed):
    instance_id = services.engine.start("ext", actor=SYSTEM)
    [task] = external_tasks.fetch_and_lock(services.engine, "w", [TOPIC])
    external_tasks.failure(services.engine, task.id, "w", actor=SYSTEM, message="Frau Yilmaz unbekannt", retries=0)
    hooks.deliver_due(services.db)
    [incident] = [json.loads(body) for _headers, body in receiver.received
                  if json.loads(body)["event"] == "incident.raised"]
    assert incident["instance_id"] == instance_id
    assert "Yilmaz" not in json.dumps(incident)  # error texts may quote personal data
