"""Access follows responsibility: a consent reaches the unit responsible for the person's municipality only."""

import datetime as dt

import pytest
from sqlalchemy import select

from engine.core import clock
from engine.core.errors import NotFound
from engine.identity import org
from engine.store import audit
from engine.store.models import HumanTask
from tests.engine.test_routing import fan_out_bpmn, make_staff, routed  # noqa: F401 - fixture
from workflows.cases.consent import record_consent
from workflows.cases.files import move_case, open_case
from workflows.cases.visibility import visible_case, visible_case_refs

pytestmark = pytest.mark.usefixtures("routed")
NOW = dt.datetime(2026, 3, 12, 9, 0, tzinfo=dt.UTC)
STAFF = {"soz.kaarst": "sozialamt_kaarst", "soz.neuss": "sozialamt_neuss", "abh.dormagen": "abh_dormagen",
         "abh.neuss": "abh_neuss", "cm.neuss": "kim_cm_neuss"}


@pytest.fixture
def neuss_case(db):
    with clock.frozen(NOW), db.unit_of_work() as session:
        make_staff(session, STAFF)
        ref = open_case(session, actor="cm.neuss", area="neuss", given_name="Amal", family_name="Haddad").case_ref
        for office in ("sozialamt", "abh"):
            record_consent(session, ref, office, ["stammdaten"], "Hilfeplan", actor="cm.neuss",
                           valid_from=dt.date(2026, 3, 1))
    return ref


def who(db, username):
    with db.reading() as session:
        return org.actor_for(session, username, NOW)


def opens(db, username, ref) -> bool:
    try:
        with db.unit_of_work() as session:
            visible_case(session, ref, who(db, username), NOW)
    except NotFound:
        return False
    return True


def listed(db, username) -> set[str]:
    with db.reading() as session:
        return set(session.scalars(visible_case_refs(session, who(db, username), NOW)))


def test_the_kaarst_social_services_clerk_cannot_open_a_neuss_case(db, neuss_case):
    assert not opens(db, "soz.kaarst", neuss_case)
    assert neuss_case not in listed(db, "soz.kaarst")
    with db.reading() as session:
        assert [e.action for e in audit.events(session, actor="soz.kaarst")] == ["case_access_denied"]


def test_the_dormagen_foreigners_authority_cannot_open_a_neuss_case(db, neuss_case):
    assert not opens(db, "abh.dormagen", neuss_case)
    assert neuss_case not in listed(db, "abh.dormagen")


def test_the_neuss_units_named_by_office_open_the_neuss_case(db, neuss_case):
    for username in ("soz.neuss", "abh.neuss"):
        assert opens(db, username, neuss_case)
        assert neuss_case in listed(db, username)


def test_a_consent_naming_a_unit_that_is_not_responsible_releases_nothing(db, neuss_case):
    with clock.frozen(NOW), db.unit_of_work() as session:
        record_consent(session, neuss_case, "sozialamt_kaarst", ["stammdaten"], "Hilfeplan", actor="cm.neuss",
                       valid_from=dt.date(2026, 3, 1))
    assert not opens(db, "soz.kaarst", neuss_case)
    assert neuss_case not in listed(db, "soz.kaarst")


def test_when_a_case_moves_access_moves_with_it(db, engine, system, neuss_case):
    engine.deploy({"fan_out.bpmn": fan_out_bpmn()}, actor=system)
    engine.start("fan_out", actor=system, case_ref=neuss_case)
    with db.reading() as session:
        task_id = session.scalar(select(HumanTask.id).where(HumanTask.office == "sozialamt"))
    engine.complete(task_id, actor=who(db, "soz.neuss"), data={})
    move_case(engine, neuss_case, "kaarst", actor=system)
    assert not opens(db, "soz.neuss", neuss_case)
    assert neuss_case not in listed(db, "soz.neuss")
    assert opens(db, "soz.kaarst", neuss_case)
    assert neuss_case in listed(db, "soz.kaarst")
