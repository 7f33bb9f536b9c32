"""visit_version: every accepted version of a visit, append-only; app_setting: the settings
the admin changes in the app (the A4 report's issuer, number prefix, recipient) (issue #14)

Backfill: one version per existing visit, its current data received at its received_at, as
rev 1 (the submission); the edits made before this table existed were not kept.

Revision ID: 0007_visit_versions
Revises: 0006_totp
Create Date: 2026-12-06 07:20:00

"""
import json
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from alembic import op


revision = '0007_visit_versions'
down_revision = '0006_totp'
branch_labels = None
depends_on = None


def upgrade():
    version = op.create_table('visit_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.String(length=36), nullable=False),
    sa.Column('rev', sa.Integer(), nullable=False),
    sa.Column('inspector_id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.String(length=64), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['inspector_id'], ['app_user.id'], name=op.f('fk_visit_version_inspector_id_app_user')),
    sa.ForeignKeyConstraint(['visit_id'], ['visit.id'], name=op.f('fk_visit_version_visit_id_visit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_visit_version'))
    )
    with op.batch_alter_table('visit_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_visit_version_visit_id'), ['visit_id'], unique=False)
    _backfill(version)
    op.create_table('app_setting',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by'], ['app_user.id'], name=op.f('fk_app_setting_updated_by_app_user')),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_app_setting'))
    )


def _time(value):
    """A DateTime read with plain SQL: a datetime (PostgreSQL) or its text (SQLite)."""
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def _backfill(version):
    bind = op.get_bind()
    photos = {}
    for visit_id, sha in bind.execute(sa.text(
            "SELECT visit_id, sha256 FROM visit_attachment ORDER BY visit_id, position")):
        photos.setdefault(visit_id, []).append(sha)
    rows = []
    for v in bind.execute(sa.text(
            "SELECT id, market_id, inspector_id, device_id, form_version, observed_at, "
            "observed_offset_min, received_at, answers, location_lat, location_lon, "
            "location_accuracy_m FROM visit ORDER BY id")).mappings():
        offset = timedelta(minutes=v["observed_offset_min"] or 0)
        observed = (_time(v["observed_at"]) + offset).replace(tzinfo=timezone(offset))
        answers = v["answers"]
        if isinstance(answers, str):
            answers = json.loads(answers)
        location = None
        if v["location_lat"] is not None:
            location = {"lat": v["location_lat"], "lon": v["location_lon"],
                        "accuracy_m": v["location_accuracy_m"]}
        rows.append({
            "visit_id": v["id"], "rev": 1, "inspector_id": v["inspector_id"],
            "device_id": v["device_id"], "received_at": _time(v["received_at"]),
            "data": {"market_id": v["market_id"], "form_version": v["form_version"],
                     "observed_at": observed.isoformat(), "answers": answers,
                     "location": location, "attachments": photos.get(v["id"], [])},
        })
    if rows:
        op.bulk_insert(version, rows)


def downgrade():
    op.drop_table('app_setting')
    with op.batch_alter_table('visit_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_visit_version_visit_id'))
    op.drop_table('visit_version')
