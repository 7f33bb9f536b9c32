"""Indicator snapshots: computed per period (the city and every unit at once), read by the
dashboard, reports and exports; provisional until a city officer marks the period final.

Decisions, edits, new visits and market changes update the provisional snapshots in their own
transaction (server/indicator/live.py); the full recompute here stays for the nightly run, for
finalising, for a period asked for the first time, and for the periods an org-unit import
marked stale (the tree their rows hang on changed): the next request for such a period or the
minute job, whichever comes first.

The scheduler helper calls, by name:
  server.indicator.snapshots:recompute_dirty    - periods marked stale
  server.indicator.snapshots:recompute_nightly  - the current year, quarter and month
Both take no required argument; the job runner gives them an app context.
"""

import logging
from datetime import datetime

from sqlalchemy import delete, insert, select, update

from server.audit.record import record
from server.core.errors import ApiError
from server.core.extensions import begin_write, db
from server.core.locks import CHANGE_SEQUENCE_LOCK, SNAPSHOT_LOCK, transaction_lock
from server.core.periods import (
    Period,
    local_today,
    parse_period,
    periods_containing,
    year_to_month,
)
from server.core.timeutil import utcnow
from server.indicator.hierarchy import load_tree
from server.indicator.reconcile import counts_by_unit, fill_items
from server.indicator.targets import target_lookup
from server.models import IndicatorDirtyPeriod, IndicatorSnapshot, IndicatorSnapshotItem

log = logging.getLogger(__name__)
COUNTS = ("markets_total", "compliant", "non_compliant", "not_assessed", "pending_review")


def _lock() -> None:
    """The snapshot lock, which every writer's live update takes once any snapshot exists
    (indicator/live.py). Before the first snapshot ever, writers skip it, so the first
    computation also waits for the writers in flight (the change-sequence lock they hold to
    their commit, taken in their order: sequence, then snapshots)."""
    begin_write()  # BEGIN IMMEDIATE on SQLite
    if db.session.scalar(select(IndicatorSnapshot.id).limit(1)) is None:
        transaction_lock(CHANGE_SEQUENCE_LOCK)
    transaction_lock(SNAPSHOT_LOCK)


def write_snapshot(period: Period, now: datetime) -> None:
    """Replace the period's provisional snapshot (inside the caller's write transaction), and
    drop its stale mark: it is computed from the tree as it is now."""
    _clear_mark(period.id)
    old_ids = select(IndicatorSnapshot.id).where(IndicatorSnapshot.period == period.id)
    db.session.execute(
        delete(IndicatorSnapshotItem).where(IndicatorSnapshotItem.snapshot_id.in_(old_ids))
    )
    db.session.execute(delete(IndicatorSnapshot).where(IndicatorSnapshot.period == period.id))
    tree = load_tree(period)
    target_for = target_lookup(period)
    zero = dict.fromkeys(COUNTS, 0)
    city = IndicatorSnapshot(period=period.id, org_unit_id=None, parent_unit_id=None,
                             computed_at=now, final=False, target=target_for(None), **zero)
    db.session.add(city)
    db.session.flush()
    fill_items(db.session, city.id, period)
    by_unit = {row.org_unit_id: row for row in db.session.execute(counts_by_unit(city.id))}
    for name in COUNTS:
        setattr(city, name, sum(getattr(row, name) for row in by_unit.values()))
    # Roll-ups sum counts over each unit's subtree, never average percentages.
    unit_rows = [
        {"period": period.id, "org_unit_id": unit_id, "parent_unit_id": tree.parent[unit_id],
         "computed_at": now, "final": False, "target": target_for(unit_id),
         **{name: sum(getattr(by_unit[u], name) for u in tree.subtree(unit_id) if u in by_unit)
            for name in COUNTS}}
        for unit_id in tree.units
    ]
    if unit_rows:
        db.session.execute(insert(IndicatorSnapshot), unit_rows)


def compute(period: Period, now: datetime | None = None, if_missing: bool = False,
            if_marked: bool = False) -> IndicatorSnapshot:
    """Recompute and store the period's snapshot, unless it is final (or, with `if_missing`,
    unless another request stored one while this one waited for the lock; with `if_marked`,
    unless another request recomputed it meanwhile); returns its city row."""
    started = now or utcnow()
    _lock()
    city = city_snapshot(period.id)
    if city is not None and (city.final or if_missing
                             or (if_marked and not is_marked(period.id))):
        db.session.rollback()  # a final snapshot never changes; read afresh, as it is now
        return city_snapshot(period.id)
    write_snapshot(period, started)
    db.session.commit()
    return city_snapshot(period.id)


def city_snapshot(period_id: str) -> IndicatorSnapshot | None:
    return db.session.scalar(select(IndicatorSnapshot).where(
        IndicatorSnapshot.period == period_id, IndicatorSnapshot.org_unit_id.is_(None)))


