"""The designer deploys through the same façade verb as the CLI: timer starts scheduled, deployment audited."""

from __future__ import annotations

from sqlalchemy import select

from engine.service.designer import Designer
from engine.service.drafts import DraftInput
from engine.store.models import AuditEvent, Job
from tests.engine.test_messages_and_timers import timer_start_process


def test_a_draft_deployed_from_the_designer_schedules_its_timer_start_event(engine, db, system):
    xml = timer_start_process("<bpmn:timeDate>2027-01-31T12:00:00Z</bpmn:timeDate>")
    designer = Designer(engine)
    designer.save(DraftInput("daily", "daily.bpmn", xml, expected_revision=None), actor=system)
    deployed = designer.deploy("daily", actor=system)
    assert [(d.process_id, d.version) for d in deployed] == [("daily", 1)]
    with db.reading() as session:
        jobs = session.scalars(select(Job).where(Job.kind == "start")).all()
        audited = session.scalars(select(AuditEvent.action).where(AuditEvent.action == "definition_deployed")).all()
    assert [(j.process_id, j.status, j.due_at.isoformat()) for j in jobs] == [
        ("daily", "pending", "2027-01-31T12:00:00+00:00")]
    assert audited == ["definition_deployed"]
