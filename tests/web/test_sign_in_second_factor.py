"""The optional second factor (TOTP) for administrators and designers, over HTTP with codes from pyotp."""

from __future__ import annotations

import re
import time

import pyotp
from sqlalchemy import select

from engine.identity.models import TotpFactor
from engine.store.models import AuditEvent
from tests.web.conftest import sign_in

ENROL = "/konto/zweiter-faktor"
STEP = "/login/zweiter-faktor"


def _enrol(client) -> pyotp.TOTP:
    html = client.get(ENROL).data.decode()
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', html).group(1)
    uri = re.search(r'id="totp-uri">([^<]+)<', html).group(1)
    assert uri.startswith("otpauth://totp/kimflow:") and f"secret={secret}" in uri
    assert 'src="data:image/svg+xml' in html  # the QR code, served inline
    factor = pyotp.TOTP(secret)
    assert client.post(ENROL, data={"code": factor.now()}).status_code == 302
    return factor


def _next_code(factor: pyotp.TOTP) -> str:
    return factor.at(time.time() + 30)  # the next time step: the enrolment code may not be used twice


def test_a_designer_enrols_and_then_signs_in_with_password_and_code(app, make_user, login):
    make_user("dora", role="designer")
    factor = _enrol(login("dora"))
    client = app.test_client()
    response = sign_in(client, "dora")
    assert response.status_code == 302 and response.location == STEP
    assert client.get("/aufgaben").status_code == 302  # the password alone does not sign in
    response = client.post(STEP, data={"code": _next_code(factor)})
    assert response.status_code == 302 and response.location == "/"  # the start page of the role
    assert client.get("/").location == "/designer/"
    assert client.get("/designer/").status_code == 200


def test_a_wrong_code_is_refused_and_five_send_back_to_the_password(app, make_user, login):
    make_user("dora", role="designer")
    _enrol(login("dora"))
    client = app.test_client()
    sign_in(client, "dora")
    response = client.post(STEP, data={"code": "000000"})
    assert response.status_code == 401 and "Der Code stimmt nicht." in response.data.decode()
    for _ in range(4):
        response = client.post(STEP, data={"code": "000000"})
    assert response.status_code == 302 and response.location == "/login"
    assert client.get(STEP).location == "/login"


def test_a_code_is_accepted_only_once(app, make_user, login):
    make_user("dora", role="designer")
    factor = _enrol(login("dora"))
    code = _next_code(factor)
    first, second = app.test_client(), app.test_client()
    sign_in(first, "dora")
    sign_in(second, "dora")
    assert first.post(STEP, data={"code": code}).status_code == 302
    assert second.post(STEP, data={"code": code}).status_code == 401


def test_a_wrong_enrolment_code_switches_nothing_on(app, make_user, login):
    make_user("ada", role="admin")
    client = login("ada")
    client.get(ENROL)
    assert client.post(ENROL, data={"code": "123456"}).status_code == 400
    assert sign_in(app.test_client(), "ada").location == "/aufgaben"


def test_clerks_are_not_offered_a_second_factor(app, make_user, login):
    make_user("anna", units=("sozialamt_neuss",))
    response = login("anna").get(ENROL)
    assert response.status_code == 302 and response.location == "/aufgaben"


def test_an_administrator_resets_a_lost_factor(app, make_user, login):
    make_user("dora", role="designer")
    _enrol(login("dora"))
    admin = login(make_user("ada", role="admin"))
    assert admin.post("/verwaltung/benutzer/dora/zweiter-faktor").status_code == 302
    assert sign_in(app.test_client(), "dora").location == "/designer/"  # no code asked any more


def test_only_administrators_may_reset_a_factor(app, make_user, login):
    make_user("dora", role="designer")
    _enrol(login("dora"))
    other = login(make_user("dirk", role="designer"))
    assert other.post("/verwaltung/benutzer/dora/zweiter-faktor").status_code == 404
    assert sign_in(app.test_client(), "dora").location == STEP


def test_the_secret_is_stored_encrypted(app, make_user, login, services):
    make_user("dora", role="designer")
    factor = _enrol(login("dora"))
    with services.db.reading() as session:
        stored = session.scalar(select(TotpFactor.secret))
    assert factor.secret not in stored


def test_a_wrong_code_is_audited_without_the_code(app, make_user, login, services):
    make_user("dora", role="designer")
    _enrol(login("dora"))
    client = app.test_client()
    sign_in(client, "dora")
    client.post(STEP, data={"code": "424242"})
    with services.db.reading() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == "login_failed")).all()
    assert [e.details.get("reason") for e in events] == ["second_factor"]
    assert all("424242" not in str(e.details) for e in events)


def test_signing_in_again_does_not_buy_more_guesses(app, make_user, login):
    make_user("dora", role="designer")
    factor = _enrol(login("dora"))
    for _ in range(2):  # two rounds of password and wrong codes
        client = app.test_client()
        sign_in(client, "dora")
        for _ in range(3):
            client.post(STEP, data={"code": "000000"})
    client = app.test_client()
    assert sign_in(client, "dora").location == STEP
    response = client.post(STEP, data={"code": _next_code(factor)})  # right, but codes wait for now
    assert response.status_code == 302 and response.location == "/login"
    assert "Bitte warten Sie einige Minuten" in client.get("/login").data.decode()
    assert client.get("/designer/").status_code == 302  # not signed in


def test_an_administrator_lifts_the_delay_on_codes(app, make_user, login):
    make_user("dora", role="designer")
    factor = _enrol(login("dora"))
    client = app.test_client()
    sign_in(client, "dora")
    for _ in range(5):
        client.post(STEP, data={"code": "000000"})
    login(make_user("ada", role="admin")).post("/verwaltung/benutzer/dora/entsperren")
    client = app.test_client()
    sign_in(client, "dora")
    assert client.post(STEP, data={"code": _next_code(factor)}).location == "/"
