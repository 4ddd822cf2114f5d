"""identity: external identities (OpenID Connect), the group-to-role/unit mapping, TOTP second factors

Revision ID: 0014_sso_totp
Revises: 0005_team_lead
Create Date: 2026-11-30
"""
import sqlalchemy as sa
from alembic import op

revision = '0014_sso_totp'
down_revision = '0005_team_lead'  # after the organisation tables it refers to
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        'org_external_identity',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('issuer', sa.String(length=300), nullable=False),
        sa.Column('subject', sa.String(length=255), nullable=False),
        sa.Column('created_at', TS, nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['org_user.id'],
                                name=op.f('fk_org_external_identity_user_id_org_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_org_external_identity')),
        sa.UniqueConstraint('issuer', 'subject', name=op.f('uq_org_external_identity_issuer_subject')),
    )
    op.create_index(op.f('ix_org_external_identity_user_id'), 'org_external_identity', ['user_id'])
    op.create_table(
        'org_group_mapping',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('idp_group', sa.String(length=200), nullable=False),
        sa.Column('role', sa.String(length=20), nullable=True),
        sa.Column('unit_code', sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(['unit_code'], ['org_unit.code'],
                                name=op.f('fk_org_group_mapping_unit_code_org_unit')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_org_group_mapping')),
        sa.UniqueConstraint('idp_group', 'role', 'unit_code',
                            name=op.f('uq_org_group_mapping_idp_group_role_unit_code')),
    )
    op.create_index(op.f('ix_org_group_mapping_idp_group'), 'org_group_mapping', ['idp_group'])
    op.create_table(
        'org_totp',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('secret', sa.Text(), nullable=False),
        sa.Column('confirmed_at', TS, nullable=True),
        sa.Column('last_step', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['org_user.id'], name=op.f('fk_org_totp_user_id_org_user')),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_org_totp')),
    )


def downgrade() -> None:
    op.drop_table('org_totp')
    op.drop_index(op.f('ix_org_group_mapping_idp_group'), table_name='org_group_mapping')
    op.drop_table('org_group_mapping')
    op.drop_index(op.f('ix_org_external_identity_user_id'), table_name='org_external_identity')
    op.drop_table('org_external_identity')
