"""The organisation is cached per process, and a change from anywhere shows at the next transaction.

"Anywhere" is a write the process cannot see: a raw DB-API connection stands for another app server, a worker or an
administrator in psql. Database triggers renew the reference revision; the cache compares it.
"""

import pytest
from sqlalchemy import event, select

from engine.identity import org
from engine.store import reference
from engine.store.reference import ReferenceRevision
from tests.engine.test_routing import seed_district


@pytest.fixture
def district(db):
    with db.unit_of_work() as session:
        seed_district(session)
        org.create_user(session, "s.sozial", "Sina Sozial", "Rhein-Kreis-2026", actor="admin")
    return db


def _outside(db, sql: str) -> None:
    """Write as another process would: a connection of its own, no SQLAlchemy events."""
    connection = db.engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute(sql)
        connection.commit()
    finally:
        connection.close()


def _revision(db) -> int:
    with db.reading() as session:
        return session.scalar(select(ReferenceRevision.revision))


def _resolve(db) -> str | None:
    with db.reading() as session:
        return org.resolve_unit(session, "sozialamt", "neuss")


def _counted(db, call):
    statements: list[str] = []

    def one(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", one)
    try:
        result = call()
    finally:
        event.remove(db.engine, "before_cursor_execute", one)
    return result, statements


def test_a_routing_change_made_by_another_process_shows_at_the_next_transaction(district):
    assert _resolve(district) == "sozialamt_neuss"
    before = _revision(district)
    _outside(district, "UPDATE org_responsibility SET unit_code = 'sozialamt_kaarst' "
                       "WHERE office = 'sozialamt' AND area = 'neuss'")
    assert _revision(district) != before
    assert _resolve(district) == "sozialamt_kaarst"


def test_a_renamed_or_deactivated_account_shows_but_sign_in_bookkeeping_renews_nothing(district):
    with district.reading() as session:
        assert org.display_names(session)["s.sozial"] == "Sina Sozial"
    before = _revision(district)
    _outside(district, "UPDATE org_user SET failed_logins = 2, last_login_at = NULL WHERE username = 's.sozial'")
    assert _revision(district) == before  # signing in does not empty every process's cache
    _outside(district, "UPDATE org_user SET display_name = 'Sina Sozial-Berg' WHERE username = 's.sozial'")
    with district.reading() as session:
        assert org.display_names(session)["s.sozial"] == "Sina Sozial-Berg"


def test_a_transaction_sees_its_own_change_and_a_rolled_back_one_is_forgotten(district):
    with district.unit_of_work() as session:
        assert org.resolve_unit(session, "sozialamt", "neuss") == "sozialamt_neuss"
        org.set_responsibility(session, "sozialamt", "neuss", "sozialamt_kaarst", actor="admin")
        assert org.resolve_unit(session, "sozialamt", "neuss") == "sozialamt_kaarst"
    with pytest.raises(RuntimeError), district.unit_of_work() as session:
        org.set_responsibility(session, "sozialamt", "neuss", "sozialamt_dormagen", actor="admin")
        assert org.resolve_unit(session, "sozialamt", "neuss") == "sozialamt_dormagen"
        raise RuntimeError("the change is given up")
    assert _resolve(district) == "sozialamt_kaarst"


def test_a_warm_cache_costs_one_revision_read_per_request_and_none_after_the_sign_in_statement(district):
    _resolve(district)  # warm

    def two_transactions_in_one_request():
        with reference.request_scope():
            return _resolve(district), _resolve(district)

    result, statements = _counted(district, two_transactions_in_one_request)
    assert result == ("sozialamt_neuss", "sozialamt_neuss")
    assert len(statements) == 1 and "reference_revision" in statements[0]

    def signed_in_request():
        with reference.request_scope():
            with district.reading() as session:
                org.account(session, "s.sozial")
            return _resolve(district)

    result, statements = _counted(district, signed_in_request)
    assert result == "sozialamt_neuss" and len(statements) == 1 and "org_user" in statements[0]


def test_every_reference_table_renews_the_revision_on_insert_update_and_delete(district):
    changes = [
        "INSERT INTO org_unit (code, name, office, active) VALUES ('abh_test', 'ABH Test', 'abh', true)",
        "UPDATE org_unit SET name = 'ABH Probe' WHERE code = 'abh_test'",
        "UPDATE org_responsibility SET unit_code = 'abh_test' WHERE office = 'abh' AND area = 'neuss'",
        "DELETE FROM org_responsibility WHERE office = 'abh' AND area = 'neuss'",
        "INSERT INTO org_membership (user_id, unit_code, team_lead) "
        "SELECT id, 'abh_test', false FROM org_user WHERE username = 's.sozial'",
        "DELETE FROM org_membership WHERE unit_code = 'abh_test'",
        "UPDATE org_user SET active = false WHERE username = 's.sozial'",
        "DELETE FROM org_unit WHERE code = 'abh_test'",
        "INSERT INTO hook_subscription (name, url, secret, events, active, created_by, created_at) "
        "VALUES ('Fachverfahren', 'http://127.0.0.1:9/hook', 'geheim', '[]', true, 'admin', CURRENT_TIMESTAMP)",
        "UPDATE hook_subscription SET active = false",
        "DELETE FROM hook_subscription",
    ]
    for sql in changes:
        before = _revision(district)
        _outside(district, sql)
        assert _revision(district) != before, sql


def test_a_change_committed_while_this_process_loads_is_not_kept_under_the_new_revision(district, monkeypatch):
    """Found in review: the value was once kept under a revision read after loading, so it looked current forever."""
    from engine.identity import org_reference

    real_load = org_reference._load

    def load_then_another_process_commits(session):
        value = real_load(session)
        _outside(district, "UPDATE org_responsibility SET unit_code = 'sozialamt_kaarst' "
                           "WHERE office = 'sozialamt' AND area = 'neuss'")
        return value

    _outside(district, "UPDATE org_unit SET name = 'Sozialamt Neuss' WHERE code = 'sozialamt_neuss'")  # cold cache
    monkeypatch.setattr(org_reference, "_load", load_then_another_process_commits)
    assert _resolve(district) == "sozialamt_neuss"  # read before the change: right for this transaction
    monkeypatch.setattr(org_reference, "_load", real_load)
    assert _resolve(district) == "sozialamt_kaarst"


def test_a_request_forgets_a_revision_its_rolled_back_change_made(district):
    _resolve(district)
    with reference.request_scope():
        with pytest.raises(RuntimeError), district.unit_of_work() as session:
            org.set_responsibility(session, "sozialamt", "neuss", "sozialamt_dormagen", actor="admin")
            assert org.resolve_unit(session, "sozialamt", "neuss") == "sozialamt_dormagen"
            raise RuntimeError("the form had an error")
        assert _resolve(district) == "sozialamt_neuss"  # the same request, e.g. the form shown again


def test_a_long_scope_trusts_its_revision_for_a_second_only(district, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(reference.time, "monotonic", lambda: clock[0])
    with reference.request_scope():  # a worker's round over a backlog of jobs
        assert _resolve(district) == "sozialamt_neuss"
        _outside(district, "UPDATE org_responsibility SET unit_code = 'sozialamt_kaarst' "
                           "WHERE office = 'sozialamt' AND area = 'neuss'")
        assert _resolve(district) == "sozialamt_neuss"  # within the second: the revision read at its start
        clock[0] += reference.SCOPE_SECONDS + 0.1
        assert _resolve(district) == "sozialamt_kaarst"
