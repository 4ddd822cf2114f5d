"""Signing out revokes the session on the server: a cookie copied before sign-out no longer opens anything."""

from __future__ import annotations

from sqlalchemy import select

from engine.store.models import AuditEvent

COOKIE = "kimflow_session"


def _copy_session(app, client):
    thief = app.test_client()
    thief.set_cookie(COOKIE, client.get_cookie(COOKIE).value)
    return thief


def test_a_cookie_copied_before_sign_out_is_refused_after_it(app, make_user, login):
    make_user("anna", units=("sozialamt_neuss",))
    client = login("anna")
    copy = _copy_session(app, client)
    assert copy.get("/aufgaben").status_code == 200  # the copy works while the session lives
    assert client.post("/logout").status_code == 302
    response = copy.get("/aufgaben")
    assert response.status_code == 302 and response.location.startswith("/login")


def test_sign_out_is_audited_without_personal_data(app, make_user, login, services):
    make_user("anna", units=("sozialamt_neuss",))
    login("anna").post("/logout")
    with services.db.reading() as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "logout"))
    assert event is not None and event.actor == "anna"


def test_signing_in_again_after_sign_out_works(app, make_user, login):
    make_user("anna", units=("sozialamt_neuss",))
    login("anna").post("/logout")
    assert login("anna").get("/aufgaben").status_code == 200


def test_sign_out_ends_the_sessions_in_other_browsers_too(app, make_user, login):
    make_user("anna", units=("sozialamt_neuss",))
    laptop, phone = login("anna"), login("anna")
    laptop.post("/logout")
    assert phone.get("/aufgaben").status_code == 302
