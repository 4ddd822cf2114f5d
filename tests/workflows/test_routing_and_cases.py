"""Routing by municipality, case linking, moves, consents and the deadline register through the engine."""

import datetime as dt

import pytest
from sqlalchemy import select

from tests.workflows.conftest import ALL_REQUESTS, REFERRAL, SYSTEM, complete, open_tasks, start_case, to_monitoring
from workflows.cases import consent
from workflows.cases import files as cases
from workflows.cases.models import Consent, Deadline
from workflows.catalogue import MUNICIPALITIES
from workflows.seed import seed_units

OWN = ("neuss", "dormagen")


def expected_unit(office: str, area: str) -> str:
    if office in ("abh", "ebh"):
        return f"{office}_{area}" if area in OWN else f"{office}_kreis"
    return "jobcenter_rkn" if office == "jobcenter" else f"{office}_{area}"


@pytest.mark.parametrize("area", list(MUNICIPALITIES))
def test_a_case_in_each_municipality_reaches_the_responsible_unit_of_every_office(kim, area):
    case_ref = start_case(kim, area)
    assert [t.unit for t in open_tasks(kim, case_ref)] == [f"kim_cm_{area}"]
    to_monitoring(kim, case_ref, area, requests=ALL_REQUESTS)
    requests = {t.office: t.unit for t in open_tasks(kim, case_ref) if t.element_id.startswith("request_")}
    assert requests == {o: expected_unit(o, area) for o in ("abh", "jobcenter", "sozialamt", "ebh")}


def test_the_kim_case_start_opens_a_case_with_the_person_and_links_the_instance(kim):
    case_ref = start_case(kim, "Jüchen", given_name="Rania", family_name="Haddad", birth_date="1990-04-01",
                          nationality="syrisch", languages=["Arabisch"])
    with kim.db.reading() as session:
        case = cases.get_case(session, case_ref)
        assert (case.given_name, case.family_name, case.birth_date, case.area, case.languages) == (
            "Rania", "Haddad", dt.date(1990, 4, 1), "juechen", ["Arabisch"])
    assert case_ref.startswith("K-")


def test_the_referral_municipality_routes_the_case_when_the_start_had_none(kim):
    case_ref = start_case(kim, "")
    assert [t.unit for t in open_tasks(kim, case_ref)] == [None]
    complete(kim, case_ref, "record_referral", **{**REFERRAL, "municipality": "kaarst"})
    assert [t.unit for t in open_tasks(kim, case_ref)] == ["kim_cm_kaarst"]


def test_moving_a_case_moves_its_open_tasks_to_the_new_municipality(kim):
    case_ref = start_case(kim, "kaarst")
    to_monitoring(kim, case_ref, "kaarst", requests={"request_abh": True, "request_sozialamt": True})
    moved = cases.move_case(kim, case_ref, "neuss", actor=SYSTEM)
    units = {t.office: t.unit for t in open_tasks(kim, case_ref)}
    assert moved == 2
    assert units == {"abh": "abh_neuss", "sozialamt": "sozialamt_neuss"}


def test_the_consent_form_records_one_consent_per_released_office(kim):
    case_ref = start_case(kim, "neuss")
    to_monitoring(kim, case_ref, "neuss")
    with kim.db.reading() as session:
        rows = list(session.scalars(select(Consent).where(Consent.case_ref == case_ref)))
    assert sorted(r.office for r in rows) == ["abh", "ebh", "jobcenter", "sozialamt"]
    assert all(r.data_categories == ["aufenthalt", "leistungen"] for r in rows)


def test_revoking_consent_cancels_the_open_request_to_that_office_only(kim):
    case_ref = start_case(kim, "dormagen")
    to_monitoring(kim, case_ref, "dormagen", requests={"request_abh": True, "request_jobcenter": True})
    with kim.db.reading() as session:
        abh = session.scalar(select(Consent.id).where(Consent.case_ref == case_ref, Consent.office == "abh"))
    withdrawn = consent.revoke_consent(kim, abh, actor=SYSTEM, reason="Widerruf")
    assert len(withdrawn) == 1
    assert [t.office for t in open_tasks(kim, case_ref)] == ["jobcenter"]


def test_a_residence_expiry_entered_in_the_assessment_lands_in_the_deadline_register(kim):
    case_ref = start_case(kim, "meerbusch")
    to_monitoring(kim, case_ref, "meerbusch", assessment={"residence_expiry": "2031-03-31"})
    with kim.db.reading() as session:
        rows = {d.kind: d for d in session.scalars(select(Deadline).where(Deadline.case_ref == case_ref))}
    entry = rows["document_expiry"]
    assert (entry.due_on, entry.label, entry.source_element_id) == (
        dt.date(2031, 3, 31), "Aufenthaltstitel läuft ab", "assessment")
    assert entry.remind_on == dt.date(2031, 2, 3)


def test_seeding_twice_adds_nothing_and_keeps_an_administrators_change(kim):
    from engine.identity import org
    with kim.db.unit_of_work() as session:
        org.set_responsibility(session, "abh", "kaarst", "abh_neuss", actor="admin")
    with kim.db.unit_of_work() as session:
        assert seed_units(session) == 0
    with kim.db.reading() as session:
        assert org.resolve_unit(session, "abh", "kaarst") == "abh_neuss"
