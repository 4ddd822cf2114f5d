"""KIM case tables: cases, consents, deadlines, notes and documents

Revision ID: 0002_org_cases_kim
Revises: 0002_org_cases
Create Date: 2026-11-25
"""
import sqlalchemy as sa
from alembic import op

revision = '0002_org_cases_kim'
down_revision = '0002_org_cases'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('kim_case',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_ref', sa.String(length=100), nullable=False),
    sa.Column('given_name', sa.String(length=200), nullable=True),
    sa.Column('family_name', sa.String(length=200), nullable=True),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('nationality', sa.String(length=100), nullable=True),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('area', sa.String(length=100), nullable=True),
    sa.Column('household', sa.JSON(), nullable=False),
    sa.Column('residence_status', sa.String(length=200), nullable=True),
    sa.Column('referral_source', sa.String(length=200), nullable=True),
    sa.Column('profile', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('opened_by', sa.String(length=100), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closure_reason', sa.String(length=100), nullable=True),
    sa.Column('retention_until', sa.Date(), nullable=True),
    sa.Column('anonymised_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kim_case')),
    sa.UniqueConstraint('case_ref', name=op.f('uq_kim_case_case_ref'))
    )
    with op.batch_alter_table('kim_case', schema=None) as batch_op:
        batch_op.create_index('ix_kim_case_area_status', ['area', 'status'], unique=False)

    op.create_table('kim_case_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_ref', sa.String(length=100), nullable=False),
    sa.Column('filename', sa.String(length=300), nullable=False),
    sa.Column('content_type', sa.String(length=200), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('uploaded_by', sa.String(length=100), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kim_case_document'))
    )
    with op.batch_alter_table('kim_case_document', schema=None) as batch_op:
        batch_op.create_index('ix_kim_case_document_case_at', ['case_ref', 'uploaded_at'], unique=False)

    op.create_table('kim_case_note',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_ref', sa.String(length=100), nullable=False),
    sa.Column('author', sa.String(length=100), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kim_case_note'))
    )
    with op.batch_alter_table('kim_case_note', schema=None) as batch_op:
        batch_op.create_index('ix_kim_case_note_case_at', ['case_ref', 'created_at'], unique=False)

    op.create_table('kim_case_ref_counter',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_kim_case_ref_counter'))
    )
    op.create_table('kim_consent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_ref', sa.String(length=100), nullable=False),
    sa.Column('office', sa.String(length=100), nullable=False),
    sa.Column('data_categories', sa.JSON(), nullable=False),
    sa.Column('purpose', sa.Text(), nullable=False),
    sa.Column('mutual', sa.Boolean(), nullable=False),
    sa.Column('health_data', sa.Boolean(), nullable=False),
    sa.Column('legal_basis', sa.String(length=200), nullable=True),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_by', sa.String(length=100), nullable=True),
    sa.Column('recorded_by', sa.String(length=100), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('language_version', sa.String(length=20), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kim_consent'))
    )
    with op.batch_alter_table('kim_consent', schema=None) as batch_op:
        batch_op.create_index('ix_kim_consent_case_office', ['case_ref', 'office'], unique=False)

    op.create_table('kim_deadline',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_ref', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=100), nullable=False),
    sa.Column('label', sa.String(length=300), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('remind_on', sa.Date(), nullable=True),
    sa.Column('source_instance_id', sa.Integer(), nullable=True),
    sa.Column('source_element_id', sa.String(length=200), nullable=True),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('done_by', sa.String(length=100), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kim_deadline'))
    )
    with op.batch_alter_table('kim_deadline', schema=None) as batch_op:
        batch_op.create_index('ix_kim_deadline_case_due', ['case_ref', 'due_on'], unique=False)
        batch_op.create_index('ix_kim_deadline_remind_done', ['remind_on', 'done_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('kim_deadline', schema=None) as batch_op:
        batch_op.drop_index('ix_kim_deadline_remind_done')
        batch_op.drop_index('ix_kim_deadline_case_due')

    op.drop_table('kim_deadline')
    with op.batch_alter_table('kim_consent', schema=None) as batch_op:
        batch_op.drop_index('ix_kim_consent_case_office')

    op.drop_table('kim_consent')
    op.drop_table('kim_case_ref_counter')
    with op.batch_alter_table('kim_case_note', schema=None) as batch_op:
        batch_op.drop_index('ix_kim_case_note_case_at')

    op.drop_table('kim_case_note')
    with op.batch_alter_table('kim_case_document', schema=None) as batch_op:
        batch_op.drop_index('ix_kim_case_document_case_at')

    op.drop_table('kim_case_document')
    with op.batch_alter_table('kim_case', schema=None) as batch_op:
        batch_op.drop_index('ix_kim_case_area_status')

    op.drop_table('kim_case')
    # ### end Alembic commands ###

