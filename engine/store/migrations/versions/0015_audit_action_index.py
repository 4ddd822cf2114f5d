"""audit: index the log by action and time, so the refusal alert counts recent refusals without a full scan

Revision ID: 0015_audit_action_index
Revises: 0006_audit_append_only
Create Date: 2026-12-06
"""
from alembic import op

revision = '0015_audit_action_index'
down_revision = '0006_audit_append_only'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_audit_event_action_at', 'audit_event', ['action', 'at'])


def downgrade() -> None:
    op.drop_index('ix_audit_event_action_at', table_name='audit_event')
