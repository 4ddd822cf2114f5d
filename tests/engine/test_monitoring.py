"""The instance list filters and sorts from the narrow tables; the detail shows history and path."""

import datetime as dt

from engine.core import clock
from engine.read.lists import open_tasks
from engine.read.monitoring import InstanceFilter, incident_list, instance_detail, instance_list
from tests.bpmn_builder import build, user


def process() -> str:
    return build("antrag", [("start", "s"), user("pruefen", "Prüfen", "abh", dueDate="P7D"),
                            ("script", "rechnen", "x = 1 / teiler"), user("ende", "Abschluss", "abh"),
                            ("end", "e")],
                 [("s", "pruefen"), ("pruefen", "rechnen"), ("rechnen", "ende"), ("ende", "e")])


def start(engine, system, when, key):
    with clock.frozen(when):
        return engine.start("antrag", actor=system, business_key=key, data={"teiler": 1})


def test_the_list_filters_by_key_prefix_dates_and_overdue_tasks(engine, system, db):
    engine.deploy({"antrag.bpmn": process()}, actor=system)
    old = start(engine, system, dt.datetime(2026, 1, 5, tzinfo=dt.UTC), "AZ-100")
    new = start(engine, system, dt.datetime(2026, 3, 5, tzinfo=dt.UTC), "AZ-200")
    now = dt.datetime(2026, 3, 8, tzinfo=dt.UTC)
    with db.reading() as session:
        assert [r.id for r in instance_list(session, now=now).items] == [new, old]
        assert [r.id for r in instance_list(session, InstanceFilter(search="AZ-1"), now=now).items] == [old]
        in_march = InstanceFilter(started_from=dt.datetime(2026, 3, 1, tzinfo=dt.UTC))
        assert instance_list(session, in_march, now=now).total == 1
        overdue = instance_list(session, InstanceFilter(overdue=True, sort="id"), now=now)
        assert [r.id for r in overdue.items] == [old]
        assert instance_list(session, InstanceFilter(status="completed"), now=now).total == 0


def test_the_detail_shows_task_history_and_the_path_with_the_failed_element(engine, system, db):
    engine.deploy({"antrag.bpmn": process()}, actor=system)
    instance_id = start(engine, system, dt.datetime(2026, 3, 1, 8, tzinfo=dt.UTC), "AZ-1")
    with db.reading() as session:
        [task] = open_tasks(session, instance_id=instance_id)
    with clock.frozen(dt.datetime(2026, 3, 1, 11, tzinfo=dt.UTC)):
        engine.complete(task.id, actor=system)
    engine.set_data(instance_id, actor=system, values={"teiler": 0}, reason="Test")
    with db.reading() as session:
        detail = instance_detail(session, instance_id)
    assert [(t.element_id, t.hours) for t in detail.tasks] == [("pruefen", 3.0), ("ende", None)]
    assert detail.path["pruefen"] == "completed" and detail.path["ende"] == "active"
    assert [a.action for a in detail.actions] == ["data_corrected"]


def test_incidents_list_the_failed_element_and_disappear_after_a_retry(engine, system, db):
    engine.deploy({"antrag.bpmn": process()}, actor=system)
    with clock.frozen(dt.datetime(2026, 3, 1, tzinfo=dt.UTC)):
        instance_id = engine.start("antrag", actor=system, business_key="AZ-9", data={"teiler": 0})
    with db.reading() as session:
        [task] = open_tasks(session, instance_id=instance_id)
    engine.complete(task.id, actor=system)
    with db.reading() as session:
        [incident] = incident_list(session)
        assert instance_detail(session, instance_id).path["rechnen"] == "failed"
    assert (incident.instance_id, incident.element_id, incident.business_key) == (instance_id, "rechnen", "AZ-9")
    engine.retry(instance_id, actor=system, data={"teiler": 2}, reason="Teiler korrigiert")
    with db.reading() as session:
        assert incident_list(session) == []
        assert len(incident_list(session, open_only=False)) == 1
