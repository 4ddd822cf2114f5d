"""`kimflow init-db` sets up the application role: it does the app's work, but cannot change, empty or alter the
audit log (PostgreSQL only; SQLite has no roles)."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, ProgrammingError

from engine.cli import Plugin, run
from engine.core.actors import Actor
from engine.core.errors import KimflowError
from engine.read import lists
from engine.service.engine import ProcessEngine
from engine.store import audit, roles
from engine.store.db import Database
from engine.store.models import AuditEvent
from tests.bpmn_builder import linear
from workflows.setup import build_extensions

PASSWORD = "app-Passw0rd-mit-'Quote'-und-%"


@pytest.fixture
def app_role(db, database_url, monkeypatch):
    """Return a fresh application role name; drop it (and its grants) after the test."""
    if not db.is_postgres:
        pytest.skip("Datenbankrollen gibt es nur auf PostgreSQL; SQLite kennt keine Benutzer und Rechte")
    name = f"kimflow_app_{uuid.uuid4().hex[:10]}"
    monkeypatch.setenv("KIMFLOW_DB_APP_PASSWORD", PASSWORD)
    yield name
    owner = create_engine(make_url(database_url).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")
    try:
        with owner.connect() as conn:
            if conn.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": name}):
                conn.execute(text(f'DROP OWNED BY "{name}"'))
                conn.execute(text(f'DROP ROLE "{name}"'))
    finally:
        owner.dispose()


def init_db(database_url: str, capsys, *extra: str) -> tuple[int, dict]:
    code = run(["--db", database_url, "init-db", *extra], Plugin(extensions=build_extensions))
    out = capsys.readouterr().out.strip().splitlines()
    return code, json.loads(out[-1]) if out else {}


def as_role(database_url: str, role: str) -> Database:
    return Database(make_url(database_url).set(username=role, password=PASSWORD)
                    .render_as_string(hide_password=False))


def test_init_db_creates_the_app_role_and_the_app_works_as_that_role(app_role, database_url, capsys):
    code, result = init_db(database_url, capsys, "--app-role", app_role)
    assert code == 0 and result["app_role"]["name"] == app_role and result["app_role"]["created"] is True
    app = as_role(database_url, app_role)
    try:
        engine, clerk = ProcessEngine(app, build_extensions()), Actor("anna", offices=frozenset({"sozialamt"}))
        engine.create_schema()  # as `kimflow serve` does at start: at head there is nothing to migrate
        engine.deploy({"p.bpmn": linear("p", tasks=1)}, actor=Actor.system_actor("designer"))
        instance_id = engine.start("p", actor=clerk, data={"note": "x"})
        with app.reading() as session:
            [task] = lists.open_tasks(session, instance_id=instance_id)
        engine.claim(task.id, actor=clerk)
        assert engine.complete(task.id, actor=clerk, data={"note": "erledigt"}) == "completed"
        with app.reading() as session:
            assert session.scalar(select(func.count()).select_from(AuditEvent)) > 0
            assert session.scalar(text("SELECT current_user")) == app_role
    finally:
        app.engine.dispose()


@pytest.mark.parametrize("statement", [
    "TRUNCATE audit_event",
    "ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only",
    "ALTER TABLE audit_event DISABLE TRIGGER ALL",
    "DROP TRIGGER audit_event_append_only ON audit_event",
    "UPDATE audit_event SET actor = 'jemand'",
    "DELETE FROM audit_event",
    "UPDATE alembic_version SET version_num = version_num",
    "CREATE TABLE ausweg (id integer)",
])
def test_the_app_role_cannot_empty_change_or_alter_the_audit_log(app_role, database_url, capsys, statement):
    init_db(database_url, capsys, "--app-role", app_role)
    app = as_role(database_url, app_role)
    try:
        with app.unit_of_work() as session:
            audit.record(session, "anna", "case_viewed", case_ref="K-1")
        with pytest.raises(ProgrammingError) as refused, app.engine.begin() as conn:
            conn.execute(text(statement))
        assert refused.value.orig.sqlstate in ("42501", "42P01") and "unveränderlich" not in str(refused.value)
        with app.reading() as session:
            assert session.scalar(select(func.count()).select_from(AuditEvent)) == 1
    finally:
        app.engine.dispose()


def test_init_db_again_takes_back_what_was_granted_by_hand(app_role, database_url, capsys, db, monkeypatch):
    init_db(database_url, capsys, "--app-role", app_role)
    with db.engine.begin() as conn:
        conn.execute(text(f'GRANT ALL ON audit_event TO "{app_role}"'))
    monkeypatch.setenv("KIMFLOW_DB_APP_ROLE", app_role)
    code, result = init_db(database_url, capsys)
    assert code == 0 and (result["app_role"]["name"], result["app_role"]["created"]) == (app_role, False)
    app = as_role(database_url, app_role)
    try:
        with pytest.raises(DBAPIError, match="permission denied"), app.engine.begin() as conn:
            conn.execute(text("DELETE FROM audit_event"))
    finally:
        app.engine.dispose()


def test_the_migrating_role_itself_is_refused_as_app_role(db, database_url):
    if not db.is_postgres:
        pytest.skip("Datenbankrollen gibt es nur auf PostgreSQL")
    owner = db.engine.url.username
    with pytest.raises(KimflowError, match="Eigentümerrolle"):
        roles.grant_app_role(db.engine, owner)


def test_a_role_name_that_is_not_a_plain_identifier_is_refused(db):
    with pytest.raises(KimflowError, match="Ungültiger Rollenname"):
        roles.grant_app_role(db.engine, 'app"; DROP TABLE audit_event; --')


def test_init_db_on_sqlite_sets_up_no_role(db, database_url, capsys):
    if db.is_postgres:
        pytest.skip("prüft das Verhalten auf SQLite")
    code, result = init_db(database_url, capsys)
    assert code == 0 and "app_role" not in result


def test_the_worker_runs_its_periodic_work_as_the_app_role(app_role, database_url, capsys):
    init_db(database_url, capsys, "--app-role", app_role)
    app_url = make_url(database_url).set(username=app_role, password=PASSWORD).render_as_string(hide_password=False)
    code = run(["--db", app_url, "worker", "--once"], Plugin(extensions=build_extensions))
    out = capsys.readouterr()
    assert code == 0, out.err
    assert "anonymised" in json.loads(out.out.strip().splitlines()[-1])
