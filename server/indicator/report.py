"""What the dashboard, the downloads and the CLI read: figures from a period's snapshot."""

from sqlalchemy import select
from sqlalchemy.orm import aliased

from server.auth.models import User
from server.errors import ApiError
from server.extensions import db
from server.indicator.hierarchy import unit_out
from server.indicator.models import IndicatorSnapshot, IndicatorSnapshotItem
from server.indicator.periods import Period, month_period, year_period
from server.indicator.snapshots import COUNTS, city_row, snapshot_rows
from server.indicator.targets import target_lookup
from server.markets.models import Market
from server.orgunits.models import OrgUnit
from server.timeutil import iso_z

MARKET_FILTERS = ("compliant", "non_compliant", "not_assessed", "pending_review")


def ratio(part: int, whole: int) -> float | None:
    """A share rounded to 4 decimals (58.33 %), the same digits in the API, CSV and XLSX."""
    return None if whole == 0 else round(part / whole, 4)


def figures(row: IndicatorSnapshot) -> dict:
    counts = {name: getattr(row, name) for name in COUNTS}
    return {
        **counts,
        "value": ratio(row.compliant, row.markets_total),
        "coverage": ratio(row.compliant + row.non_compliant, row.markets_total),
    }


class PeriodView:
    """A period's snapshot rows, with the unit tree as it was when they were computed."""

    def __init__(self, period: Period, unit_key: int | None):
        self.period = period
        self.rows = snapshot_rows(period, unit_key)
        self.city = city_row(self.rows)
        self.by_unit = {r.org_unit_id: r for r in self.rows if r.org_unit_id is not None}
        if unit_key is not None and unit_key not in self.by_unit:
            raise ApiError(400, "invalid_org_unit", "This org unit did not exist in that period.",
                           {"org_unit": ["Not valid in the requested period."]})
        self.key = unit_key
        self.children: dict[int | None, list[int]] = {}
        for unit_id, row in self.by_unit.items():
            self.children.setdefault(row.parent_unit_id, []).append(unit_id)
        self.units = {u.id: u for u in db.session.scalars(
            select(OrgUnit).where(OrgUnit.id.in_(list(self.by_unit)))
        )}

    @property
    def row(self) -> IndicatorSnapshot:
        return self.city if self.key is None else self.by_unit[self.key]

    @property
    def final(self) -> bool:
        return bool(self.city.final)

    def unit(self, unit_id: int | None) -> dict:
        return unit_out(self.units.get(unit_id) if unit_id is not None else None)

    def target(self, unit_id: int | None) -> float | None:
        """Final snapshots keep the target they were finalised with; others read it live."""
        if self.final:
            return (self.city if unit_id is None else self.by_unit[unit_id]).target
        return target_lookup(self.period)(unit_id)

    def child_ids(self, unit_id: int | None) -> list[int]:
        return sorted(self.children.get(unit_id, ()), key=lambda u: self.units[u].code)

    def subtree(self, unit_id: int | None) -> list[int]:
        found, stack = [], [unit_id]
        while stack:
            current = stack.pop()
            if current is not None:
                found.append(current)
            stack.extend(self.children.get(current, ()))
        return found

    def head(self) -> dict:
        return {"period": self.period.to_dict(), "org_unit": self.unit(self.key),
                "computed_at": iso_z(self.city.computed_at), "final": self.final}


def indicator(period: Period, unit_key: int | None) -> dict:
    view = PeriodView(period, unit_key)
    breakdown = [{"org_unit": view.unit(c), **figures(view.by_unit[c])}
                 for c in view.child_ids(unit_key)]
    if view.units.get(unit_key) is not None and view.units[unit_key].level == "ward":
        breakdown = []
    head = view.head()
    return {
        "indicator": "4.4", "period": head["period"], "org_unit": head["org_unit"],
        **figures(view.row), "target": view.target(unit_key),
        "computed_at": head["computed_at"], "final": head["final"], "breakdown": breakdown,
    }


def _ref(unit: OrgUnit | None) -> dict | None:
    return None if unit is None else {"id": unit.id, "code": unit.code, "name": unit.name}


def market_rows(view: PeriodView, status: str | None = None) -> list[dict]:
    """Every market of the unit's universe with the evidence behind its status."""
    item, inspector, reviewer = IndicatorSnapshotItem, aliased(User), aliased(User)
    query = (
        select(item, Market, inspector.display_name, reviewer.display_name)
        .join(Market, Market.id == item.market_id)
        .outerjoin(inspector, inspector.id == item.inspector_id)
        .outerjoin(reviewer, reviewer.id == item.reviewer_id)
        .where(item.snapshot_id == view.city.id)
    )
    if view.key is not None:
        query = query.where(item.org_unit_id.in_(view.subtree(view.key)))
    if status == "pending_review":
        query = query.where(item.pending_review.is_(True))
    elif status:
        query = query.where(item.status == status)
    rows = db.session.execute(query).all()
    extra = {r[0].org_unit_id for r in rows} - set(view.units)
    units = {**view.units, **{u.id: u for u in db.session.scalars(
        select(OrgUnit).where(OrgUnit.id.in_(extra)))}}
    out = []
    for it, market, inspector_name, reviewer_name in rows:
        ward, district = _ward_and_district(view, units, it.org_unit_id)
        out.append({
            "market": {"id": market.id, "code": market.code, "name": market.name,
                       "market_class": market.market_class},
            "ward": _ref(ward), "district": _ref(district),
            "status": it.status, "pending_review": bool(it.pending_review),
            "visit_id": it.visit_id, "observed_at": iso_z(it.observed_at),
            "inspector": ({"id": it.inspector_id, "name": inspector_name}
                          if it.inspector_id is not None else None),
            "reviewer": ({"id": it.reviewer_id, "name": reviewer_name}
                         if it.reviewer_id is not None else None),
            "decided_at": iso_z(it.decided_at),
        })
    out.sort(key=lambda m: ((m["district"] or {}).get("code") or "",
                            (m["ward"] or {}).get("code") or "", m["market"]["code"]))
    return out


def _ward_and_district(view: PeriodView, units: dict, unit_id: int | None):
    ward = district = None
    while unit_id is not None and unit_id in units:
        unit = units[unit_id]
        if unit.level == "ward" and ward is None:
            ward = unit
        elif unit.level == "district" and district is None:
            district = unit
        row = view.by_unit.get(unit_id)
        unit_id = row.parent_unit_id if row is not None else unit.parent_id
    return ward, district


def markets(period: Period, unit_key: int | None, status: str | None = None) -> dict:
    view = PeriodView(period, unit_key)
    return {**view.head(), "markets": market_rows(view, status)}


def trend(year: int, unit_key: int | None) -> dict:
    months = []
    head = None
    for month in range(1, 13):
        view = PeriodView(month_period(year, month), unit_key)
        head = head or view
        months.append({"period": view.period.to_dict(), **figures(view.row)})
    year_target = target_lookup(year_period(year))(unit_key)
    return {"year": year, "org_unit": head.unit(unit_key), "target": year_target,
            "months": months}
