"""Intake "Neue Person / neuer Fall": the referral opens the case, starts kim_case and records the first consent."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.store.models import AuditEvent, HumanTask, ProcessInstance
from tests.web.cases_scene import seed_district
from workflows.cases.models import Case, Consent

REFERRAL = {"given_name": "Mohammed", "family_name": "Al-Hassan", "birth_date": "1990-05-17", "nationality": "syrisch",
            "language": "Arabisch", "municipality": "neuss", "source": "welfare",
            "household": "Fatima Al-Hassan, Ehefrau\nOmar Al-Hassan, Sohn", "consent_offices": ["sozialamt", "abh"],
            "consent_categories": ["stammdaten", "leistungen"], "revocation_explained": "true"}


@pytest.fixture
def district(services, restore_template):
    return restore_template("cases_district", seed_district, services.db)


def _intake(client, **changes):
    return client.post("/faelle/neu", data={**REFERRAL, **changes})


def test_the_referral_opens_the_case_and_the_first_task_waits_in_the_municipalitys_case_management(
        district, login, services):
    response = _intake(login("c.neuss"))
    assert response.status_code == 302 and "/fall/K-" in response.headers["Location"]
    with services.db.reading() as session:
        case = session.scalar(select(Case))
        task = session.scalar(select(HumanTask).where(HumanTask.case_ref == case.case_ref))
        consents = session.scalars(select(Consent).where(Consent.case_ref == case.case_ref)).all()
        instance = session.scalar(select(ProcessInstance).where(ProcessInstance.case_ref == case.case_ref))
    assert (case.family_name, case.area, case.referral_source) == ("Al-Hassan", "neuss", "welfare")
    assert [m["relation"] for m in case.household] == ["Ehefrau", "Sohn"]
    assert instance.process_id == "kim_case"
    assert (task.element_id, task.unit) == ("record_referral", "kim_cm_neuss")
    assert sorted(c.office for c in consents) == ["abh", "sozialamt"]
    assert all(c.data_categories == ["leistungen", "stammdaten"] for c in consents)


def test_a_kaarst_referral_lands_in_kaarst_not_in_neuss(district, login, services):
    _intake(login("c.kaarst"), municipality="kaarst", given_name="Olena", family_name="Kovalenko")
    with services.db.reading() as session:
        units = session.scalars(select(HumanTask.unit)).all()
    assert units == ["kim_cm_kaarst"]


def test_missing_name_and_municipality_are_reported_next_to_the_fields(district, login, services):
    response = _intake(login("c.neuss"), family_name="", municipality="")
    html = response.data.decode()
    assert response.status_code == 400
    assert 'id="f-family_name-error"' in html and 'id="f-municipality-error"' in html
    with services.db.reading() as session:
        assert session.scalar(select(Case)) is None


def test_a_consent_needs_the_explained_right_of_revocation(district, login):
    response = _intake(login("c.neuss"), revocation_explained="")
    assert response.status_code == 400 and 'id="f-revocation_explained-error"' in response.data.decode()


def test_a_birth_date_in_the_future_is_refused(district, login):
    response = _intake(login("c.neuss"), birth_date="2099-01-01")
    assert response.status_code == 400 and "nicht plausibel" in response.data.decode()


def test_the_same_person_spelled_differently_is_offered_as_the_existing_case(district, login, services):
    client = login("c.neuss")
    _intake(client)
    response = _intake(client, given_name="Muhammad", family_name="Al Hasan")
    html = response.data.decode()
    assert response.status_code == 409
    assert "Bestehenden Fall fortführen" in html and "Al-Hassan, Mohammed" in html
    with services.db.reading() as session:
        assert len(session.scalars(select(Case)).all()) == 1


def test_the_case_manager_may_still_open_a_second_case_on_purpose(district, login, services):
    client = login("c.neuss")
    _intake(client)
    assert _intake(client, anlegen="neu").status_code == 302
    with services.db.reading() as session:
        assert len(session.scalars(select(Case)).all()) == 2


def test_continuing_the_existing_case_starts_no_second_case(district, login, services):
    client = login("c.neuss")
    _intake(client)
    with services.db.reading() as session:
        case_ref = session.scalar(select(Case.case_ref))
    response = client.post(f"/faelle/{case_ref}/fortfuehren")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/fall/{case_ref}")
    with services.db.reading() as session:
        assert len(session.scalars(select(ProcessInstance)).all()) == 1  # kim_case already runs: nothing new


def test_a_duplicate_in_another_municipality_stays_hidden_from_the_kaarst_case_manager(district, login):
    _intake(login("c.neuss"))
    response = _intake(login("c.kaarst"), municipality="kaarst")
    assert response.status_code == 302  # no hint that a Neuss case exists


def test_clerks_outside_case_management_cannot_take_in_referrals(district, login, services):
    assert login("s.neuss").get("/faelle/neu").status_code == 404
    with services.db.reading() as session:
        reasons = [e.details.get("reason") for e in session.scalars(select(AuditEvent).where(
            AuditEvent.action == "access_denied"))]
    assert "intake_not_case_management" in reasons


def test_continuing_a_case_the_user_may_not_open_is_refused(district, login, services):
    _intake(login("c.neuss"))
    with services.db.reading() as session:
        case_ref = session.scalar(select(Case.case_ref))
    assert login("c.kaarst").post(f"/faelle/{case_ref}/fortfuehren").status_code == 404
