"""The daily job `markets.apply_moves`: moves dated in the future take effect on their day.

A move recorded ahead of time (server/markets/assignments.py) leaves Market.org_unit_id, which
scope and pull follow, on the old unit; shortly after midnight (Hanoi time) on the move's day
this job sets it to the unit in force today, with the change-log rows of any move (the market
and its visits reach the new unit's phones as upserts and leave the old unit's as deletes)."""

from datetime import date

from sqlalchemy import select

from server.core.extensions import begin_write, db
from server.core.periods import local_today
from server.markets.assignments import due_moves
from server.markets.importer import moved_visit_changes
from server.models import Market
from server.sync.changes import market_change, record_changes


def apply_due_moves(today: date | None = None) -> str:
    today = today or local_today()
    begin_write()
    due = due_moves(today)
    if not due:
        db.session.rollback()
        return "no move due"
    markets = db.session.scalars(select(Market).where(Market.id.in_(due))).all()
    previous = {}
    for market in markets:
        previous[market.id] = market.org_unit_id
        market.org_unit_id = due[market.id]
        market.rev += 1
    db.session.flush()
    changes = [market_change(m.id, m.rev, m.org_unit_id, previous[m.id]) for m in markets]
    changes += moved_visit_changes(previous)
    record_changes(changes)
    db.session.commit()
    return f"{len(markets)} market(s) moved"
