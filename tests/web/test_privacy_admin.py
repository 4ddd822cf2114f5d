"""Administrators see refusal alerts and proofs of erasure and export a case's access log; clerks of other
municipalities get 404 for a case file."""

from __future__ import annotations

import datetime as dt

from engine.identity import org
from workflows.cases.consent import record_consent
from workflows.cases.files import open_case


def neuss_case(services) -> str:
    with services.db.unit_of_work() as session:
        ref = open_case(session, actor="cm", area="neuss", given_name="Amal", family_name="Haddad").case_ref
        for office in ("sozialamt", "abh"):
            record_consent(session, ref, office, ["stammdaten"], "Hilfeplan", actor="cm",
                           valid_from=dt.date(2020, 1, 1))
    return ref


def seed_routing(services):
    with services.db.unit_of_work() as session:
        for code, office, area in (("sozialamt_kaarst", "sozialamt", "kaarst"),
                                   ("sozialamt_neuss", "sozialamt", "neuss"),
                                   ("abh_dormagen", "abh", "dormagen"), ("abh_neuss", "abh", "neuss")):
            org.save_unit(session, code, code, office, actor="test")
            org.set_responsibility(session, office, area, code, actor="test")


def test_the_kaarst_clerk_and_the_dormagen_abh_get_404_for_a_neuss_case_file(app, services, make_user, login):
    seed_routing(services)
    make_user("soz.kaarst", units=("sozialamt_kaarst",))
    make_user("abh.dormagen", units=("abh_dormagen",))
    make_user("soz.neuss", units=("sozialamt_neuss",))
    ref = neuss_case(services)
    for username in ("soz.kaarst", "abh.dormagen"):
        response = login(username).get(f"/fall/{ref}")
        assert response.status_code == 404 and "Haddad" not in response.data.decode()
    assert "Haddad" in login("soz.neuss").get(f"/fall/{ref}").data.decode()


def test_a_burst_of_refusals_shows_as_an_alert_on_the_privacy_page(app, services, make_user, login):
    seed_routing(services)
    make_user("root", role="admin")
    make_user("soz.kaarst", units=("sozialamt_kaarst",))
    ref = neuss_case(services)
    clerk = login("soz.kaarst")
    for number in range(20):
        clerk.get(f"/fall/K-2026-{number}")
    page = login("root").get("/verwaltung/datenschutz").data.decode()
    assert "soz.kaarst" in page
    csv = login("root").get(f"/verwaltung/datenschutz/zugriffe.csv?fall={ref}")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert "case_opened" in csv.data.decode() and "Haddad" not in csv.data.decode()


def test_the_privacy_page_is_for_administrators_only(app, make_user, login):
    make_user("anna")
    assert login("anna").get("/verwaltung/datenschutz").status_code == 404
