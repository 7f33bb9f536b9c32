"""indicator snapshots per market with evidence, dirty periods, one city-wide target per period

Revision ID: 0002_indicator
Revises: 0001_initial
"""
import sqlalchemy as sa
from alembic import op

revision = "0002_indicator"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("indicator_snapshot", schema=None) as batch_op:
        batch_op.alter_column("org_unit_id", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column("parent_unit_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("target", sa.Float(), nullable=True))

    with op.batch_alter_table("indicator_snapshot_item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("org_unit_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("pending_review", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column("observed_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("inspector_id", sa.Integer(), nullable=True))
    with op.batch_alter_table("indicator_snapshot_item", schema=None) as batch_op:
        batch_op.alter_column("pending_review", server_default=None)

    with op.batch_alter_table("visit", schema=None) as batch_op:
        batch_op.create_index("ix_visit_status_market_observed",
                              ["status", "market_id", "observed_at"], unique=False)

    with op.batch_alter_table("review_decision", schema=None) as batch_op:
        batch_op.create_index("ix_review_decision_visit_id_id", ["visit_id", "id"], unique=False)

    op.create_table(
        "indicator_dirty_period",
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("marked_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("period", name=op.f("pk_indicator_dirty_period")),
    )

    # NULLs escape the unique (period, org_unit_id) constraint: keep the newest city-wide
    # target of each period, then let a partial unique index hold the rule.
    op.execute(
        "DELETE FROM indicator_target WHERE org_unit_id IS NULL AND id NOT IN "
        "(SELECT MAX(id) FROM indicator_target WHERE org_unit_id IS NULL GROUP BY period)"
    )
    with op.batch_alter_table("indicator_target", schema=None) as batch_op:
        batch_op.create_index(
            "uq_indicator_target_city_period", ["period"], unique=True,
            sqlite_where=sa.text("org_unit_id IS NULL"),
            postgresql_where=sa.text("org_unit_id IS NULL"),
        )


def downgrade():
    with op.batch_alter_table("indicator_target", schema=None) as batch_op:
        batch_op.drop_index("uq_indicator_target_city_period")
    op.drop_table("indicator_dirty_period")
    with op.batch_alter_table("visit", schema=None) as batch_op:
        batch_op.drop_index("ix_visit_status_market_observed")
    with op.batch_alter_table("review_decision", schema=None) as batch_op:
        batch_op.drop_index("ix_review_decision_visit_id_id")
    with op.batch_alter_table("indicator_snapshot_item", schema=None) as batch_op:
        batch_op.drop_column("inspector_id")
        batch_op.drop_column("observed_at")
        batch_op.drop_column("pending_review")
        batch_op.drop_column("org_unit_id")
    op.execute("DELETE FROM indicator_snapshot_item")  # snapshots are recomputed on demand
    op.execute("DELETE FROM indicator_snapshot")
    with op.batch_alter_table("indicator_snapshot", schema=None) as batch_op:
        batch_op.drop_column("target")
        batch_op.drop_column("parent_unit_id")
        batch_op.alter_column("org_unit_id", existing_type=sa.Integer(), nullable=False)
