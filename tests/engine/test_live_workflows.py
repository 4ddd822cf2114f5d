"""A process continues the workflow it saved last instead of parsing its state again, but only while that is the
stored state: another process's step, a rolled-back step or a state changed in the database mean a fresh load."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from engine.core.errors import FormErrors
from engine.read import lists as queries
from engine.runtime.serialization import StateSerializer
from engine.service.engine import ProcessEngine
from engine.store.models import ProcessInstance
from tests.bpmn_builder import linear


@pytest.fixture
def parses(monkeypatch) -> list[int]:
    """Count how often any process parses an instance's stored state."""
    calls: list[int] = []
    real = StateSerializer.loads

    def counted(self, *args, **kwargs):
        calls.append(1)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(StateSerializer, "loads", counted)
    return calls


def _open_task(engine: ProcessEngine, instance_id: int) -> str:
    with engine.db.reading() as session:
        return queries.open_tasks(session, instance_id=instance_id)[0].id


def test_the_next_step_continues_the_saved_workflow_and_another_processes_step_is_seen(engine, system, db,
                                                                                      extensions, parses):
    engine.deploy({"p.bpmn": linear("p", tasks=3)}, actor=system)
    instance_id = engine.start("p", actor=system)
    engine.complete(_open_task(engine, instance_id), actor=system, data={"note": "eins"})
    assert parses == []  # start and first step: the workflow this process saved, never parsed

    other = ProcessEngine(db, extensions)  # another server process completes the second task
    other.complete(_open_task(other, instance_id), actor=system, data={"note": "zwei"})
    assert len(parses) == 1

    engine.complete(_open_task(engine, instance_id), actor=system, data={"note": "drei"})
    assert len(parses) == 2  # the stored state was no longer the one this process saved: parsed afresh
    view = engine.show(instance_id)
    assert view.status == "completed" and view.data["note"] == "drei"


def test_a_step_that_fails_validation_or_a_state_changed_in_the_database_is_not_continued(engine, system, db,
                                                                                          parses):
    engine.deploy({"p.bpmn": linear("p", tasks=2)}, actor=system)
    instance_id = engine.start("p", actor=system)
    task_id = _open_task(engine, instance_id)
    with pytest.raises(FormErrors):  # rolled back after the workflow was taken: it is not kept
        engine.complete(task_id, actor=system, data={"note": ["keine", "Zeichenkette"]})
    engine.complete(task_id, actor=system, data={"note": "richtig"})
    assert len(parses) == 1

    with db.unit_of_work() as session:  # e.g. retention scrubbing the state
        state = session.scalar(select(ProcessInstance.state).where(ProcessInstance.id == instance_id))
        session.execute(update(ProcessInstance).where(ProcessInstance.id == instance_id)
                        .values(state=state.replace('"richtig"', '"zensiert"')))
    assert engine.show(instance_id).data["note"] == "zensiert"
    assert len(parses) == 2


def test_reading_an_instance_lends_the_workflow_and_keeps_it(engine, system, parses):
    engine.deploy({"p.bpmn": linear("p", tasks=2)}, actor=system)
    instance_id = engine.start("p", actor=system)
    task_id = _open_task(engine, instance_id)
    engine.show(instance_id)
    engine.task_page(task_id)
    engine.complete(task_id, actor=system, data={"note": "eins"})
    assert parses == []
