"""scheduler: job_run (per-run claims) and market_overdue (markets not visited for N days)

Revision ID: 0003
Revises: 0001_initial
Create Date: 2026-11-24 09:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0003_jobs'
down_revision = '0002_indicator'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('job_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.String(length=100), nullable=False),
    sa.Column('fire_time', sa.DateTime(), nullable=False),
    sa.Column('claimed_by', sa.String(length=120), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('summary', sa.String(length=1000), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_run')),
    sa.UniqueConstraint('job_id', 'fire_time', name=op.f('uq_job_run_job_id'))
    )
    with op.batch_alter_table('job_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_run_fire_time'), ['fire_time'], unique=False)

    op.create_table('market_overdue',
    sa.Column('market_id', sa.Integer(), nullable=False),
    sa.Column('last_visit_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['market_id'], ['market.id'], name=op.f('fk_market_overdue_market_id_market')),
    sa.PrimaryKeyConstraint('market_id', name=op.f('pk_market_overdue'))
    )


def downgrade():
    op.drop_table('market_overdue')
    with op.batch_alter_table('job_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_run_fire_time'))

    op.drop_table('job_run')
