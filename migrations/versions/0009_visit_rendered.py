"""visit.rendered: pull's change JSON of the visit, stored by its writers (issue #15)

NULL (every existing row) means pull renders the change when asked, as before.

Revision ID: 0009_visit_rendered
Revises: 0008_device_names
Create Date: 2026-12-06 11:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0009_visit_rendered'
down_revision = '0008_device_names'
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN (SQLite too): batch mode would copy and drop the visit table, which
    # other tables reference.
    op.add_column('visit', sa.Column('rendered', sa.Text(), nullable=True))


def downgrade():
    op.drop_column('visit', 'rendered')  # SQLite 3.35+ drops a column in place too
