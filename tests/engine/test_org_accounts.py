"""Accounts: argon2 hashes, a progressive delay per account and address, logout everywhere on a password change."""

import datetime as dt

import pytest

from engine.identity import org
from engine.identity.accounts import AuthStatus, hash_cost
from engine.store import audit

NOW = dt.datetime(2026, 3, 12, 9, 0, tzinfo=dt.UTC)
PASSWORD = "Rhein-Kreis-2026"


@pytest.fixture
def clerk(db):
    with db.unit_of_work() as session:
        org.create_user(session, "s.mueller", "Sabine Müller", PASSWORD, actor="admin", email="s@example.org")
    return "s.mueller"


def login(db, password, now=NOW, username="s.mueller", address="10.0.0.7"):
    with db.unit_of_work() as session:
        result = org.authenticate(session, username, password, now, address=address)
        return result.status, result.message


def test_passwords_are_stored_as_argon2id_hashes_never_in_clear(db, clerk):
    with db.reading() as session:
        stored = org.user_by_name(session, clerk).password_hash
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_the_right_password_logs_in_and_records_the_time(db, clerk):
    assert login(db, PASSWORD)[0] is AuthStatus.OK
    with db.reading() as session:
        assert org.user_by_name(session, clerk).last_login_at == NOW


def test_wrong_password_and_unknown_user_get_the_same_answer(db, clerk):
    assert login(db, "falsch-falsch") == login(db, PASSWORD, username="niemand")
    assert login(db, "falsch-falsch")[1] == "Benutzername oder Passwort ist falsch."


def test_repeated_failures_delay_this_address_progressively(db, clerk):
    statuses = [login(db, "falsch-falsch", NOW + dt.timedelta(seconds=i))[0] for i in range(5)]
    assert statuses == [AuthStatus.INVALID] * 4 + [AuthStatus.LOCKED]  # the fourth failure starts a 30 s delay
    status, message = login(db, PASSWORD, NOW + dt.timedelta(seconds=20))
    assert status is AuthStatus.LOCKED and "vorübergehend gesperrt" in message
    assert login(db, "falsch-falsch", NOW + dt.timedelta(seconds=40))[0] is AuthStatus.INVALID
    assert login(db, PASSWORD, NOW + dt.timedelta(seconds=70))[0] is AuthStatus.LOCKED  # now 60 s
    assert login(db, PASSWORD, NOW + dt.timedelta(seconds=101))[0] is AuthStatus.OK


def test_failures_from_another_address_never_lock_the_colleague_out(db, clerk):
    for i in range(8):
        login(db, "falsch-falsch", NOW + dt.timedelta(seconds=i), address="192.0.2.66")
    assert login(db, PASSWORD, NOW + dt.timedelta(seconds=9), address="10.0.0.7")[0] is AuthStatus.OK


def test_unknown_names_are_delayed_like_real_ones(db, clerk):
    known = [login(db, "falsch-falsch")[0] for _ in range(5)]
    unknown = [login(db, "falsch-falsch", username="niemand")[0] for _ in range(5)]
    assert known == unknown


def test_an_administrator_lifts_the_delay(db, clerk):
    for _ in range(6):
        login(db, "falsch-falsch")
    assert login(db, PASSWORD)[0] is AuthStatus.LOCKED
    with db.unit_of_work() as session:
        assert org.unlock_sign_in(session, clerk, actor="admin") == 1
    assert login(db, PASSWORD)[0] is AuthStatus.OK


def test_a_successful_login_resets_the_failure_count(db, clerk):
    for _ in range(3):
        login(db, "falsch-falsch")
    assert login(db, PASSWORD)[0] is AuthStatus.OK
    assert [login(db, "falsch-falsch")[0] for _ in range(4)] == [AuthStatus.INVALID] * 4


def test_login_attempts_are_audited(db, clerk):
    login(db, "falsch-falsch")
    login(db, PASSWORD)
    with db.reading() as session:
        actions = [e.action for e in reversed(audit.events(session, actor=clerk))]
    assert actions == ["login_failed", "login"]


def test_changing_the_password_ends_every_session_and_lifts_a_lock(db, clerk):
    for _ in range(5):
        login(db, "falsch-falsch")
    with db.unit_of_work() as session:
        before = org.user_by_name(session, clerk).session_version
        org.set_password(session, clerk, "Neues-Passwort-1", actor="admin")
    with db.reading() as session:
        assert not org.session_is_current(session, clerk, before)
        assert org.session_is_current(session, clerk, before + 1)
    assert login(db, PASSWORD)[0] is AuthStatus.INVALID
    assert login(db, "Neues-Passwort-1")[0] is AuthStatus.OK


def test_a_deactivated_user_cannot_log_in_and_loses_their_sessions(db, clerk):
    with db.unit_of_work() as session:
        org.update_user(session, clerk, actor="admin", active=False)
    assert login(db, PASSWORD) == (AuthStatus.INACTIVE, "Das Konto ist deaktiviert.")
    with db.reading() as session:
        assert not org.session_is_current(session, clerk, 1)


def test_short_passwords_duplicate_names_and_unknown_roles_are_refused(db, clerk):
    with db.unit_of_work() as session:
        with pytest.raises(org.AccountError, match="mindestens"):
            org.create_user(session, "k.kurz", "Kurz", "kurz", actor="admin")
        with pytest.raises(org.AccountError, match="bereits"):
            org.create_user(session, clerk, "Doppelt", PASSWORD, actor="admin")
        with pytest.raises(org.AccountError, match="Rolle"):
            org.create_user(session, "x.y", "X", PASSWORD, actor="admin", role="chef")


def test_hashes_made_with_cheaper_parameters_still_verify_and_are_upgraded_at_login(db):
    with db.unit_of_work() as session, hash_cost(time_cost=1, memory_cost=1024):
        org.create_user(session, "demo", "Demo", PASSWORD, actor="seed")
    assert login(db, PASSWORD, username="demo")[0] is AuthStatus.OK
    with db.reading() as session:
        assert "m=1024," not in org.user_by_name(session, "demo").password_hash
