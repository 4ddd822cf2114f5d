"""jobs: backoff time of the next retry and the incident a failed job opened

Revision ID: 0008_job_retries
Revises: 0007_task_candidate
Create Date: 2026-11-30
"""
import sqlalchemy as sa
from alembic import op

revision = '0008_job_retries'
down_revision = '0007_task_candidate'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('job', sa.Column('retry_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('job', sa.Column('incident_id', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('job') as batch:
        batch.drop_column('incident_id')
        batch.drop_column('retry_at')
