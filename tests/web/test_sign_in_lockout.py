"""The sign-in delay never tells whether an account exists: known and unknown names get the same answers."""

from __future__ import annotations

import re

from engine.identity import org
from tests.web.conftest import sign_in

TIME = re.compile(r"\d{1,2}:\d{2}")


def _answers(app, username: str) -> list[tuple[int, str]]:
    client = app.test_client()
    answers = []
    for _ in range(6):
        response = sign_in(client, username, "falsch")
        message = re.search(r'id="login-error">([^<]*)<', response.data.decode())
        answers.append((response.status_code, TIME.sub("HH:MM", message.group(1) if message else "")))
    return answers


def test_an_existing_and_an_unknown_account_get_the_same_answers(app, make_user):
    make_user("anna")
    known, unknown = _answers(app, "anna"), _answers(app, "niemand")
    assert known == unknown
    assert known[0][0] == 401 and known[-1][0] == 429  # first a plain refusal, later the delay


def test_the_delay_message_names_the_device_not_the_account(app, make_user):
    make_user("anna")
    status, message = _answers(app, "anna")[-1]
    assert status == 429
    assert "Gerät" in message and "Konto" not in message and "anna" not in message


def test_a_deactivated_account_with_a_wrong_password_looks_like_an_unknown_one(app, make_user, services):
    make_user("anna")
    with services.db.unit_of_work() as session:
        org.update_user(session, "anna", actor="test", active=False)
    assert _answers(app, "anna") == _answers(app, "niemand")
