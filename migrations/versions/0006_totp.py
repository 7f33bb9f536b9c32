"""user_totp, totp_recovery_code: two-factor sign-in for officials (issue #17)

Revision ID: 0006_totp
Revises: 0005_audit_events
Create Date: 2026-12-06 07:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0006_totp'
down_revision = '0005_audit_events'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('user_totp',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('secret', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(), nullable=True),
    sa.Column('last_used_step', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_user_totp_user_id_app_user')),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_user_totp'))
    )
    op.create_table('totp_recovery_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_totp_recovery_code_user_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_totp_recovery_code')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_totp_recovery_code_code_hash'))
    )
    with op.batch_alter_table('totp_recovery_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_totp_recovery_code_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('totp_recovery_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_totp_recovery_code_user_id'))
    op.drop_table('totp_recovery_code')
    op.drop_table('user_totp')
