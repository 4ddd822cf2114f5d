"""Database roles on PostgreSQL: the application role works on the tables but may only append to the audit log.

The role that runs the migrations owns the schema. The running application connects as a separate role that
may read and change the application tables, may only read and insert audit lines, may only read the migration
state, and owns nothing: so it can neither TRUNCATE the audit log nor ALTER it to drop or disable its
append-only trigger. `kimflow init-db` sets this up after every upgrade (new tables get their grants too).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, text

from engine.core.errors import KimflowError
from engine.store.models import AuditEvent

DEFAULT_APP_ROLE = "kimflow_app"
APPEND_ONLY = frozenset({AuditEvent.__tablename__})
READ_ONLY = frozenset({"alembic_version"})
ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


@dataclass(frozen=True)
class AppRole:
    """What `grant_app_role` did: the role, whether it was created, and how many tables it may use."""

    name: str
    created: bool
    tables: int


def app_role_from_env() -> str:
    """Return KIMFLOW_DB_APP_ROLE, else `kimflow_app`."""
    return os.environ.get("KIMFLOW_DB_APP_ROLE", "").strip() or DEFAULT_APP_ROLE


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _privileges(table: str) -> str:
    if table in APPEND_ONLY:
        return "SELECT, INSERT"
    if table in READ_ONLY:
        return "SELECT"
    return "SELECT, INSERT, UPDATE, DELETE"


def grant_app_role(engine: Engine, role: str, password: str | None = None) -> AppRole:
    """Create the application role if missing and grant it exactly what the running application needs."""
    if not ROLE_NAME.fullmatch(role):
        raise KimflowError(f"Ungültiger Rollenname {role!r}: erlaubt sind a-z, 0-9 und _, höchstens 63 Zeichen")
    if engine.dialect.name != "postgresql":
        raise KimflowError("Datenbankrollen gibt es nur auf PostgreSQL")
    with engine.begin() as conn:
        created = _ensure_role(conn, role)
        _refuse_owner_powers(conn, role)
        if password:
            _set_password(conn, role, password)
        schema = conn.scalar(text("SELECT current_schema()"))
        database = conn.scalar(text("SELECT current_database()"))
        conn.execute(text(f"GRANT CONNECT ON DATABASE {_ident(database)} TO {_ident(role)}"))
        conn.execute(text(f"GRANT USAGE ON SCHEMA {_ident(schema)} TO {_ident(role)}"))
        tables = list(conn.scalars(text("SELECT tablename FROM pg_tables WHERE schemaname = :schema "
                                        "ORDER BY tablename"), {"schema": schema}))
        for table in tables:
            # Revoke first, so a grant made by hand (GRANT ALL) cannot outlive a re-run of init-db.
            conn.execute(text(f"REVOKE ALL ON TABLE {_ident(schema)}.{_ident(table)} FROM {_ident(role)}"))
            conn.execute(text(f"GRANT {_privileges(table)} ON TABLE {_ident(schema)}.{_ident(table)} "
                              f"TO {_ident(role)}"))
        conn.execute(text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {_ident(schema)} TO {_ident(role)}"))
    return AppRole(role, created, len(tables))


def _ensure_role(conn: Connection, role: str) -> bool:
    if conn.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :role"), {"role": role}):
        return False
    conn.execute(text(f"CREATE ROLE {_ident(role)} LOGIN"))
    return True


def _refuse_owner_powers(conn: Connection, role: str) -> None:
    """Refuse a role that is the migrating role, a superuser or a member of the migrating role."""
    me = conn.scalar(text("SELECT current_user"))
    superuser, member = conn.execute(
        text("SELECT rolsuper, pg_has_role(:role, current_user, 'USAGE') FROM pg_roles WHERE rolname = :role"),
        {"role": role}).one()
    if role == me or superuser or member:
        raise KimflowError(f"Die Anwendungsrolle {role!r} darf weder die Eigentümerrolle {me!r} sein noch deren "
                           "Rechte erben noch Superuser sein: sonst könnte sie das Audit-Protokoll ändern")


def _set_password(conn: Connection, role: str, password: str) -> None:
    # DDL takes no bind parameters: the server quotes the password as a literal (format %L) before it runs.
    statement = conn.scalar(text("SELECT format('ALTER ROLE %I PASSWORD %L', CAST(:role AS text), "
                                 "CAST(:password AS text))"), {"role": role, "password": password})
    conn.exec_driver_sql(statement.replace("%", "%%"))
