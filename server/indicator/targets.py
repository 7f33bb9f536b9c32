"""Which target applies to a period and unit.

Order: the unit's own target for the period, the city-wide target for the period, then (for a
quarter or a month) the unit's target for the year and the city-wide target for the year.
A ward does not inherit its district's target: targets are set city-wide or per unit."""

from sqlalchemy import select

from server.core.extensions import db
from server.core.periods import Period
from server.models import IndicatorTarget


def target_lookup(period: Period):
    year_id = f"{period.year:04d}"
    rows = db.session.execute(
        select(IndicatorTarget.period, IndicatorTarget.org_unit_id, IndicatorTarget.target)
        .where(IndicatorTarget.period.in_({period.id, year_id}))
    )
    known = {(r.period, r.org_unit_id): r.target for r in rows}

    def target_for(unit_id: int | None) -> float | None:
        for key in ((period.id, unit_id), (period.id, None), (year_id, unit_id), (year_id, None)):
            if key in known:
                return known[key]
        return None

    return target_for
