"""Incidents: a retry that fails again says so; managers retry with a corrected value; filters narrow the list."""

import pytest

from engine.core.actors import Actor
from engine.read.lists import open_tasks
from tests.engine.test_incidents import script_process

SYSTEM = Actor.system_actor("test")


@pytest.fixture
def failed(services):
    services.engine.deploy({"calc.bpmn": script_process()}, actor=SYSTEM)
    instance_id = services.engine.start("calc", actor=SYSTEM, business_key="AZ-5")
    with services.db.reading() as session:
        [task] = open_tasks(session, instance_id=instance_id)
    services.engine.complete(task.id, actor=SYSTEM, data={"divisor": 0})
    return instance_id


def test_a_retry_that_fails_again_is_reported_as_failed(make_user, login, failed, services):
    client = login(make_user("chefin", "manager"))
    page = client.post(f"/manage/instances/{failed}/retry", data={"reason": "nochmal"}, follow_redirects=True)
    html = page.get_data(as_text=True)
    assert "wieder fehlgeschlagen" in html and "Aktion ausgeführt" not in html
    assert services.engine.show(failed).status == "error"


def test_a_manager_retries_with_a_corrected_value_and_the_instance_runs_on(make_user, login, failed, services):
    client = login(make_user("chefin", "manager"))
    assert "Wert korrigieren" not in client.get(f"/manage/instances/{failed}").get_data(as_text=True)
    page = client.post(f"/manage/instances/{failed}/retry", data={"reason": "Teiler", "field": "divisor",
                                                                  "value": "4"}, follow_redirects=True)
    assert "läuft wieder" in page.get_data(as_text=True)
    assert services.engine.show(failed).status == "running"


def test_the_incident_list_filters_by_process_element_and_date(make_user, login, failed):
    client = login(make_user("chefin", "manager"))
    assert "AZ-5" in client.get("/manage/incidents?process=calc&element=divide").get_data(as_text=True)
    assert "AZ-5" not in client.get("/manage/incidents?element=anderes").get_data(as_text=True)
    assert "AZ-5" not in client.get("/manage/incidents?since=2999-01-01").get_data(as_text=True)
    assert "Fristen und Zeitgeber mit Fehlern" in client.get("/manage/incidents").get_data(as_text=True)
