"""visit: drop ix_visit_status, which ix_visit_status_market_observed covers (issue #15)

The composite index (status, market_id, observed_at) answers every lookup by status the
single-column index did; each pushed visit paid for keeping both.

Revision ID: 0010_drop_visit_status_index
Revises: 0009_visit_rendered
Create Date: 2026-12-06 13:40:00

"""
from alembic import op


revision = '0010_drop_visit_status_index'
down_revision = '0009_visit_rendered'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index('ix_visit_status', table_name='visit')


def downgrade():
    op.create_index('ix_visit_status', 'visit', ['status'], unique=False)
