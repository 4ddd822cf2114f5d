"""identity: failed sign-ins per account and address in the database (shared by every server process)

Revision ID: 0009_login_attempt
Revises: 0007_task_candidate
Create Date: 2026-11-30
"""
import sqlalchemy as sa
from alembic import op

revision = '0009_login_attempt'
down_revision = '0007_task_candidate'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'login_attempt',
        sa.Column('key', sa.String(length=300), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('first_failed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('blocked_until', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_login_attempt')),
    )


def downgrade() -> None:
    op.drop_table('login_attempt')
