"""A district for the case-work tests: the KIM library deployed, case managers and clerks in Neuss and Kaarst."""

from __future__ import annotations

import datetime as dt

from engine.core.actors import Actor
from engine.identity import org
from engine.service.engine import ProcessEngine
from workflows import person_keys
from workflows.library import library_files
from workflows.seed import seed_units

PASSWORD = "geheim-geheim-42"
SYSTEM = Actor.system_actor("scenario")
PEOPLE = {  # username -> (display name, role, units)
    "c.neuss": ("Clara Neuss", "staff", ("kim_cm_neuss",)),
    "c.kaarst": ("Carl Kaarst", "staff", ("kim_cm_kaarst",)),
    "s.neuss": ("Sina Neuss", "staff", ("sozialamt_neuss",)),
    "s.kaarst": ("Sven Kaarst", "staff", ("sozialamt_kaarst",)),
    "a.neuss": ("Arne Neuss", "staff", ("abh_neuss",)),
    "k.coord": ("Kim Koordination", "staff", ("kim_coord",)),
}


def seed_district(database) -> None:
    """Deploy the library and create the district's units and the people above."""
    from web.cli import kim_extensions

    person_keys.install()
    engine = ProcessEngine(database, kim_extensions())
    engine.deploy(library_files(), actor=SYSTEM)
    with engine.db.unit_of_work() as session:
        seed_units(session)
        for username, (name, role, units) in PEOPLE.items():
            org.create_user(session, username, name, PASSWORD, actor="scenario", role=role)
            for unit in units:
                org.add_membership(session, username, unit, actor="scenario")


def case_manager(username: str) -> Actor:
    """Return the actor of a case manager of PEOPLE."""
    units = frozenset(PEOPLE[username][2])
    return Actor(username, units=units, offices=frozenset({"kim_cm"}), roles=frozenset({"staff"}))


def seed_two_cases(database) -> dict[str, str]:
    """Seed the district and one referral each in Neuss and Kaarst; return the case numbers by area."""
    from web.cli import kim_extensions
    from workflows import intake

    seed_district(database)
    engine = ProcessEngine(database, kim_extensions())
    neuss = intake.Referral("Mohammed", "Al-Hassan", dt.date(1990, 5, 17), "neuss", "welfare",
                            consent_offices=["sozialamt", "abh"], consent_categories=["stammdaten", "leistungen"])
    kaarst = intake.Referral("Jörg", "Müller", dt.date(1985, 2, 1), "kaarst", "walk_in")
    return {"neuss": intake.open_referral(engine, neuss, actor=case_manager("c.neuss")).case_ref,
            "kaarst": intake.open_referral(engine, kaarst, actor=case_manager("c.kaarst")).case_ref}


def seed_permit_waiting(database) -> dict:
    """Seed two cases and run a work permit of the Neuss case until it waits for the agency's answer."""
    from tests.web.scenario import complete
    from web.cli import kim_extensions

    refs = seed_two_cases(database)
    engine = ProcessEngine(database, kim_extensions())
    [instance_id] = engine.correlate("work_permit_requested", actor=SYSTEM, case_ref=refs["neuss"],
                                     payload={"case_municipality": "neuss", "residence_title": "aufenthaltsgestattung"})
    complete(engine, instance_id, "record_offer", employer_name="Bäckerei Schmitz GmbH", job_title="Verkäufer/in",
             employment_type="employment", weekly_hours=30, job_start_date="2036-01-02", municipality="neuss")
    complete(engine, instance_id, "check_application", residence_title="aufenthaltsgestattung", residence_months=20,
             identity_clarified=True, german_level="a2", safe_country_work_ban=False, convictions=False)
    complete(engine, instance_id, "request_agency", agency_request_date="2035-12-01")
    return {**refs, "permit": instance_id}