def unit_snapshot(period_id: str, unit_id: int) -> IndicatorSnapshot | None:
    return db.session.scalar(select(IndicatorSnapshot).where(
        IndicatorSnapshot.period == period_id, IndicatorSnapshot.org_unit_id == unit_id))


def ensure_snapshot(period: Period, unit_key: int | None = None,
                    refresh_marked: bool = True) -> IndicatorSnapshot:
    """The period's city row, computing the snapshot when missing (or when a unit valid in
    the period is not in it yet, e.g. created since; or, with `refresh_marked`, when an
    org-unit import marked it stale)."""
    city = city_snapshot(period.id)
    if city is None:
        return compute(period, if_missing=True)
    if city.final:
        return city
    if refresh_marked and is_marked(period.id):  # an org-unit import changed the tree since
        return compute(period, if_marked=True)
    if (unit_key is not None and unit_snapshot(period.id, unit_key) is None
            and unit_key in load_tree(period).units):
        return compute(period)
    return city


def finalize(period: Period, now: datetime | None = None) -> IndicatorSnapshot:
    """Recompute the period one last time and mark it final (city and every unit), in one
    transaction: nothing decided meanwhile can slip between the figures and the seal. A year
    seals its December year to date too (YYYY-YTD12, the same days): the trend's last
    "year to date" must stay the year's final figure, not go on moving."""
    started = now or utcnow()
    if period.start > local_today(started):  # nothing in it yet: sealing it would freeze zeros
        raise ApiError(409, "period_not_started",
                       f"The period {period.id} has not started yet; there is nothing to settle.")
    _lock()
    city = city_snapshot(period.id)
    if city is not None and city.final:
        db.session.rollback()
        raise ApiError(409, "already_final", f"The period {period.id} is already final.")
    sealed = [period]
    if period.kind == "year":
        december = year_to_month(period.year, 12)
        december_city = city_snapshot(december.id)
        if december_city is None or not december_city.final:
            sealed.append(december)
    for each in sealed:
        write_snapshot(each, started)
        db.session.execute(
            update(IndicatorSnapshot).where(IndicatorSnapshot.period == each.id)
            .values(final=True))
    city = city_snapshot(period.id)
    record("indicator.finalize", ("period", period.id, period.id), {
        "markets_total": city.markets_total, "compliant": city.compliant,
        "non_compliant": city.non_compliant, "not_assessed": city.not_assessed,
        "pending_review": city.pending_review, "target": city.target,
    })
    db.session.commit()
    return city_snapshot(period.id)


# ------------------------------------------------------------------ stale marks and jobs

def mark_stale(period_ids) -> None:
    """Mark provisional periods for a full recompute, in the writer's transaction and under
    the snapshot lock it holds (live.on_changes): an org-unit import changed the tree their
    rows hang on (a new unit, a parent, validity dates), which item deltas cannot follow."""
    ids = sorted(period_ids)
    if not ids:
        return
    db.session.execute(delete(IndicatorDirtyPeriod).where(IndicatorDirtyPeriod.period.in_(ids)))
    db.session.execute(insert(IndicatorDirtyPeriod),
                       [{"period": period_id, "marked_at": utcnow()} for period_id in ids])


def _clear_mark(period_id: str) -> None:
    """Marks are written under the snapshot lock (mark_stale), which a computation holds: every
    mark it can see was made before it read the tree."""
    db.session.execute(delete(IndicatorDirtyPeriod).where(IndicatorDirtyPeriod.period == period_id))


def is_marked(period_id: str) -> bool:
    return db.session.get(IndicatorDirtyPeriod, period_id) is not None


def recompute_dirty(now: datetime | None = None) -> list[str]:
    """Recompute every period marked stale that has a provisional snapshot; returns their ids.
    A period never computed is left to be computed on demand (its mark is dropped)."""
    marked = list(db.session.scalars(select(IndicatorDirtyPeriod.period)))
    db.session.rollback()
    done = []
    for period_id in marked:
        period = parse_period(period_id)
        city = city_snapshot(period_id)
        provisional = city is not None and not city.final
        db.session.rollback()
        if provisional:
            compute(period, now, if_marked=True)  # unless a reader recomputed it meanwhile
            done.append(period_id)
        else:
            begin_write()
            db.session.execute(
                delete(IndicatorDirtyPeriod).where(IndicatorDirtyPeriod.period == period_id)
            )
            db.session.commit()
    if done:
        log.info("recomputed indicator snapshots: %s", ", ".join(done))
    return done


def recompute_nightly(now: datetime | None = None) -> list[str]:
    """Recompute the current (local) year, quarter, month and year to date, for the city and
    every unit."""
    today = local_today(now)
    done = []
    # The year, quarter, month and year to date (the later months' years to date are computed
    # when the trend asks for them, and kept fresh by the decisions' stale marks).
    for period_id in periods_containing(datetime(today.year, today.month, today.day, 12))[:4]:
        if not compute(parse_period(period_id), now).final:
            done.append(period_id)
    log.info("nightly indicator snapshots: %s", ", ".join(done) or "all final")
    return done
