"""spelling-tolerant person search keys (name part skeletons, birth date) per case, filled for existing cases

Revision ID: 0013_kim_person_key
Revises: 0012_deletion_record
Create Date: 2026-12-10
"""
import sqlalchemy as sa
from alembic import op

revision = '0013_kim_person_key'
down_revision = '0012_deletion_record'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'kim_person_key',
        sa.Column('key', sa.String(length=60), nullable=False),
        sa.Column('case_ref', sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint('key', 'case_ref', name=op.f('pk_kim_person_key')),
    )
    op.create_index('ix_kim_person_key_case', 'kim_person_key', ['case_ref'], unique=False)
    from workflows.person_keys import keys_of  # the same keys the app writes

    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT case_ref, given_name, family_name, birth_date FROM kim_case")).all()
    keys = [{"key": k, "case_ref": ref} for ref, given, family, born in rows
            for k in sorted(keys_of(given, family, _date(born)))]
    if keys:
        connection.execute(sa.text("INSERT INTO kim_person_key (key, case_ref) VALUES (:key, :case_ref)"), keys)


def _date(value):
    import datetime as dt

    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def downgrade() -> None:
    op.drop_index('ix_kim_person_key_case', table_name='kim_person_key')
    op.drop_table('kim_person_key')
