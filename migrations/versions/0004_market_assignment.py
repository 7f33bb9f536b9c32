"""market_assignment: a market's org unit with validity dates (Hanoi's 1 July 2025 reform)

A market's unit now has a history, like org units: moving a market closes its current
assignment and opens a new one, so a past period keeps the units its markets had then.
Backfill: one open assignment (since always) per existing market, from market.org_unit_id.

Revision ID: 0004_market_assignment
Revises: 0003_jobs
Create Date: 2026-12-02 00:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0004_market_assignment'
down_revision = '0003_jobs'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('market_assignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('market_id', sa.Integer(), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['market_id'], ['market.id'], name=op.f('fk_market_assignment_market_id_market')),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_unit.id'], name=op.f('fk_market_assignment_org_unit_id_org_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_market_assignment'))
    )
    with op.batch_alter_table('market_assignment', schema=None) as batch_op:
        batch_op.create_index('ix_market_assignment_market_from', ['market_id', 'valid_from'], unique=False)
        batch_op.create_index(batch_op.f('ix_market_assignment_org_unit_id'), ['org_unit_id'], unique=False)

    op.execute(
        "INSERT INTO market_assignment (market_id, org_unit_id, valid_from, valid_to) "
        "SELECT id, org_unit_id, NULL, NULL FROM market"
    )


def downgrade():
    with op.batch_alter_table('market_assignment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_market_assignment_org_unit_id'))
        batch_op.drop_index('ix_market_assignment_market_from')

    op.drop_table('market_assignment')
