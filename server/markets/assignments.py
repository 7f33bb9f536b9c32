"""A market's org unit over time (table market_assignment; docs/INDICATOR.md).

A move closes the current assignment (valid_to = the move's day - 1) and opens a new one; no
move ever deletes an assignment in force now or in the past, so a past period is still broken
down by the units its markets had then. Market.org_unit_id is the assignment in force today
(Hanoi time), which scope and pull follow: a move dated in the future only changes it when its
day comes (`apply_due_moves`, a daily job); a move dated today or earlier changes it at once.
"""

from datetime import date, timedelta

from sqlalchemy import delete, func, or_, select

from server.core.extensions import db
from server.core.periods import local_today
from server.models import Market, MarketAssignment, OrgUnit


class MoveError(ValueError):
    """A move that cannot be recorded (e.g. dated before the assignment in force began)."""


def in_force_on(day: date):
    """Condition: the assignment (MarketAssignment) covers `day`."""
    return and_in_force(MarketAssignment, day)


def and_in_force(model, day: date):
    return (or_(model.valid_from.is_(None), model.valid_from <= day)
            & or_(model.valid_to.is_(None), model.valid_to >= day))


def unit_on(day: date):
    """A correlated scalar subquery: the unit of the outer query's Market on `day` (the latest
    assignment starting on or before it; one probe of ix_market_assignment_market_from), or
    Market.org_unit_id for a market with no assignment covering that day."""
    assigned = (
        select(MarketAssignment.org_unit_id)
        .where(MarketAssignment.market_id == Market.id,
               or_(MarketAssignment.valid_from.is_(None), MarketAssignment.valid_from <= day))
        .order_by(MarketAssignment.valid_from.desc().nulls_last())
        .limit(1).correlate(Market).scalar_subquery()
    )
    return func.coalesce(assigned, Market.org_unit_id)


def history(market_id: int) -> list[MarketAssignment]:
    rows = db.session.scalars(
        select(MarketAssignment).where(MarketAssignment.market_id == market_id))
    return sorted(rows, key=lambda a: (a.valid_from or date.min, a.id))


def default_from(market_id: int | None, unit_id: int, today: date | None = None) -> date:
    """When a move takes effect unless told: the new unit's valid_from when that is later than
    the current assignment's start, else today (Hanoi time)."""
    today = today or local_today()
    unit_from = db.session.scalar(select(OrgUnit.valid_from).where(OrgUnit.id == unit_id))
    current = history(market_id)[-1:] if market_id else []
    start = current[0].valid_from if current else None
    if unit_from is not None and (start is None or unit_from > start):
        return unit_from
    return today


def assign(market: Market, unit_id: int, effective: date | None = None,
           today: date | None = None) -> bool:
    """Record that `market` (flushed, with an id) belongs to `unit_id` from `effective`.

    A new market gets one assignment since always. Re-assigning the unit of the latest
    assignment changes nothing. Returns True when the unit in force today changed (then
    market.org_unit_id is set; the caller bumps rev and writes the change-log rows)."""
    today = today or local_today()
    rows = history(market.id)
    if not rows:  # a new market, or one stored before assignments: in its unit since always
        first = MarketAssignment(market_id=market.id, org_unit_id=market.org_unit_id or unit_id)
        db.session.add(first)
        market.org_unit_id = first.org_unit_id
        rows = [first]
    if rows[-1].org_unit_id == unit_id:
        return False
    effective = effective or default_from(market.id, unit_id, today)
    later = _given_way(rows, effective, today)
    if later:
        db.session.execute(delete(MarketAssignment).where(
            MarketAssignment.id.in_([a.id for a in later])))
        rows = [a for a in rows if a not in later]
        if rows[-1].org_unit_id == unit_id:  # back to the unit in force: the plan is undone
            rows[-1].valid_to = None
            return False
    rows[-1].valid_to = effective - timedelta(days=1)
    db.session.add(MarketAssignment(market_id=market.id, org_unit_id=unit_id,
                                    valid_from=effective))
    if effective <= today and market.org_unit_id != unit_id:
        market.org_unit_id = unit_id
        return True
    return False


def check_move(market: Market, unit_id: int, effective: date | None = None,
               today: date | None = None) -> None:
    """Raise the MoveError `assign` would raise, writing nothing (an import's dry run)."""
    today = today or local_today()
    rows = history(market.id)
    if rows and rows[-1].org_unit_id != unit_id:
        _given_way(rows, effective or default_from(market.id, unit_id, today), today)


def _given_way(rows: list[MarketAssignment], effective: date,
               today: date) -> list[MarketAssignment]:
    """The assignments a move from `effective` replaces: moves not yet in force starting on or
    after it give way to it; one already in force (or past) is history and is never
    rewritten (MoveError)."""
    later = [a for a in rows if a.valid_from is not None and a.valid_from >= effective]
    if any(a.valid_from <= today for a in later):
        since = max(a.valid_from for a in later)
        raise MoveError(f"the market has been in another unit since {since}; "
                        "a move must take effect after that")
    return later


def due_moves(today: date) -> dict[int, int]:
    """{market id: unit in force today} for markets whose org_unit_id lags their history."""
    rows = db.session.execute(
        select(Market.id, MarketAssignment.org_unit_id)
        .join(MarketAssignment, MarketAssignment.market_id == Market.id)
        .where(in_force_on(today), MarketAssignment.org_unit_id != Market.org_unit_id)
    )
    return {row.id: row.org_unit_id for row in rows}
