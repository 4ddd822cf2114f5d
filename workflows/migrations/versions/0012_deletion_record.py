"""proof of erasure: one deletion record per anonymised case (also the sweep's claim)

Revision ID: 0012_deletion_record
Revises: 0002_org_cases_kim
Create Date: 2026-12-05
"""
import sqlalchemy as sa
from alembic import op

revision = '0012_deletion_record'
down_revision = '0002_org_cases_kim'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'kim_deletion_record',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_ref', sa.String(length=100), nullable=False),
        sa.Column('erased_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('categories', sa.JSON(), nullable=False),
        sa.Column('legal_basis', sa.String(length=200), nullable=False),
        sa.Column('erased_by', sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_kim_deletion_record')),
        sa.UniqueConstraint('case_ref', name=op.f('uq_kim_deletion_record_case_ref')),
    )


def downgrade() -> None:
    op.drop_table('kim_deletion_record')
