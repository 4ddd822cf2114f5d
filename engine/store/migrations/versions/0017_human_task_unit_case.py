"""human task: index the tasks that belong to a case by unit, status and case, for lists of the cases a unit works on

Revision ID: 0017_human_task_unit_case
Revises: 0016_reference_revision
Create Date: 2026-11-30

A case list asks which cases have an open task of the user's unit. The unit's index of all its tasks made the
database read every open task of the unit, with a case or without; this one holds only tasks with a case and
answers from the index alone. Partial: tasks outside any case neither enlarge nor update it. The second index
serves "only cases with overdue work" the same way (open tasks of cases by due date).
"""
import sqlalchemy as sa
from alembic import op

revision = '0017_human_task_unit_case'
down_revision = '0016_reference_revision'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_human_task_unit_status_case', 'human_task', ['unit', 'status', 'case_ref'],
                    sqlite_where=sa.text('case_ref IS NOT NULL'), postgresql_where=sa.text('case_ref IS NOT NULL'))
    op.create_index('ix_human_task_status_due_case', 'human_task', ['status', 'due_at', 'case_ref'],
                    sqlite_where=sa.text('case_ref IS NOT NULL'), postgresql_where=sa.text('case_ref IS NOT NULL'))


def downgrade() -> None:
    op.drop_index('ix_human_task_status_due_case', table_name='human_task')
    op.drop_index('ix_human_task_unit_status_case', table_name='human_task')
