"""What the dashboard, the downloads and the CLI read: figures from a period's snapshot."""

from sqlalchemy import or_, select
from sqlalchemy.orm import aliased

from server.core.errors import ApiError
from server.core.extensions import db
from server.core.periods import Period, month_period, year_period, year_to_month
from server.core.timeutil import iso_z
from server.core.trees import children_of, subtree
from server.indicator.hierarchy import unit_out
from server.indicator.snapshots import COUNTS, ensure_snapshot
from server.indicator.targets import target_lookup
from server.models import IndicatorSnapshot, IndicatorSnapshotItem, Market, OrgUnit, User

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
    """A unit's row in a period's snapshot and its children's rows (the tree as it was when
    the snapshot was computed). Reads a few dozen rows, never the whole period."""

    def __init__(self, period: Period, unit_key: int | None):
        self.period = period
        self.key = unit_key
        self.city = ensure_snapshot(period, unit_key)
        snap = IndicatorSnapshot
        near = (snap.parent_unit_id.is_(None) if unit_key is None
                else or_(snap.org_unit_id == unit_key, snap.parent_unit_id == unit_key))
        rows = db.session.scalars(select(snap).where(snap.period == period.id, near))
        self.by_unit = {r.org_unit_id: r for r in rows if r.org_unit_id is not None}
        if unit_key is not None and unit_key not in self.by_unit:
            raise ApiError(400, "invalid_org_unit", "This org unit did not exist in that period.",
                           {"org_unit": ["Not valid in the requested period."]})
        self.units = load_units(self.by_unit)

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
            return self.row.target
        return target_lookup(self.period)(unit_id)

    def child_ids(self) -> list[int]:
        children = [u for u, r in self.by_unit.items()
                    if u != self.key and r.parent_unit_id == self.key]
        return sorted(children, key=lambda u: self.units[u].code)

    def head(self) -> dict:
        return {"period": self.period.to_dict(), "org_unit": self.unit(self.key),
                "computed_at": iso_z(self.city.computed_at), "final": self.final}


def load_units(ids) -> dict[int, OrgUnit]:
    ids = [i for i in ids if i is not None]
    if not ids:
        return {}
    return {u.id: u for u in db.session.scalars(select(OrgUnit).where(OrgUnit.id.in_(ids)))}


def period_parents(period_id: str) -> dict[int, int | None]:
    """unit → parent as recorded in the period's snapshot (a few hundred pairs)."""
    snap = IndicatorSnapshot
    return dict(db.session.execute(
        select(snap.org_unit_id, snap.parent_unit_id)
        .where(snap.period == period_id, snap.org_unit_id.is_not(None))
    ).all())


def indicator(period: Period, unit_key: int | None) -> dict:
    view = PeriodView(period, unit_key)
    breakdown = [{"org_unit": view.unit(c), **figures(view.by_unit[c])}
                 for c in view.child_ids()]
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
        # Plain columns, not ORM objects: a district lists hundreds of markets.
        select(item.org_unit_id, item.status, item.pending_review, item.visit_id,
               item.observed_at, item.inspector_id, item.reviewer_id, item.decided_at,
               Market.id.label("market_id"), Market.code, Market.name, Market.market_class,
               inspector.display_name.label("inspector_name"),
               reviewer.display_name.label("reviewer_name"))
        .join(Market, Market.id == item.market_id)
        .outerjoin(inspector, inspector.id == item.inspector_id)
        .outerjoin(reviewer, reviewer.id == item.reviewer_id)
        .where(item.snapshot_id == view.city.id)
    )
    parents = period_parents(view.period.id)
    if view.key is not None:
        query = query.where(item.org_unit_id.in_(subtree(children_of(parents.items()), view.key)))
    if status == "pending_review":
        query = query.where(item.pending_review.is_(True))
    elif status:
        query = query.where(item.status == status)
    rows = db.session.execute(query).all()
    units = load_units(_with_ancestors({r.org_unit_id for r in rows}, parents))
    places = {}
    out = []
    for it in rows:
        if it.org_unit_id not in places:
            ward, district = _ward_and_district(parents, units, it.org_unit_id)
            places[it.org_unit_id] = (_ref(ward), _ref(district))
        ward, district = places[it.org_unit_id]
        out.append({
            "market": {"id": it.market_id, "code": it.code, "name": it.name,
                       "market_class": it.market_class},
            "ward": ward, "district": district,
            "status": it.status, "pending_review": bool(it.pending_review),
            "visit_id": it.visit_id, "observed_at": iso_z(it.observed_at),
            "inspector": ({"id": it.inspector_id, "name": it.inspector_name}
                          if it.inspector_id is not None else None),
            "reviewer": ({"id": it.reviewer_id, "name": it.reviewer_name}
                         if it.reviewer_id is not None else None),
            "decided_at": iso_z(it.decided_at),
        })
    out.sort(key=lambda m: ((m["district"] or {}).get("code") or "",
                            (m["ward"] or {}).get("code") or "", m["market"]["code"]))
    return out


def _with_ancestors(ids: set, parents: dict[int, int | None]) -> set:
    found, stack = set(), list(ids)
    while stack:
        unit_id = stack.pop()
        if unit_id is not None and unit_id not in found:
            found.add(unit_id)
            stack.append(parents.get(unit_id))
    return found


def _ward_and_district(parents: dict, units: dict, unit_id: int | None):
    ward = district = None
    seen = set()
    while unit_id is not None and unit_id in units and unit_id not in seen:
        seen.add(unit_id)
        unit = units[unit_id]
        if unit.level in ("ward", "commune") and ward is None:
            ward = unit
        elif unit.level == "district" and district is None:
            district = unit
        unit_id = parents.get(unit_id)
    return ward, district


def markets(period: Period, unit_key: int | None, status: str | None = None) -> dict:
    view = PeriodView(period, unit_key)
    return {**view.head(), "markets": market_rows(view, status)}


def trend(year: int, unit_key: int | None) -> dict:
    """Twelve monthly rows in one query (months never computed are computed first), each with
    `year_to_date`: the figures of 1 January to the month's end (period YYYY-YTDmm), as
    GET /indicator gives them (December's equals the year's)."""
    periods = [month_period(year, month) for month in range(1, 13)]
    to_date = [year_to_month(year, month) for month in range(1, 13)]
    for period in periods + to_date:  # 24 periods: those an import marked stale are left to
        ensure_snapshot(period, unit_key, refresh_marked=False)  # the minute job
    snap = IndicatorSnapshot
    same_unit = snap.org_unit_id.is_(None) if unit_key is None else snap.org_unit_id == unit_key
    rows = {r.period: r for r in db.session.scalars(
        select(snap).where(snap.period.in_([p.id for p in periods + to_date]), same_unit))}

    def row_figures(period: Period) -> dict:
        if period.id not in rows:  # a month whose units do not include this one (2025)
            return dict.fromkeys((*COUNTS, "value", "coverage"))
        return figures(rows[period.id])

    months = [{"period": period.to_dict(), **row_figures(period),
               "year_to_date": {"period": ytd.to_dict(), **row_figures(ytd)}}
              for period, ytd in zip(periods, to_date, strict=True)]
    return {"year": year, "org_unit": unit_out(load_units([unit_key]).get(unit_key)),
            "target": target_lookup(year_period(year))(unit_key), "months": months}
