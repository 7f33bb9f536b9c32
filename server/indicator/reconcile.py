"""The reconciliation of DESIGN §7 as set-based SQL, identical on SQLite and PostgreSQL.

One INSERT … SELECT writes every market's status for a period into a snapshot's items; one
GROUP BY counts them per org unit. No Python loop ever runs over visits or markets.

- universe: markets open at any time in the period (opened_on <= end, closed_on null or >= start)
- evidence: the latest approved visit observed in the period (ties: the later decision, then the
  higher visit id), picked with ROW_NUMBER() over the market's approved in-period visits
- pending_review: no evidence, but a submitted in-period visit awaits review
"""

from sqlalchemy import and_, case, false, func, insert, literal, or_, select, true

from server.indicator.models import IndicatorSnapshotItem
from server.indicator.periods import Period
from server.markets.models import Market
from server.review.models import ReviewDecision
from server.sync.models import Visit

STATUSES = ("compliant", "non_compliant", "not_assessed")


def observed_in(period: Period):
    return and_(Visit.observed_at >= period.utc_start, Visit.observed_at < period.utc_end)


def open_in(period: Period):
    return and_(
        or_(Market.opened_on.is_(None), Market.opened_on <= period.end),
        or_(Market.closed_on.is_(None), Market.closed_on >= period.start),
    )


def market_status_select(period: Period):
    """One row per market of the universe: (market_id, org_unit_id, status, pending_review,
    visit_id, observed_at, inspector_id, reviewer_id, decided_at)."""
    # An approved visit's status comes from its latest decision (decisions are append-only,
    # so the highest id): that decision is the approval, with its reviewer and time.
    approval = (
        select(ReviewDecision.visit_id, func.max(ReviewDecision.id).label("decision_id"))
        .join(Visit, Visit.id == ReviewDecision.visit_id)
        .where(observed_in(period), Visit.status == "approved")
        .group_by(ReviewDecision.visit_id)
        .subquery("approval")
    )
    ranked = (
        select(
            Visit.id.label("visit_id"), Visit.market_id, Visit.compliant, Visit.observed_at,
            Visit.inspector_id, ReviewDecision.reviewer_id, ReviewDecision.decided_at,
            func.row_number().over(
                partition_by=Visit.market_id,
                order_by=(Visit.observed_at.desc(), ReviewDecision.decided_at.desc(),
                          Visit.id.desc()),
            ).label("rank"),
        )
        .join(approval, approval.c.visit_id == Visit.id)
        .join(ReviewDecision, ReviewDecision.id == approval.c.decision_id)
        .subquery("ranked")
    )
    waiting = (
        select(Visit.market_id).where(observed_in(period), Visit.status == "submitted")
        .distinct().subquery("waiting")
    )
    no_evidence = ranked.c.visit_id.is_(None)
    status = case(
        (no_evidence, literal("not_assessed")),
        (ranked.c.compliant == true(), literal("compliant")),
        else_=literal("non_compliant"),
    )
    pending = case((and_(no_evidence, waiting.c.market_id.is_not(None)), true()), else_=false())
    return (
        select(
            Market.id.label("market_id"), Market.org_unit_id, status.label("status"),
            pending.label("pending_review"), ranked.c.visit_id, ranked.c.observed_at,
            ranked.c.inspector_id, ranked.c.reviewer_id, ranked.c.decided_at,
        )
        .select_from(Market)
        .outerjoin(ranked, and_(ranked.c.market_id == Market.id, ranked.c.rank == 1))
        .outerjoin(waiting, waiting.c.market_id == Market.id)
        .where(open_in(period))
    )


ITEM_COLUMNS = ("market_id", "org_unit_id", "status", "pending_review", "visit_id",
                "observed_at", "inspector_id", "reviewer_id", "decided_at")


def insert_items(snapshot_id: int, period: Period):
    """The INSERT … SELECT that fills a snapshot's items for `period`."""
    rows = market_status_select(period).subquery("statuses")
    source = select(literal(snapshot_id).label("snapshot_id"),
                    *(rows.c[name] for name in ITEM_COLUMNS))
    return insert(IndicatorSnapshotItem).from_select(["snapshot_id", *ITEM_COLUMNS], source)


def counts_by_unit(snapshot_id: int):
    """Counts per market org unit among a snapshot's items."""
    item = IndicatorSnapshotItem

    def count_where(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    return (
        select(
            item.org_unit_id,
            func.count().label("markets_total"),
            count_where(item.status == "compliant").label("compliant"),
            count_where(item.status == "non_compliant").label("non_compliant"),
            count_where(item.status == "not_assessed").label("not_assessed"),
            count_where(item.pending_review == true()).label("pending_review"),
        )
        .where(item.snapshot_id == snapshot_id)
        .group_by(item.org_unit_id)
    )
