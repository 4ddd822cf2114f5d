"""monitoring: steering facts and case-manager posts

Revision ID: 0004_monitoring
Revises: 0001_engine
Create Date: 2026-11-25
"""
import sqlalchemy as sa
from alembic import op

revision = '0004_monitoring'
down_revision = '0001_engine'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('case_manager_post',
    sa.Column('area', sa.String(length=100), nullable=False),
    sa.Column('fte', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('area', name=op.f('pk_case_manager_post'))
    )
    op.create_table('steering_fact',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('case_key', sa.String(length=100), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('area', sa.String(length=100), nullable=True),
    sa.Column('category', sa.String(length=100), nullable=True),
    sa.Column('status', sa.String(length=40), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('days', sa.Float(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_steering_fact'))
    )
    with op.batch_alter_table('steering_fact', schema=None) as batch_op:
        batch_op.create_index('ix_steering_fact_case_kind', ['case_key', 'kind'], unique=False)
        batch_op.create_index('ix_steering_fact_instance_kind', ['instance_id', 'kind'], unique=False)
        batch_op.create_index('ix_steering_fact_kind_area_at', ['kind', 'area', 'at'], unique=False)
        batch_op.create_index('ix_steering_fact_kind_at_cover',
                              ['kind', 'at', 'area', 'category', 'status', 'days', 'case_key'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('steering_fact', schema=None) as batch_op:
        batch_op.drop_index('ix_steering_fact_kind_at_cover')
        batch_op.drop_index('ix_steering_fact_kind_area_at')
        batch_op.drop_index('ix_steering_fact_instance_kind')
        batch_op.drop_index('ix_steering_fact_case_kind')
    op.drop_table('steering_fact')
    op.drop_table('case_manager_post')
