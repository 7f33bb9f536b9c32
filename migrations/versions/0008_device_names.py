"""device_token.last_synced_at: when the phone last synced, i.e. its last pull (admin device list)

Device names themselves already had a column (device_name); from now on the server fills it
from the User-Agent at sign-in when the phone sends none, and the user may rename it.

Revision ID: 0008_device_names
Revises: 0007_visit_versions
Create Date: 2026-12-06 07:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0008_device_names'
down_revision = '0007_visit_versions'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('device_token', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_synced_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('device_token', schema=None) as batch_op:
        batch_op.drop_column('last_synced_at')
