"""External tasks: service tasks marked external wait for a worker, who fetches, locks and finishes them."""

import datetime as dt

import pytest
from sqlalchemy import select

from engine.core import clock
from engine.service import external_tasks as ext
from engine.store.integration_models import ExternalTask
from engine.store.models import Incident
from tests.bpmn_builder import HEADER, build

MINUTE = dt.timedelta(minutes=1)
TOPIC = "auslaenderbehoerde.pruefen"


def external_process(pid: str = "ext", topic: str = TOPIC) -> str:
    """Start, one external service task, end."""
    return build(pid, [("start", "s"), ("service", "pruefen", topic), ("end", "e")],
                 [("s", "pruefen"), ("pruefen", "e")])


def external_with_error_boundary(pid: str = "exterr", code: str = "NICHT_ZUSTAENDIG") -> str:
    """An external task whose boundary error event leads to a user task instead of the end."""
    return "\n".join([
        HEADER.format(pid=pid),
        f'<bpmn:error id="err" name="{code}" errorCode="{code}" />',
        f'<bpmn:process id="{pid}" isExecutable="true">',
        '<bpmn:startEvent id="s" />',
        f'<bpmn:serviceTask id="pruefen" camunda:type="external" camunda:topic="{TOPIC}" />',
        '<bpmn:boundaryEvent id="fehler" attachedToRef="pruefen"><bpmn:errorEventDefinition errorRef="err" />'
        "</bpmn:boundaryEvent>",
        '<bpmn:userTask id="klaeren" name="Zuständigkeit klären" camunda:candidateGroups="abh" />',
        '<bpmn:endEvent id="e" /><bpmn:endEvent id="e2" />',
        '<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="pruefen" />',
        '<bpmn:sequenceFlow id="f2" sourceRef="pruefen" targetRef="e" />',
        '<bpmn:sequenceFlow id="f3" sourceRef="fehler" targetRef="klaeren" />',
        '<bpmn:sequenceFlow id="f4" sourceRef="klaeren" targetRef="e2" />',
        "</bpmn:process></bpmn:definitions>",
    ])


@pytest.fixture
def started(engine, system):
    engine.deploy({"ext.bpmn": external_process()}, actor=system)
    return engine.start("ext", actor=system, data={"aktenzeichen": "AZ-1"})


def test_an_external_service_task_waits_for_a_worker_and_is_projected(engine, started, db):
    assert engine.show(started).status == "running"
    with db.reading() as session:
        row = session.scalars(select(ExternalTask)).one()
    assert (row.instance_id, row.topic, row.element_id, row.status) == (started, TOPIC, "pruefen", "open")


def test_a_worker_fetches_the_task_with_its_variables_and_completing_it_moves_the_instance_on(engine, started,
                                                                                              system):
    [task] = ext.fetch_and_lock(engine, "w1", [TOPIC], max_tasks=5, lock_duration=MINUTE)
    assert task.variables["aktenzeichen"] == "AZ-1" and task.worker_id == "w1"
    assert ext.fetch_and_lock(engine, "w2", [TOPIC], max_tasks=5) == []
    assert ext.complete(engine, task.id, "w1", actor=system, variables={"geprueft": True}) == "completed"
    assert engine.show(started).data["geprueft"] is True


def test_a_task_of_another_topic_is_not_fetched(engine, started):
    assert ext.fetch_and_lock(engine, "w1", ["jobcenter.melden"]) == []


def test_an_expired_lock_returns_the_task_to_the_pool_and_the_old_holder_cannot_complete(engine, started, system):
    [task] = ext.fetch_and_lock(engine, "w1", [TOPIC], lock_duration=MINUTE)
    later = clock.now() + 2 * MINUTE
    [again] = ext.fetch_and_lock(engine, "w2", [TOPIC], lock_duration=MINUTE, now=later)
    assert again.id == task.id and again.worker_id == "w2"
    with pytest.raises(ext.ExternalTaskError):
        ext.complete(engine, task.id, "w1", actor=system)


def test_extending_the_lock_keeps_other_workers_away(engine, started):
    [task] = ext.fetch_and_lock(engine, "w1", [TOPIC], lock_duration=MINUTE)
    expiry = ext.extend_lock(engine, task.id, "w1", 10 * MINUTE)
    assert expiry > task.lock_expires_at
    assert ext.fetch_and_lock(engine, "w2", [TOPIC], now=clock.now() + 2 * MINUTE) == []


def test_unlocking_returns_the_task_at_once(engine, started):
    [task] = ext.fetch_and_lock(engine, "w1", [TOPIC], lock_duration=MINUTE)
    ext.unlock(engine, task.id)
    assert [t.id for t in ext.fetch_and_lock(engine, "w2", [TOPIC])] == [task.id]


def test_a_failure_with_retries_left_is_fetched_again_after_the_retry_timeout(engine, started, system):
    [task] = ext.fetch_and_lock(engine, "w1", [TOPIC])
    ext.failure(engine, task.id, "w1", actor=system, message="Fachverfahren nicht erreichbar", retries=2,
                retry_timeout=MINUTE)
    assert ext.fetch_and_lock(engine, "w1", [TOPIC]) == []
    [again] = ext.fetch_and_lock(engine, "w1", [TOPIC], now=clock.now() + 2 * MINUTE)
    assert again.retries == 2


def test_a_failure_without_retries_raises_an_incident(engine, started, system, db):
    [task] = ext.fetch_and_lock(engine, "w1", [TOPIC])
    ext.failure(engine, task.id, "w1", actor=system, message="Akte gesperrt", retries=0)
    with db.reading() as session:
        incident = session.scalars(select(Incident)).one()
    assert incident.element_id == "pruefen" and "Akte gesperrt" in incident.message
    assert ext.fetch_and_lock(engine, "w1", [TOPIC], now=clock.now() + 60 * MINUTE) == []


def test_a_bpmn_error_takes_the_boundary_error_event(engine, system, db):
    engine.deploy({"exterr.bpmn": external_with_error_boundary()}, actor=system)
    instance_id = engine.start("exterr", actor=system)
    [task] = ext.fetch_and_lock(engine, "w1", [TOPIC])
    assert ext.bpmn_error(engine, task.id, "w1", "NICHT_ZUSTAENDIG", actor=system) == "running"
    open_tasks = [t.element_id for t in _open_human(db, instance_id)]
    assert open_tasks == ["klaeren"]


def test_an_unknown_error_code_is_refused_and_the_task_stays_locked(engine, system):
    engine.deploy({"exterr.bpmn": external_with_error_boundary()}, actor=system)
    engine.start("exterr", actor=system)
    [task] = ext.fetch_and_lock(engine, "w1", [TOPIC])
    with pytest.raises(ext.ExternalTaskError):
        ext.bpmn_error(engine, task.id, "w1", "UNBEKANNT", actor=system)
    assert ext.complete(engine, task.id, "w1", actor=system) == "completed"


def test_cancelling_the_instance_cancels_its_external_task(engine, started, system, db):
    engine.cancel(started, actor=system, reason="Antrag zurückgezogen")
    assert ext.fetch_and_lock(engine, "w1", [TOPIC]) == []
    with db.reading() as session:
        assert session.scalars(select(ExternalTask.status)).one() == "cancelled"


def _open_human(db, instance_id):
    from engine.read import lists

    with db.reading() as session:
        return lists.open_tasks(session, instance_id=instance_id)
