"""integration: service accounts and API tokens, external tasks, event-hook subscriptions, outbox, delivery log

Revision ID: 0011_external_tasks
Revises: 0007_task_candidate
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = '0011_external_tasks'
down_revision = '0007_task_candidate'
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        'service_account',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('name', sa.String(length=100), nullable=False, unique=True),
        sa.Column('units', sa.JSON(), nullable=False),
        sa.Column('verbs', sa.JSON(), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('created_by', sa.String(length=100), nullable=False),
        sa.Column('created_at', TS, nullable=False),
    )
    op.create_table(
        'api_token',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('account_id', sa.Integer(), sa.ForeignKey('service_account.id', ondelete='CASCADE'),
                  nullable=False, index=True),
        sa.Column('prefix', sa.String(length=16), nullable=False, unique=True),
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.Column('created_at', TS, nullable=False),
        sa.Column('expires_at', TS, nullable=False),
        sa.Column('revoked_at', TS, nullable=True),
        sa.Column('last_used_at', TS, nullable=True),
    )
    op.create_table(
        'external_task',
        sa.Column('id', sa.String(length=36), primary_key=True),
        sa.Column('instance_id', sa.Integer(), sa.ForeignKey('process_instance.id'), nullable=False, index=True),
        sa.Column('process_id', sa.String(length=200), nullable=False),
        sa.Column('element_id', sa.String(length=200), nullable=False),
        sa.Column('topic', sa.String(length=200), nullable=False),
        sa.Column('business_key', sa.String(length=200), nullable=True),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('worker_id', sa.String(length=200), nullable=True),
        sa.Column('lock_expires_at', TS, nullable=True),
        sa.Column('retries', sa.Integer(), nullable=True),
        sa.Column('retry_at', TS, nullable=True),
        sa.Column('error_message', sa.Text(), nullable=True),
        sa.Column('created_at', TS, nullable=False),
        sa.Column('done_at', TS, nullable=True),
    )
    op.create_index('ix_external_task_topic_status', 'external_task', ['topic', 'status', 'lock_expires_at'])
    op.create_table(
        'hook_subscription',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('url', sa.String(length=500), nullable=False),
        sa.Column('secret', sa.String(length=200), nullable=False),
        sa.Column('events', sa.JSON(), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('created_by', sa.String(length=100), nullable=False),
        sa.Column('created_at', TS, nullable=False),
    )
    op.create_table(
        'hook_outbox',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('subscription_id', sa.Integer(), sa.ForeignKey('hook_subscription.id', ondelete='CASCADE'),
                  nullable=False),
        sa.Column('event', sa.String(length=50), nullable=False),
        sa.Column('idempotency_key', sa.String(length=64), nullable=False, unique=True),
        sa.Column('payload', sa.JSON(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', TS, nullable=False),
        sa.Column('created_at', TS, nullable=False),
        sa.Column('delivered_at', TS, nullable=True),
    )
    op.create_index('ix_hook_outbox_status_due', 'hook_outbox', ['status', 'next_attempt_at'])
    op.create_table(
        'hook_delivery',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('outbox_id', sa.Integer(), sa.ForeignKey('hook_outbox.id', ondelete='CASCADE'), nullable=False,
                  index=True),
        sa.Column('attempt', sa.Integer(), nullable=False),
        sa.Column('status_code', sa.Integer(), nullable=True),
        sa.Column('error', sa.Text(), nullable=True),
        sa.Column('at', TS, nullable=False),
    )


def downgrade() -> None:
    for table in ('hook_delivery', 'hook_outbox', 'hook_subscription', 'external_task', 'api_token',
                  'service_account'):
        op.drop_table(table)
