"""The benefit-gap steering fact: recorded once both its facts exist, from what the instance kept (issue 16)."""

from types import SimpleNamespace

import pytest
from sqlalchemy import select

from engine.service.engine import ProcessEngine
from engine.store.models import ProcessInstance
from tests.web import scenario
from tests.web.conftest import seed_scene
from workflows.setup import build_extensions
from workflows.steering.facts import GAP_KEY
from workflows.steering.models import SteeringFact


@pytest.fixture
def services(db, restore_template):
    """The engine with the KIM extensions (as the app has it) and its database."""
    return SimpleNamespace(db=db, engine=ProcessEngine(db, build_extensions()))


@pytest.fixture
def scene(services, restore_template):
    return restore_template("scene", seed_scene, services.db)


def _facts(services, instance_id: int) -> dict[str, SteeringFact]:
    with services.db.reading() as session:
        return {f.kind: f for f in session.scalars(select(SteeringFact).where(
            SteeringFact.instance_id == instance_id, SteeringFact.kind.in_(
                ("asylblg_last_payment", "sgb2_approved", "benefit_gap"))))}


def _finish_asylblg_and_approve(services, scene) -> None:
    engine = services.engine
    scenario.complete(engine, scene.instance_id, "end_asylblg", last_payment_date="2026-03-31", transfer_sent=True)
    scenario.complete(engine, scene.instance_id, "decide_application", application_decision="approved",
                      approved_from="2026-04-01")


def test_an_approval_after_the_last_asylblg_payment_records_the_gap_between_them(services, scene):
    _finish_asylblg_and_approve(services, scene)
    facts = _facts(services, scene.instance_id)
    assert set(facts) == {"asylblg_last_payment", "sgb2_approved", "benefit_gap"}
    paid, approved = facts["asylblg_last_payment"].at, facts["sgb2_approved"].at
    assert facts["benefit_gap"].at == max(paid, approved)
    assert facts["benefit_gap"].days == max(0.0, round((approved - paid).total_seconds() / 86400, 1))


def test_an_instance_without_the_kept_facts_reads_them_and_records_the_same_gap(services, scene):
    scenario.complete(services.engine, scene.instance_id, "end_asylblg", last_payment_date="2026-03-31",
                      transfer_sent=True)
    with services.db.unit_of_work() as session:  # as an instance from before, or one retention scrubbed
        row = session.get(ProcessInstance, scene.instance_id)
        row.summary = {k: v for k, v in (row.summary or {}).items() if k != GAP_KEY}
    scenario.complete(services.engine, scene.instance_id, "decide_application", application_decision="approved",
                      approved_from="2026-04-01")
    assert "benefit_gap" in _facts(services, scene.instance_id)
