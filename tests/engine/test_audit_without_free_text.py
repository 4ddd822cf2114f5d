"""The append-only audit log holds action, actor, time, ids, codes and basis, never free text."""

import datetime as dt

from engine.core import clock
from engine.store import audit


def test_a_free_text_message_is_left_out_and_a_code_is_kept(db):
    with db.unit_of_work() as session:
        audit.record(session, "system", "incident", instance_id=1, message="Name 'Haddad' ist nicht definiert")
        audit.record(session, "cm", "consent_revoked", case_ref="K-1", reason="Widerruf per Brief von Frau Haddad")
        audit.record(session, "jc", "login_failed", reason="unknown_user")
    with db.reading() as session:
        details = {e.action: e.details for e in audit.events(session)}
    assert details["incident"] == {"message_omitted": True}
    assert details["consent_revoked"] == {"reason_omitted": True}
    assert details["login_failed"] == {"reason": "unknown_user"}


def test_many_refusals_by_one_user_in_a_short_time_raise_an_alert(db):
    now = dt.datetime(2026, 3, 12, 9, 0, tzinfo=dt.UTC)
    with clock.frozen(now), db.unit_of_work() as session:
        for number in range(25):
            audit.record(session, "soz.kaarst", "case_access_denied", case_ref=f"K-2026-{number}")
        audit.record(session, "abh", "case_access_denied", case_ref="K-2026-1")
    with clock.frozen(now + dt.timedelta(minutes=1)), db.reading() as session:
        assert [(actor, n) for actor, n, _ in audit.refusal_bursts(session)] == [("soz.kaarst", 25)]
    with clock.frozen(now + dt.timedelta(hours=1)), db.reading() as session:
        assert audit.refusal_bursts(session) == []


def test_a_business_key_that_may_name_the_person_is_left_out(db):
    with db.unit_of_work() as session:
        audit.record(session, "cm", "instance_started", instance_id=7, process_id="antrag",
                     business_key="Haddad, Amal")
    with db.reading() as session:
        [event] = audit.events(session)
    assert event.details == {"process_id": "antrag", "business_key_omitted": True}
