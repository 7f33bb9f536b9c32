"""Markets not visited for N days ("Cần kiểm tra"), computed set-based by a job and stored in
market_overdue, so GET /markets/overdue, the dashboard and phones read it with one join.

"Visited" means any visit observed at the market except a rejected one (a rejected visit was
judged not to be a real inspection, so the market is still due). Markets closed on or before
today (local date), or not opened yet, are never due.
"""

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, insert, or_, select

from server.auth.scope import market_clause
from server.core.extensions import begin_write, db
from server.core.settings import setting
from server.core.timeutil import HANOI_OFFSET, iso_z, utcnow
from server.models import Market, MarketOverdue, Visit
from server.sync.meta import get_meta, set_meta

COMPUTED_AT_KEY = "markets_overdue_computed_at"  # unix seconds: sync_meta holds integers
DAYS_KEY = "markets_overdue_days"


def overdue_query(now: datetime, days: int):
    """(market_id, last_visit_at) of every open market with no visit since now - days."""
    today = (now + HANOI_OFFSET).date()
    last_visit = func.max(Visit.observed_at)
    return (
        select(Market.id, last_visit)
        .select_from(Market)
        .outerjoin(Visit, (Visit.market_id == Market.id) & (Visit.status != "rejected"))
        .where(
            or_(Market.closed_on.is_(None), Market.closed_on > today),
            or_(Market.opened_on.is_(None), Market.opened_on <= today),
        )
        .group_by(Market.id)
        .having(or_(last_visit.is_(None), last_visit < now - timedelta(days=days)))
    )


def refresh_overdue_markets(now: datetime | None = None) -> dict:
    """Job: replace the stored set in one transaction (readers see the old or the new set)."""
    now = now or utcnow()
    days = setting("OVERDUE_DAYS")
    begin_write()
    db.session.execute(delete(MarketOverdue))
    db.session.execute(
        insert(MarketOverdue).from_select(["market_id", "last_visit_at"], overdue_query(now, days))
    )
    count = db.session.scalar(select(func.count()).select_from(MarketOverdue))
    never = db.session.scalar(
        select(func.count()).select_from(MarketOverdue)
        .where(MarketOverdue.last_visit_at.is_(None)))
    set_meta(COMPUTED_AT_KEY, int(now.replace(tzinfo=UTC).timestamp()))
    set_meta(DAYS_KEY, days)
    db.session.commit()
    return {"days": days, "overdue_markets": count, "never_visited": never}


def overdue_for(user) -> dict:
    """The stored set, limited to the markets the user may see; longest unvisited first."""
    computed = get_meta(COMPUTED_AT_KEY)
    rows = db.session.execute(
        select(Market, MarketOverdue.last_visit_at)
        .join(MarketOverdue, MarketOverdue.market_id == Market.id)
        .where(market_clause(user))
        .order_by(MarketOverdue.last_visit_at.asc().nulls_first(), Market.code)
    )
    return {
        "computed_at": iso_z(datetime.fromtimestamp(computed, UTC)) if computed else None,
        "days": get_meta(DAYS_KEY) or setting("OVERDUE_DAYS"),
        "markets": [
            {"id": market.id, "code": market.code, "name": market.name,
             "org_unit_id": market.org_unit_id, "last_visit_at": iso_z(last_visit_at)}
            for market, last_visit_at in rows
        ],
    }
