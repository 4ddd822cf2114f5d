"""audit: the database refuses UPDATE and DELETE on audit_event (append-only)

Revision ID: 0006_audit_append_only
Revises: 0001_engine
Create Date: 2026-12-01

Row triggers stop the application (and anyone else without DDL rights) from changing or removing audit
lines. They are no defence against the table's owner, who can drop them: the production role should
not own the schema. TRUNCATE is a separate privilege that row triggers do not see on PostgreSQL; the
test fixture empties tables with it, production roles should not be granted it.
"""
from alembic import op

revision = '0006_audit_append_only'
down_revision = '0001_engine'
branch_labels = None
depends_on = None

MESSAGE = "Das Audit-Protokoll (audit_event) ist unveränderlich: Einträge dürfen nicht geändert oder gelöscht werden"

POSTGRES_UP = [
    f"""CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{MESSAGE} (%)', TG_OP USING ERRCODE = 'integrity_constraint_violation';
    END;
    $$""",
    """CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event
    FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()""",
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event",
    "DROP FUNCTION IF EXISTS audit_event_append_only()",
]
SQLITE_UP = [
    f"""CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
    BEGIN SELECT RAISE(ABORT, '{MESSAGE} (UPDATE)'); END""",
    f"""CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
    BEGIN SELECT RAISE(ABORT, '{MESSAGE} (DELETE)'); END""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS audit_event_no_update",
    "DROP TRIGGER IF EXISTS audit_event_no_delete",
]


def _statements(up: bool) -> list[str]:
    if op.get_bind().dialect.name == "postgresql":
        return POSTGRES_UP if up else POSTGRES_DOWN
    return SQLITE_UP if up else SQLITE_DOWN


def upgrade() -> None:
    for statement in _statements(up=True):
        op.execute(statement)


def downgrade() -> None:
    for statement in _statements(up=False):
        op.execute(statement)
