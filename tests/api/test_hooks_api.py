"""Hook subscriptions over HTTP: administrators subscribe receivers and read the delivery log."""

from __future__ import annotations

from engine import hooks
from tests.api.conftest import SYSTEM
from tests.api.test_hooks import Receiver
from tests.engine.test_external_tasks import external_process


def test_an_administrator_subscribes_sees_the_secret_once_and_reads_the_delivery_log(client, services, token_for):
    headers = token_for("leitstelle", verbs=["manage"])
    receiver = Receiver()
    try:
        created = client.post("/api/v1/hooks", headers=headers,
                              json={"name": "Jobcenter", "url": receiver.url, "events": ["instance.started"]})
        assert created.status_code == 201 and len(created.get_json()["secret"]) > 30
        listed = client.get("/api/v1/hooks", headers=headers).get_json()["items"]
        assert [item["name"] for item in listed] == ["Jobcenter"] and "secret" not in listed[0]
        services.engine.deploy({"ext.bpmn": external_process()}, actor=SYSTEM)
        services.engine.start("ext", actor=SYSTEM)
        hooks.deliver_due(services.db)
        log = client.get(f"/api/v1/hooks/{created.get_json()['id']}/deliveries", headers=headers).get_json()
        assert [(d["event"], d["status_code"], d["outbox_status"]) for d in log["items"]] == [
            ("instance.started", 200, "delivered")]
        assert client.delete(f"/api/v1/hooks/{created.get_json()['id']}", headers=headers).status_code == 204
        services.engine.start("ext", actor=SYSTEM)
        assert hooks.deliver_due(services.db) == 0
    finally:
        receiver.server.shutdown()
        receiver.server.server_close()


def test_subscribing_needs_the_manage_verb_and_known_events(client, token_for):
    body = {"name": "x", "url": "https://empfaenger.example/hook", "events": ["instance.started"]}
    assert client.post("/api/v1/hooks", headers=token_for("worker", verbs=["external"]), json=body).status_code == 403
    wrong = client.post("/api/v1/hooks", headers=token_for("leitstelle", verbs=["manage"]),
                        json=body | {"events": ["person.changed"]})
    assert wrong.status_code == 422
