"""Indicator targets per period, for the whole city (org_unit_id null) or one org unit."""

from sqlalchemy import select

from server.admin.schemas import PERIOD
from server.audit.record import record
from server.core.errors import ApiError
from server.core.extensions import begin_write, db
from server.core.locks import TARGET_LOCK, transaction_lock
from server.models import IndicatorTarget, OrgUnit

# One target per (period, unit) holds in the database: the unique (period, org_unit_id)
# constraint for units, and a partial unique index (migration 0002) for the city-wide row, whose
# NULL org_unit_id the constraint lets through. Writers also serialise (BEGIN IMMEDIATE on
# SQLite, this advisory lock on PostgreSQL) so that a second writer updates the first one's row
# instead of failing on the index.


def target_out(row: IndicatorTarget) -> dict:
    return {"period": row.period, "org_unit_id": row.org_unit_id, "target": row.target}


def list_targets() -> dict:
    rows = db.session.scalars(
        select(IndicatorTarget).order_by(
            IndicatorTarget.period, IndicatorTarget.org_unit_id.asc().nulls_first()
        )
    )
    return {"targets": [target_out(r) for r in rows]}


def check_period(period: str) -> None:
    if not PERIOD.match(period):
        raise ApiError(422, "validation_failed", "Some fields are not valid.",
                       {"period": ["Use YYYY, YYYY-Qn (n = 1..4) or YYYY-MM."]})


def set_target(period: str, body: dict) -> tuple[dict, bool]:
    """Create or replace the target; returns it and whether it is new."""
    check_period(period)
    unit_id = body["org_unit_id"]
    begin_write()
    transaction_lock(TARGET_LOCK)
    if unit_id is not None and db.session.get(OrgUnit, unit_id) is None:
        raise ApiError(422, "validation_failed", "Some fields are not valid.",
                       {"org_unit_id": ["Unknown org unit."]})
    same_unit = (IndicatorTarget.org_unit_id.is_(None) if unit_id is None
                 else IndicatorTarget.org_unit_id == unit_id)
    row = db.session.scalar(
        select(IndicatorTarget).where(IndicatorTarget.period == period, same_unit)
    )
    created = row is None
    before = None if created else row.target
    if created:
        row = IndicatorTarget(period=period, org_unit_id=unit_id)
        db.session.add(row)
    row.target = body["target"]
    unit = db.session.get(OrgUnit, unit_id) if unit_id is not None else None
    where = unit.code if unit else "city"
    record("target.set", ("target", f"{period}/{where}",
                          f"{period} · {unit.name if unit else 'Toàn thành phố'}"),
           {"period": period, "org_unit_id": unit_id, "before": before, "after": row.target})
    db.session.commit()
    return target_out(row), created
