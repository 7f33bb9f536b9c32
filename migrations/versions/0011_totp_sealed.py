"""user_totp.secret -> sealed_secret: two-factor secrets sealed at rest (server/core/sealing.py)

A copy of the database or of a backup gave away every official's second factor. Each stored
secret is sealed under the key derived from the app's SECRET_KEY; downgrade opens them again.

Revision ID: 0011_totp_sealed
Revises: 0010_drop_visit_status_index
Create Date: 2026-12-06 16:10:00

"""
import sqlalchemy as sa
from alembic import op
from flask import current_app

from server.core.sealing import seal, unseal

revision = '0011_totp_sealed'
down_revision = '0010_drop_visit_status_index'
branch_labels = None
depends_on = None

user_totp = sa.table('user_totp', sa.column('user_id', sa.Integer),
                     sa.column('secret', sa.String), sa.column('sealed_secret', sa.String))


def _rewrite(source: str, target: str, change) -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.select(user_totp.c.user_id, user_totp.c[source])).all()
    for user_id, value in rows:
        conn.execute(user_totp.update().where(user_totp.c.user_id == user_id)
                     .values({target: change(value, current_app.config)}))


def upgrade():
    # Sealed under the upgrading process's SECRET_KEY; one run without it seals under the
    # development key, which the server still opens (sealing._keys) and seals again at use.
    with op.batch_alter_table('user_totp') as batch_op:
        batch_op.add_column(sa.Column('sealed_secret', sa.String(length=255), nullable=True))
    _rewrite('secret', 'sealed_secret', seal)
    with op.batch_alter_table('user_totp') as batch_op:
        batch_op.alter_column('sealed_secret', existing_type=sa.String(length=255),
                              nullable=False)
        batch_op.drop_column('secret')


def downgrade():
    with op.batch_alter_table('user_totp') as batch_op:
        batch_op.add_column(sa.Column('secret', sa.String(length=64), nullable=True))
    _rewrite('sealed_secret', 'secret', unseal)
    with op.batch_alter_table('user_totp') as batch_op:
        batch_op.alter_column('secret', existing_type=sa.String(length=64), nullable=False)
        batch_op.drop_column('sealed_secret')
