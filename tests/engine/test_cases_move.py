"""When a case moves, its open tasks move with it to the new municipality's units."""

import datetime as dt

import pytest
from sqlalchemy import select

from engine.core import clock
from engine.identity import org
from engine.store import audit
from engine.store.models import HumanTask, ProcessInstance
from tests.engine.test_routing import fan_out_bpmn, make_staff, routed  # noqa: F401 - fixture
from workflows.cases.files import get_case, move_case, open_case

pytestmark = pytest.mark.usefixtures("routed")
NOW = dt.datetime(2026, 3, 12, 9, 0, tzinfo=dt.UTC)


def units(db, instance_id):
    with db.reading() as session:
        rows = session.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id,
                                                       HumanTask.status.in_(("open", "claimed"))))
        return {t.office: (t.unit, t.claimed_by) for t in rows}


def test_moving_from_kaarst_to_neuss_moves_every_open_task_and_releases_claims(db, engine, system):
    with clock.frozen(NOW), db.unit_of_work() as session:
        make_staff(session, {"soz.kaarst": "sozialamt_kaarst"})
        ref = open_case(session, actor="cm", area="kaarst").case_ref
    engine.deploy({"fan_out.bpmn": fan_out_bpmn()}, actor=system)
    instance = engine.start("fan_out", actor=system, case_ref=ref)
    with db.reading() as session:
        clerk = org.actor_for(session, "soz.kaarst", NOW)
        task_id = session.scalar(select(HumanTask.id).where(HumanTask.office == "sozialamt"))
    engine.claim(task_id, actor=clerk)
    assert units(db, instance) == {"abh": ("abh_kreis", None), "ebh": ("ebh_kreis", None),
                                   "sozialamt": ("sozialamt_kaarst", "soz.kaarst"),
                                   "kim_cm": ("kim_cm_kaarst", None), "jobcenter": ("jobcenter_rkn", None)}
    moved = move_case(engine, ref, "neuss", actor=system)
    assert moved == 4
    assert units(db, instance) == {"abh": ("abh_neuss", None), "ebh": ("ebh_neuss", None),
                                   "sozialamt": ("sozialamt_neuss", None), "kim_cm": ("kim_cm_neuss", None),
                                   "jobcenter": ("jobcenter_rkn", None)}
    with db.reading() as session:
        assert get_case(session, ref).area == "neuss"
        assert session.get(ProcessInstance, instance).area == "neuss"
        assert {e.action for e in audit.events(session, case_ref=ref)} >= {"case_moved", "task_rerouted"}


def test_tasks_started_after_the_move_route_to_the_new_area(db, engine, system):
    with db.unit_of_work() as session:
        ref = open_case(session, actor="cm", area="juechen").case_ref
    assert move_case(engine, ref, "dormagen", actor=system) == 0
    engine.deploy({"fan_out.bpmn": fan_out_bpmn()}, actor=system)
    instance = engine.start("fan_out", actor=system, case_ref=ref)
    assert units(db, instance)["abh"] == ("abh_dormagen", None)


def test_the_case_area_wins_over_a_municipality_field_in_the_data(db, engine, system):
    with db.unit_of_work() as session:
        ref = open_case(session, actor="cm", area="meerbusch").case_ref
    engine.deploy({"fan_out.bpmn": fan_out_bpmn()}, actor=system)
    instance = engine.start("fan_out", actor=system, case_ref=ref, data={"municipality": "Neuss"})
    assert units(db, instance)["sozialamt"] == ("sozialamt_meerbusch", None)
