"""reference data: a revision that triggers renew on every write to the organisation, definitions and hooks

Revision ID: 0016_reference_revision
Revises: 0014_sso_totp, 0011_external_tasks
Create Date: 2026-11-30

Processes cache the small reference tables (engine/store/reference.py) and read this one row to know whether their
copy is current. Triggers, not application code, renew it, so a change made by any process, a CLI command or by
hand in psql is seen. The value is random: a rolled-back change or a restored backup never makes stale data current.
Only the columns that pages show count for org_user (sign-in bookkeeping does not renew it).
"""
import secrets

import sqlalchemy as sa
from alembic import op

revision = '0016_reference_revision'
down_revision = ('0014_sso_totp', '0011_external_tasks')
branch_labels = None
depends_on = None

TABLES = ("org_unit", "org_responsibility", "org_user", "org_membership", "org_deputy", "definition_version",
          "hook_subscription")
USER_COLUMNS = "username, display_name, role, active, email, language"

POSTGRES_FUNCTION = """CREATE OR REPLACE FUNCTION reference_renew() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE reference_revision SET revision = floor(random() * 9007199254740991)::bigint WHERE id = 1;
    RETURN NULL;
END;
$$"""
SQLITE_RENEW = "UPDATE reference_revision SET revision = abs(random() % 9007199254740991) WHERE id = 1;"


def _postgres_up() -> list[str]:
    statements = [POSTGRES_FUNCTION]
    for table in TABLES:
        update = f"UPDATE OF {USER_COLUMNS}" if table == "org_user" else "UPDATE"
        statements.append(f"CREATE TRIGGER {table}_reference_renew AFTER INSERT OR {update} OR DELETE OR TRUNCATE "
                          f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION reference_renew()")
    return statements


def _sqlite_up() -> list[str]:
    statements = []
    for table in TABLES:
        for operation in ("INSERT", "UPDATE", "DELETE"):
            when = f"UPDATE OF {USER_COLUMNS}" if operation == "UPDATE" and table == "org_user" else operation
            statements.append(f"CREATE TRIGGER {table}_reference_renew_{operation.lower()} AFTER {when} ON {table} "
                              f"BEGIN {SQLITE_RENEW} END")
    return statements


def upgrade() -> None:
    table = op.create_table(
        'reference_revision',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('revision', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_reference_revision')),
    )
    op.bulk_insert(table, [{"id": 1, "revision": secrets.randbelow(2**53)}])
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in _postgres_up() if postgres else _sqlite_up():
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_reference_renew ON {table}")
        op.execute("DROP FUNCTION IF EXISTS reference_renew()")
    else:
        for table in TABLES:
            for operation in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_reference_renew_{operation}")
    op.drop_table('reference_revision')
