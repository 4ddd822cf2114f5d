"""Whom a task can go to comes from the cached organisation: colleagues, today's deputies of them and of me, sibling
units."""

import datetime as dt

import pytest
from sqlalchemy import event

from engine.identity import org
from engine.identity.accounts import hash_cost
from engine.read.handover import handover_choices
from engine.store.models import HumanTask
from tests.engine.test_routing import seed_district

TODAY = dt.date(2026, 3, 12)
PASSWORD = "Rhein-Kreis-2026"
PEOPLE = [("s.mueller", "Sabine Müller", "sozialamt_kaarst"), ("a.berg", "Anna Berg", "sozialamt_kaarst"),
          ("k.krank", "Karl Krank", "sozialamt_kaarst"), ("j.jobs", "Jana Jobs", "jobcenter_rkn"),
          ("v.vertretung", "Vera Vertretung", None), ("e.ehemals", "Emil Ehemals", "sozialamt_kaarst")]


@pytest.fixture
def office(db):
    with db.unit_of_work() as session, hash_cost(time_cost=1, memory_cost=1024):
        seed_district(session)
        for username, name, unit in PEOPLE:
            org.create_user(session, username, name, PASSWORD, actor="admin")
            if unit:
                org.add_membership(session, username, unit, actor="admin")
        org.update_user(session, "e.ehemals", actor="admin", active=False)
        org.set_deputy(session, "k.krank", "v.vertretung", TODAY, None, actor="admin")  # a colleague's deputy today
        org.set_deputy(session, "s.mueller", "a.berg", TODAY, None, actor="admin")  # already a colleague
        org.set_deputy(session, "a.berg", "j.jobs", TODAY + dt.timedelta(days=1), None, actor="admin")  # not yet
    return db


def _choices(db, task: HumanTask, username: str):
    statements: list[str] = []
    target = db.engine

    def one(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    with db.reading() as session:
        actor = org.actor_for(session, username, dt.datetime(2026, 3, 12, 9, tzinfo=dt.UTC))
        event.listen(target, "before_cursor_execute", one)
        try:
            choices = handover_choices(session, task, actor, TODAY)
        finally:
            event.remove(target, "before_cursor_execute", one)
    return choices, len(statements)


def test_colleagues_their_deputies_today_and_the_other_units_of_the_office_come_from_the_cache(office):
    task = HumanTask(id="t1", unit="sozialamt_kaarst", office="sozialamt")
    choices, statements = _choices(office, task, "s.mueller")
    assert choices.colleagues == [("a.berg", "Anna Berg"), ("k.krank", "Karl Krank")]
    assert choices.deputies == [("v.vertretung", "Vera Vertretung")]
    units = [code for code, _name in choices.units]
    assert "sozialamt_kaarst" not in units and "sozialamt_neuss" in units and "jobcenter_rkn" not in units
    assert statements <= 7  # the organisation is read once into the process's cache
    again, statements = _choices(office, task, "s.mueller")
    assert again == choices and statements == 0  # the sign-in statement carried the reference revision


def test_a_task_without_a_unit_offers_the_colleagues_of_my_units_and_no_units_without_an_office(office):
    choices, _statements = _choices(office, HumanTask(id="t2", unit=None, office=None), "j.jobs")
    assert choices.colleagues == [] and choices.deputies == [] and choices.units == []
