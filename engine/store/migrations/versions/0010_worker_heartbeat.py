"""worker heartbeats for readiness checks; inbox indexes in due-date order per unit and per office

Revision ID: 0010_worker_heartbeat
Revises: 0007_task_candidate
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = '0010_worker_heartbeat'
down_revision = '0007_task_candidate'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'worker_heartbeat',
        sa.Column('worker', sa.String(length=200), nullable=False),
        sa.Column('beat_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('worker', name=op.f('pk_worker_heartbeat')),
    )
    # The group inbox reads one unit (or one office's unit-less tasks) in due-date order: these serve it.
    op.create_index('ix_human_task_unit_status_due', 'human_task', ['unit', 'status', 'due_at', 'created_at', 'id'])
    op.create_index('ix_human_task_office_unit_status_due', 'human_task',
                    ['office', 'unit', 'status', 'due_at', 'created_at', 'id'])
    # Few tasks name a person: a partial index stays small and its statistics say how selective it is.
    op.create_index('ix_human_task_assignee_open_due', 'human_task', ['assignee', 'status', 'due_at', 'created_at', 'id'],
                    sqlite_where=sa.text('assignee IS NOT NULL'), postgresql_where=sa.text('assignee IS NOT NULL'))


def downgrade() -> None:
    op.drop_index('ix_human_task_assignee_open_due', table_name='human_task')
    op.drop_index('ix_human_task_office_unit_status_due', table_name='human_task')
    op.drop_index('ix_human_task_unit_status_due', table_name='human_task')
    op.drop_table('worker_heartbeat')
