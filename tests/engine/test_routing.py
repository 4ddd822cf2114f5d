"""Routing: a task of an office lands in the unit responsible for the instance's municipality."""

import pytest

from engine.identity import org
from engine.identity.accounts import hash_cost
from engine.read import lists as queries
from tests import bpmn_builder as b
from workflows.routing import area_code, make_area_resolver, make_unit_resolver

MUNICIPALITIES = ("neuss", "dormagen", "grevenbroich", "meerbusch", "kaarst", "korschenbroich", "juechen",
                  "rommerskirchen")
OFFICES = ("abh", "ebh", "sozialamt", "kim_cm", "jobcenter")


def seed_district(session) -> None:
    """Build the Rhein-Kreis Neuss routing table as the domain brief describes it."""
    for office in ("abh", "ebh"):
        org.save_unit(session, f"{office}_kreis", f"{office.upper()} Rhein-Kreis Neuss", office,
                      actor="admin")
        org.set_responsibility(session, office, "*", f"{office}_kreis", actor="admin")
        for city in ("neuss", "dormagen"):
            org.save_unit(session, f"{office}_{city}", f"{office.upper()} {city.title()}", office,
                          actor="admin")
            org.set_responsibility(session, office, city, f"{office}_{city}", actor="admin")
    for city in MUNICIPALITIES:
        for office, label in (("sozialamt", "Sozialamt"), ("kim_cm", "KIM-Fallmanagement")):
            org.save_unit(session, f"{office}_{city}", f"{label} {city.title()}", office, actor="admin")
            org.set_responsibility(session, office, city, f"{office}_{city}", actor="admin")
    org.save_unit(session, "jobcenter_rkn", "Jobcenter Rhein-Kreis Neuss", "jobcenter", actor="admin")
    org.set_responsibility(session, "jobcenter", "*", "jobcenter_rkn", actor="admin")
    org.save_unit(session, "kim_coord", "KIM-Koordinierung im KI", "kim_coord", actor="admin")
    org.set_responsibility(session, "kim_coord", "*", "kim_coord", actor="admin")


def expected_unit(office: str, city: str) -> str:
    if office in ("abh", "ebh"):
        return f"{office}_{city}" if city in ("neuss", "dormagen") else f"{office}_kreis"
    if office == "jobcenter":
        return "jobcenter_rkn"
    return f"{office}_{city}"


def fan_out_bpmn() -> str:
    tasks = [b.user(f"task_{o}", f"Aufgabe {o}", o) for o in OFFICES]
    elements = [("start", "start"), ("and", "split"), *tasks, ("and", "join"), ("end", "end")]
    flows = [("start", "split")] + [("split", t[1]) for t in tasks] + [(t[1], "join") for t in tasks]
    return b.build("fan_out", elements, flows + [("join", "end")])


@pytest.fixture
def routed(db, extensions):
    extensions.unit_resolver = make_unit_resolver()
    extensions.area_resolver = make_area_resolver()
    with db.unit_of_work() as session:
        seed_district(session)
    return extensions


def test_every_office_resolves_to_its_unit_in_each_of_the_eight_municipalities(db, routed):
    with db.reading() as session:
        got = {(o, c): org.resolve_unit(session, o, c) for o in OFFICES for c in MUNICIPALITIES}
    assert got == {(o, c): expected_unit(o, c) for o in OFFICES for c in MUNICIPALITIES}


def test_an_exact_area_wins_over_the_district_default_and_unknown_offices_resolve_to_nothing(db, routed):
    with db.reading() as session:
        assert org.resolve_unit(session, "abh", "neuss") == "abh_neuss"
        assert org.resolve_unit(session, "abh", None) == "abh_kreis"
        assert org.resolve_unit(session, "sozialamt", "duesseldorf") is None
        assert org.resolve_unit(session, "jugendamt", "neuss") is None


def test_started_instances_route_each_lane_by_the_municipality_data_field(db, engine, system, routed):
    engine.deploy({"fan_out.bpmn": fan_out_bpmn()},
                  actor=system)
    started = {city: engine.start("fan_out", actor=system, data={"municipality": city.title()})
               for city in MUNICIPALITIES}
    with db.reading() as session:
        for city, instance_id in started.items():
            tasks = queries.open_tasks(session, instance_id=instance_id)
            assert {t.office: t.unit for t in tasks} == {o: expected_unit(o, city) for o in OFFICES}
            assert {t.area for t in tasks} == {city}


def test_removing_a_city_row_falls_back_to_the_district_unit(db, routed):
    with db.unit_of_work() as session:
        assert org.remove_responsibility(session, "abh", "dormagen", actor="admin")
    with db.reading() as session:
        assert org.resolve_unit(session, "abh", "dormagen") == "abh_kreis"


def test_a_responsibility_must_name_a_unit_of_the_same_office(db, routed):
    with db.unit_of_work() as session, pytest.raises(org.OrgError, match="gehört nicht"):
        org.set_responsibility(session, "abh", "kaarst", "jobcenter_rkn", actor="admin")


def test_municipality_names_are_normalised_to_area_codes():
    assert [area_code(n) for n in ("Jüchen", " Neuss ", "Rommerskirchen", "")] == [
        "juechen", "neuss", "rommerskirchen", None]


def make_staff(session, people: dict[str, str]) -> None:
    """Create one user per (username -> unit code), each a member of that unit."""
    with hash_cost(time_cost=1, memory_cost=1024):  # these tests are not about passwords
        for username, unit in people.items():
            org.create_user(session, username, username.title(), "Rhein-Kreis-2026", actor="admin")
            org.add_membership(session, username, unit, actor="admin")
