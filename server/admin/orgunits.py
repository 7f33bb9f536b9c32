"""Org units for the admin screens: the whole hierarchy (a few hundred rows), flat, by code.

The PWA builds the tree from parent_id; `markets` (markets directly in the unit) shows where
the markets sit before an import changes a unit."""

from sqlalchemy import func, select

from server.core.extensions import db
from server.models import Market, OrgUnit


def org_unit_out(unit: OrgUnit, markets: int) -> dict:
    return {
        **unit.to_dict(),
        "markets": markets,
    }


def list_org_units() -> dict:
    counts = dict(
        db.session.execute(select(Market.org_unit_id, func.count()).group_by(Market.org_unit_id))
        .all()
    )
    units = db.session.scalars(select(OrgUnit).order_by(OrgUnit.code))
    rows = [org_unit_out(unit, counts.get(unit.id, 0)) for unit in units]
    return {"org_units": rows, "total": len(rows)}
