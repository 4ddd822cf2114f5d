"""Administrators manage users, units, memberships, deputies and the routing table."""

from __future__ import annotations

import datetime as dt

from engine.identity import org
from tests.web.conftest import sign_in


def test_admin_creates_a_user_who_can_then_sign_in(app, make_user, login):
    make_user("root", role="admin")
    client = login("root")
    client.post("/verwaltung/benutzer", data={"username": "neu", "display_name": "Neue Kollegin",
                                              "password": "langes-passwort", "role": "staff"})
    assert "Neue Kollegin" in client.get("/verwaltung/benutzer").data.decode()
    assert sign_in(app.test_client(), "neu", "langes-passwort").status_code == 302


def test_a_too_short_password_is_refused_in_german(app, make_user, login):
    make_user("root", role="admin")
    client = login("root")
    response = client.post("/verwaltung/benutzer", data={"username": "neu", "display_name": "N", "password": "kurz"},
                           follow_redirects=True)
    assert "mindestens 10 Zeichen" in response.data.decode()


def test_admin_adds_and_removes_a_membership(app, make_user, login, services):
    make_user("root", role="admin")
    make_user("anna", units=("sozialamt_neuss",))
    make_user("other", units=("jobcenter_rkn",))
    client = login("root")
    client.post("/verwaltung/benutzer/anna/stellen", data={"unit": "jobcenter_rkn"})
    with services.db.reading() as session:
        assert org.memberships(session, "anna") == ["jobcenter_rkn", "sozialamt_neuss"]
    client.post("/verwaltung/benutzer/anna/stellen/sozialamt_neuss/entfernen")
    with services.db.reading() as session:
        assert org.memberships(session, "anna") == ["jobcenter_rkn"]


def test_admin_sets_a_deputy_who_then_works_the_absent_users_units(app, make_user, login, services):
    make_user("root", role="admin")
    make_user("anna", units=("sozialamt_neuss",))
    make_user("bert", units=("jobcenter_rkn",))
    login("root").post("/verwaltung/benutzer/anna/vertretungen",
                       data={"deputy": "bert", "valid_from": dt.date.today().isoformat()})
    with services.db.reading() as session:
        assert "sozialamt_neuss" in org.actor_for(session, "bert").units


def test_deactivating_a_user_ends_their_session(app, make_user, login):
    make_user("root", role="admin")
    make_user("anna", units=("sozialamt_neuss",))
    anna = login("anna")
    login("root").post("/verwaltung/benutzer/anna", data={"display_name": "Anna", "role": "staff"})
    assert anna.get("/aufgaben").status_code == 302


def test_admin_changes_units_and_responsibilities(app, make_user, login, services):
    make_user("root", role="admin")
    client = login("root")
    client.post("/verwaltung/stellen", data={"code": "abh_test", "name": "ABH Test", "office": "abh", "active": "1"})
    client.post("/verwaltung/zustaendigkeiten", data={"office": "abh", "area": "kaarst", "unit": "abh_test"})
    with services.db.reading() as session:
        assert org.resolve_unit(session, "abh", "kaarst") == "abh_test"
    assert "ABH Test" in client.get("/verwaltung/zustaendigkeiten").data.decode()


def test_a_clerk_cannot_open_the_administration(app, make_user, login):
    make_user("anna", units=("sozialamt_neuss",))
    assert login("anna").get("/verwaltung/benutzer").status_code == 404
