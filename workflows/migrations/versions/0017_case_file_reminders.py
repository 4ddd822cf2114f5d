"""case file: reminders to the unit holding an overdue task, the reason a deadline was closed by hand, and the
consents by office and the cases by who opened them, for case lists

Revision ID: 0017_case_file_reminders
Revises: 0013_kim_person_key
Create Date: 2026-11-30
"""
import sqlalchemy as sa
from alembic import op

revision = '0017_case_file_reminders'
down_revision = '0013_kim_person_key'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'kim_task_reminder',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('task_id', sa.String(length=36), nullable=False),
        sa.Column('case_ref', sa.String(length=100), nullable=False),
        sa.Column('unit', sa.String(length=100), nullable=True),
        sa.Column('office', sa.String(length=100), nullable=True),
        sa.Column('sent_by', sa.String(length=100), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('sent_on', sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_kim_task_reminder')),
    )
    op.create_index('ix_kim_task_reminder_task_at', 'kim_task_reminder', ['task_id', 'sent_at'], unique=False)
    op.create_index('ix_kim_task_reminder_case_at', 'kim_task_reminder', ['case_ref', 'sent_at'], unique=False)
    op.create_index('ix_kim_consent_office_case', 'kim_consent', ['office', 'case_ref'], unique=False)
    op.create_index('ix_kim_case_opened_by', 'kim_case', ['opened_by'], unique=False)
    with op.batch_alter_table('kim_deadline') as batch:
        batch.add_column(sa.Column('done_reason', sa.String(length=300), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('kim_deadline') as batch:
        batch.drop_column('done_reason')
    op.drop_index('ix_kim_case_opened_by', table_name='kim_case')
    op.drop_index('ix_kim_consent_office_case', table_name='kim_consent')
    op.drop_index('ix_kim_task_reminder_case_at', table_name='kim_task_reminder')
    op.drop_index('ix_kim_task_reminder_task_at', table_name='kim_task_reminder')
    op.drop_table('kim_task_reminder')
