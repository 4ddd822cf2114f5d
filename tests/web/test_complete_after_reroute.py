"""A clerk submits a form whose task was moved to another unit while the page was open: refused, nothing completed.

The submit completes from the rows its page read (no second read); the compare-and-set that marks the task completed
also checks that the task is still the clerk's, so a hand-over or reroute in between cannot be overtaken.
"""

import pytest
from sqlalchemy import select, update

from engine import NotFound, org
from engine.store.models import AuditEvent, HumanTask
from tests.web import scenario


def test_a_task_moved_to_another_unit_after_the_page_was_read_is_not_completed(services, scene):
    engine = services.engine
    page = engine.task_page(scene.sozialamt_task)
    form, _data = engine.task_form(scene.sozialamt_task)
    with services.db.reading() as session:
        clerk = org.actor_for(session, "s.sozial")  # Sozialamt Neuss
    with services.db.unit_of_work() as session:  # an administrator reroutes it meanwhile
        session.execute(update(HumanTask).where(HumanTask.id == scene.sozialamt_task)
                        .values(unit="sozialamt_kaarst"))
    with pytest.raises(NotFound):
        engine.complete(scene.sozialamt_task, actor=clerk, data=scenario.fill(form), seen=page)
    with services.db.reading() as session:
        task = session.get(HumanTask, scene.sozialamt_task)
        assert task.status == "open" and task.completed_by is None
        refusals = session.scalars(select(AuditEvent.action).where(AuditEvent.task_id == scene.sozialamt_task,
                                                                   AuditEvent.actor == "s.sozial")).all()
    assert "access_denied" in refusals and "task_completed" not in refusals
