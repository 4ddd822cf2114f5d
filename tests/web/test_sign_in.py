"""Sign-in, lock-out, session expiry, sign-out and logout everywhere on password change."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from engine.identity import throttle
from engine.store.models import AuditEvent
from tests.web.conftest import PASSWORD, sign_in


def test_anonymous_request_is_sent_to_the_sign_in_page(app):
    response = app.test_client().get("/aufgaben")
    assert response.status_code == 302
    assert response.location.startswith("/login?next=")


def test_clerk_signs_in_and_lands_in_the_inbox(app, make_user):
    make_user("anna", units=("sozialamt_neuss",))
    client = app.test_client()
    response = sign_in(client, "anna")
    assert response.location == "/aufgaben"
    assert client.get("/aufgaben").status_code == 200


def test_wrong_password_shows_a_german_message_without_telling_which_part_was_wrong(app, make_user):
    make_user("anna")
    response = sign_in(app.test_client(), "anna", "falsch")
    assert response.status_code == 401
    assert "Benutzername oder Passwort ist falsch." in response.data.decode()


def test_repeated_failures_delay_this_device_even_for_the_right_password(app, make_user):
    make_user("anna")
    client = app.test_client()
    for _ in range(5):
        sign_in(client, "anna", "falsch")
    response = sign_in(client, "anna")
    assert response.status_code == 429
    assert "vorübergehend gesperrt" in response.data.decode()


def test_an_administrator_lifts_the_sign_in_delay(app, make_user, login):
    make_user("anna")
    for _ in range(5):
        sign_in(app.test_client(), "anna", "falsch")
    admin = login(make_user("ada", role="admin"))
    admin.post("/verwaltung/benutzer/anna/entsperren")
    assert sign_in(app.test_client(), "anna").status_code == 302


def test_next_parameter_never_leads_to_another_host(app, make_user):
    make_user("anna")
    client = app.test_client()
    response = client.post("/login?next=//evil.example/x", data={"username": "anna", "password": PASSWORD})
    assert response.location == "/aufgaben"


def test_session_cookie_is_httponly_and_samesite_lax(app, make_user):
    make_user("anna")
    response = sign_in(app.test_client(), "anna")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_session_cookie_is_secure_when_served_over_https(app, make_user):
    make_user("anna")
    client = app.test_client()
    response = client.post("/login", base_url="https://kimflow.example",
                           data={"username": "anna", "password": PASSWORD})
    assert "Secure" in response.headers["Set-Cookie"]


def test_idle_session_expires(app, make_user, login):
    make_user("anna", units=("sozialamt_neuss",))
    client = login("anna")
    with client.session_transaction() as session:
        session["seen"] = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=31)).timestamp()
    response = client.get("/aufgaben")
    assert response.status_code == 302 and response.location.startswith("/login")
    assert client.get("/aufgaben").status_code == 302


def test_sign_out_ends_the_session(app, make_user, login):
    make_user("anna", units=("sozialamt_neuss",))
    client = login("anna")
    assert client.post("/logout").status_code == 302
    assert client.get("/aufgaben").status_code == 302


def test_password_change_signs_out_every_other_session(app, make_user, login, services):
    make_user("anna", units=("sozialamt_neuss",))
    laptop, phone = login("anna"), login("anna")
    response = laptop.post("/passwort", data={"current_password": PASSWORD, "new_password": "neues-passwort-1",
                                             "repeat_password": "neues-passwort-1"})
    assert response.status_code == 302
    assert laptop.get("/aufgaben").status_code == 200
    assert phone.get("/aufgaben").status_code == 302
    with services.db.reading() as session:
        assert session.scalar(select(AuditEvent).where(AuditEvent.action == "password_changed")) is not None


def test_password_change_with_wrong_current_password_changes_nothing(app, make_user, login):
    make_user("anna", units=("sozialamt_neuss",))
    client = login("anna")
    response = client.post("/passwort", data={"current_password": "falsch", "new_password": "neues-passwort-1",
                                             "repeat_password": "neues-passwort-1"})
    assert response.status_code == 400
    assert "Das bisherige Passwort ist falsch." in response.data.decode()
    assert sign_in(app.test_client(), "anna").status_code == 302


def test_many_failures_from_one_address_are_throttled_across_accounts(app, make_user, monkeypatch):
    monkeypatch.setattr(throttle, "ADDRESS_LIMIT", 3)
    make_user("anna")
    client = app.test_client()
    for name in ("x1", "x2", "x3"):
        sign_in(client, name, "falsch")
    response = sign_in(client, "anna")
    assert response.status_code == 429
    assert "Zu viele Fehlversuche" in response.data.decode()


def test_an_idle_session_is_signed_out_before_any_route_check(app, make_user, login):
    make_user("anna", units=("sozialamt_neuss",))
    client = login("anna")
    with client.session_transaction() as session:
        session["seen"] = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)).timestamp()
    response = client.get("/verwaltung/benutzer")
    assert response.status_code == 302 and response.location.startswith("/login")
