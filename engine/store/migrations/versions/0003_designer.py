"""designer drafts

Revision ID: 0003_designer
Revises: 0001_engine
Create Date: 2026-11-25
"""
import sqlalchemy as sa
from alembic import op

import engine.store.db

revision = '0003_designer'
down_revision = '0001_engine'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('designer_draft',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('process_id', sa.String(length=200), nullable=False),
    sa.Column('file_name', sa.String(length=300), nullable=False),
    sa.Column('xml', sa.Text(), nullable=False),
    sa.Column('scenarios', sa.Text(), nullable=True),
    sa.Column('base_version', sa.Integer(), nullable=True),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('updated_by', sa.String(length=100), nullable=False),
    sa.Column('updated_at', engine.store.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_designer_draft')),
    sa.UniqueConstraint('kind', 'process_id', name=op.f('uq_designer_draft_kind_process_id'))
    )


def downgrade() -> None:
    op.drop_table('designer_draft')
