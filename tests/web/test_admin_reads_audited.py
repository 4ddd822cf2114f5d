"""Every read of an instance's data by an administrator or manager (page or API) leaves an audit line with
action, actor and ids, never the data it showed."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from engine import service_accounts
from engine.core.actors import Actor
from engine.read.lists import open_tasks
from engine.store.models import AuditEvent, Incident
from tests.bpmn_builder import linear
from tests.engine.test_incidents import script_process

SYSTEM = Actor.system_actor("test")
NAME = "Quarkenbusch"


@pytest.fixture
def instance_id(services):
    services.engine.deploy({"antrag.bpmn": linear("antrag")}, actor=SYSTEM)
    return services.engine.start("antrag", actor=SYSTEM, business_key="AZ-77", data={"note": f"Frau {NAME}"})


@pytest.fixture
def client(app):
    return app.test_client()


def reads(services, instance_id: int) -> list[AuditEvent]:
    with services.db.reading() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == "instance_viewed",
                                                             AuditEvent.instance_id == instance_id)
                                    .order_by(AuditEvent.id)))


def test_an_admin_opening_the_instance_page_is_audited_without_the_data_shown(make_user, login, services,
                                                                            instance_id):
    page = login(make_user("ada", "admin")).get(f"/manage/instances/{instance_id}")
    assert page.status_code == 200 and NAME in page.get_data(as_text=True)
    [event] = reads(services, instance_id)
    assert (event.actor, event.instance_id, event.details) == ("ada", instance_id, {"data_shown": True})
    assert NAME not in json.dumps(event.details) and NAME not in (event.case_ref or "")


def test_a_manager_opening_the_instance_page_is_audited_too(make_user, login, services, instance_id):
    login(make_user("chefin", "manager")).get(f"/manage/instances/{instance_id}")
    assert [(e.actor, e.details["data_shown"]) for e in reads(services, instance_id)] == [("chefin", False)]


def test_a_clerk_refused_the_instance_page_leaves_no_read_line(make_user, login, services, instance_id):
    assert login(make_user("s.sozial")).get(f"/manage/instances/{instance_id}").status_code == 404
    assert reads(services, instance_id) == []


def test_reading_an_instance_over_the_api_is_audited_with_the_account_and_ids(client, services, instance_id):
    with services.db.unit_of_work() as session:
        account = service_accounts.create_account(session, "fachverfahren", units=[], verbs=["read", "manage"],
                                                  actor="test")
        token = service_accounts.issue_token(session, account.id, actor="test", days=1)
    answer = client.get(f"/api/v1/process-instances/{instance_id}", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200 and answer.get_json()["variables"]["note"] == f"Frau {NAME}"
    [event] = reads(services, instance_id)
    assert event.actor.endswith("fachverfahren") and event.details == {"via": "api", "data_shown": True}


def test_an_api_read_refused_for_need_to_know_is_no_read(client, services, instance_id):
    with services.db.unit_of_work() as session:
        account = service_accounts.create_account(session, "fremd", units=[], verbs=["read"], actor="test")
        token = service_accounts.issue_token(session, account.id, actor="test", days=1)
    answer = client.get(f"/api/v1/process-instances/{instance_id}", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 404 and reads(services, instance_id) == []


def test_an_admin_opening_an_incident_with_its_data_is_audited_without_the_data(make_user, login, services):
    services.engine.deploy({"calc.bpmn": script_process()}, actor=SYSTEM)
    instance_id = services.engine.start("calc", actor=SYSTEM, data={"name": "Amira Haddad"})
    with services.db.reading() as session:
        [task] = open_tasks(session, instance_id=instance_id)
    services.engine.complete(task.id, actor=SYSTEM, data={"divisor": 0})
    with services.db.reading() as session:
        incident_id = session.scalars(select(Incident.id)).one()
    url = f"/manage/instances/{instance_id}/incidents/{incident_id}"
    assert "Amira Haddad" in login(make_user("root", "admin")).get(url).get_data(as_text=True)
    with services.db.reading() as session:
        [event] = session.scalars(select(AuditEvent).where(AuditEvent.action == "incident_viewed")).all()
    assert (event.actor, event.instance_id, event.details["data_shown"]) == ("root", instance_id, True)
    assert "Haddad" not in json.dumps(event.details)


def test_listing_instances_on_the_page_and_over_the_api_is_audited_without_the_search_text(make_user, login, client,
                                                                                         services, instance_id):
    login(make_user("chefin", "manager")).get(f"/manage/instances?q={NAME}")
    with services.db.unit_of_work() as session:
        account = service_accounts.create_account(session, "statistik", units=[], verbs=["manage"], actor="test")
        token = service_accounts.issue_token(session, account.id, actor="test", days=1)
    client.get(f"/api/v1/process-instances?search={NAME}", headers={"Authorization": f"Bearer {token}"})
    with services.db.reading() as session:
        listed = list(session.scalars(select(AuditEvent).where(AuditEvent.action == "instance_list_viewed")
                                      .order_by(AuditEvent.id)))
    assert [(e.actor.split(":")[-1], e.details["searched"]) for e in listed] == [("chefin", True), ("statistik", True)]
    assert not any(NAME in json.dumps(e.details) for e in listed)
