"""Actors: a user acts with their units, those units' offices, their role, and the units they deputise."""

import datetime as dt

import pytest

from engine.core.errors import NotFound
from engine.identity import org
from engine.identity.accounts import hash_cost
from engine.service.task_rule import available_to
from engine.store import audit
from engine.store.models import HumanTask
from tests.engine.test_routing import seed_district

NOW = dt.datetime(2026, 3, 12, 9, 0, tzinfo=dt.UTC)
PASSWORD = "Rhein-Kreis-2026"


@pytest.fixture
def staff(db):
    with db.unit_of_work() as session, hash_cost(time_cost=1, memory_cost=1024):
        seed_district(session)
        org.create_user(session, "s.mueller", "Sabine Müller", PASSWORD, actor="admin")
        org.create_user(session, "k.schmidt", "Kai Schmidt", PASSWORD, actor="admin", role="manager")
        org.add_membership(session, "s.mueller", "sozialamt_kaarst", actor="admin")
        org.add_membership(session, "k.schmidt", "jobcenter_rkn", actor="admin")
    return db


def actor(db, username, now=NOW):
    with db.reading() as session:
        return org.actor_for(session, username, now)


def test_an_actor_carries_the_users_units_offices_and_role(staff):
    me = actor(staff, "k.schmidt")
    assert (me.name, me.units, me.offices, me.roles) == (
        "k.schmidt", {"jobcenter_rkn"}, {"jobcenter"}, {"manager"})


def test_a_deputy_works_the_absent_users_units_only_while_valid(staff):
    with staff.unit_of_work() as session:
        org.set_deputy(session, "s.mueller", "k.schmidt", dt.date(2026, 3, 10), dt.date(2026, 3, 20),
                       actor="admin")
    assert actor(staff, "k.schmidt").units == {"jobcenter_rkn", "sozialamt_kaarst"}
    task = HumanTask(unit="sozialamt_kaarst", office="sozialamt", candidate_users=[], assignee=None)
    assert available_to(actor(staff, "k.schmidt"), task)
    assert actor(staff, "k.schmidt", NOW + dt.timedelta(days=9)).units == {"jobcenter_rkn"}
    assert actor(staff, "k.schmidt", NOW - dt.timedelta(days=3)).units == {"jobcenter_rkn"}
    assert actor(staff, "s.mueller").units == {"sozialamt_kaarst"}


def test_deputyship_validity_follows_the_local_calendar_day(staff):
    with staff.unit_of_work() as session:
        org.set_deputy(session, "s.mueller", "k.schmidt", dt.date(2026, 3, 13), None, actor="admin")
    late_evening_utc = dt.datetime(2026, 3, 12, 23, 30, tzinfo=dt.UTC)  # already 13 March in Neuss
    assert "sozialamt_kaarst" in actor(staff, "k.schmidt", late_evening_utc).units


def test_nobody_deputises_themselves_and_the_end_cannot_precede_the_start(staff):
    with staff.unit_of_work() as session:
        with pytest.raises(org.OrgError, match="selbst"):
            org.set_deputy(session, "s.mueller", "s.mueller", dt.date(2026, 3, 1), None, actor="admin")
        with pytest.raises(org.OrgError, match="vor"):
            org.set_deputy(session, "s.mueller", "k.schmidt", dt.date(2026, 3, 5), dt.date(2026, 3, 1),
                           actor="admin")


def test_removed_memberships_and_inactive_units_no_longer_count(staff):
    with staff.unit_of_work() as session:
        org.add_membership(session, "s.mueller", "kim_cm_kaarst", actor="admin")
        org.save_unit(session, "kim_cm_kaarst", "KIM-Fallmanagement Kaarst", "kim_cm", actor="admin",
                      active=False)
        assert org.remove_membership(session, "s.mueller", "sozialamt_kaarst", actor="admin")
    assert actor(staff, "s.mueller").units == frozenset()


def test_unknown_and_deactivated_users_have_no_actor(staff):
    with staff.unit_of_work() as session:
        org.update_user(session, "s.mueller", actor="admin", active=False)
    with pytest.raises(NotFound):
        actor(staff, "niemand")
    with pytest.raises(NotFound):
        actor(staff, "s.mueller")


def test_every_organisation_change_is_audited(staff):
    with staff.reading() as session:
        actions = {e.action for e in audit.events(session, actor="admin")}
    assert {"unit_created", "responsibility_set", "user_created", "membership_added"} <= actions


def test_lists_of_units_and_users_are_ordered(staff):
    with staff.reading() as session:
        codes = [u.code for u in org.list_units(session, office="abh")]
        assert codes == ["abh_dormagen", "abh_neuss", "abh_kreis"]
        assert [u.username for u in org.list_users(session)] == ["k.schmidt", "s.mueller"]
        assert org.memberships(session, "s.mueller") == ["sozialamt_kaarst"]
