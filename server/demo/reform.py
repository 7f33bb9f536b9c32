"""The demo's Hanoi of 1 July 2025: the 126 wards and communes, and every demo market moved.

The 30 district-level units of 2023 and their wards end on 2025-06-30 (seed.py); the 126 units
(shared_schema/geo/hanoi-2025/) start on 2025-07-01 directly under the city, each with its
official code and name; on that day every demo market moves to the unit whose boundary contains
it (server/demo/geo.py). History is kept in market_assignment (docs/INDICATOR.md), so 2023 and
2024 are still broken down by the districts. Idempotent, in bulk."""

from datetime import date, timedelta

from sqlalchemy import delete, insert, select

from server.core.extensions import db
from server.demo.geo import load_wards
from server.models import MarketAssignment, OrgUnit

REFORM_DAY = date(2025, 7, 1)
LAST_OLD_DAY = REFORM_DAY - timedelta(days=1)


def seed_new_units(units: dict[str, OrgUnit], city: OrgUnit) -> list[OrgUnit]:
    """Upsert the 126 units (matched by official code); returns them in code order."""
    wards = load_wards()
    for ward in wards:
        unit = units.get(ward.code)
        if unit is None:
            unit = units[ward.code] = OrgUnit(code=ward.code)
            db.session.add(unit)
        unit.name, unit.level, unit.parent_id = ward.name, ward.level, city.id
        unit.valid_from, unit.valid_to = REFORM_DAY, None
    db.session.flush()
    return [units[ward.code] for ward in wards]


def seed_assignments(old_unit: dict[int, int], new_unit: dict[int, int]) -> None:
    """Each market: its old ward until 2025-06-30, its new unit from 2025-07-01. A market whose
    rows already say so is left alone; any other demo market's rows are replaced."""
    wanted = {mid: [(old_unit[mid], None, LAST_OLD_DAY), (new_unit[mid], REFORM_DAY, None)]
              for mid in old_unit}
    have: dict[int, list] = {}
    for row in db.session.execute(
            select(MarketAssignment.market_id, MarketAssignment.org_unit_id,
                   MarketAssignment.valid_from, MarketAssignment.valid_to)
            .where(MarketAssignment.market_id.in_(wanted))
            .order_by(MarketAssignment.market_id, MarketAssignment.id)):
        have.setdefault(row.market_id, []).append(tuple(row[1:]))
    stale = [mid for mid, rows in wanted.items() if have.get(mid) != rows]
    if not stale:
        return
    db.session.execute(delete(MarketAssignment).where(MarketAssignment.market_id.in_(stale)))
    db.session.execute(insert(MarketAssignment), [
        {"market_id": mid, "org_unit_id": unit, "valid_from": start, "valid_to": end}
        for mid in stale for unit, start, end in wanted[mid]
    ])

