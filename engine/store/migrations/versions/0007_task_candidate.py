"""tasks: candidate users as indexed rows; assignee indexed (one rule for whose task it is)

Revision ID: 0007_task_candidate
Revises: 0001_engine
Create Date: 2026-11-30
"""
import json

import sqlalchemy as sa
from alembic import op

revision = '0007_task_candidate'
down_revision = '0001_engine'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'task_candidate',
        sa.Column('task_id', sa.String(length=36), nullable=False),
        sa.Column('username', sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(['task_id'], ['human_task.id'], name=op.f('fk_task_candidate_task_id_human_task'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('task_id', 'username', name=op.f('pk_task_candidate')),
    )
    op.create_index('ix_task_candidate_username', 'task_candidate', ['username', 'task_id'])
    op.create_index('ix_human_task_assignee_status', 'human_task', ['assignee', 'status'])
    # Existing open tasks keep their candidates.
    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT id, candidate_users FROM human_task "
                                      "WHERE status IN ('open', 'claimed')")).all()
    for task_id, users in rows:
        names = users if isinstance(users, list) else json.loads(users or "[]")
        for name in sorted(set(names)):
            connection.execute(sa.text("INSERT INTO task_candidate (task_id, username) VALUES (:t, :u)"),
                               {"t": task_id, "u": name})


def downgrade() -> None:
    op.drop_index('ix_human_task_assignee_status', table_name='human_task')
    op.drop_index('ix_task_candidate_username', table_name='task_candidate')
    op.drop_table('task_candidate')
