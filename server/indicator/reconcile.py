"""The reconciliation of DESIGN §7 as set-based SQL, identical on SQLite and PostgreSQL.

Three statements write every market's status for a period into a snapshot's items, and one
GROUP BY counts them per org unit. No Python loop ever runs over visits or markets.
The universe is the markets open at any time in the period (opened_on <= end, closed_on null
or >= start). Each market is counted in the unit of its assignment in force on the period's
reference day (its last day, or today for a period not yet over: docs/INDICATOR.md), a
correlated subquery probing ix_market_assignment_market_from once per market; its evidence is
any approved in-period visit, wherever the market belonged when observed.

1. evidence: for each market of the universe, the latest approved visit observed in the period
   (ties: the later decision, then the higher visit id, by ROW_NUMBER() among the candidates),
   inserted as compliant or non-compliant;
2. the rest of the universe, inserted as not assessed;
3. pending_review: no evidence, but a submitted in-period visit awaits review.

Separate statements on purpose: in one big LEFT JOIN, PostgreSQL misjudged the size of the
ranked set (estimated 1 row) and chose a nested loop over it (30 s at 1M visits).
"""

from sqlalchemy import and_, case, false, func, insert, literal, or_, select, true, update
from sqlalchemy.orm import aliased

from server.core.periods import Period
from server.markets.assignments import unit_on
from server.models import IndicatorSnapshotItem, Market, ReviewDecision, Visit


def observed_in(period: Period):
    return and_(Visit.observed_at >= period.utc_start, Visit.observed_at < period.utc_end)


def open_in(period: Period):
    return and_(
        or_(Market.opened_on.is_(None), Market.opened_on <= period.end),
        or_(Market.closed_on.is_(None), Market.closed_on >= period.start),
    )


def evidence_select(period: Period):
    """Per market with an approved in-period visit: that evidence (rank 1 only)."""
    # Narrow first: per market of the universe, the latest observation among its approved
    # in-period visits (one backward probe of ix_visit_status_market_observed each); only
    # the visits observed at that instant are candidates, so decisions are looked up for a
    # few thousand visits, not for every visit of the year.
    probe = aliased(Visit)
    latest_at = (
        select(func.max(probe.observed_at))
        .where(probe.market_id == Market.id, probe.status == "approved",
               probe.observed_at >= period.utc_start, probe.observed_at < period.utc_end)
        .correlate(Market).scalar_subquery()
    )
    latest = (
        select(Market.id.label("market_id"),
               unit_on(period.reference_day()).label("org_unit_id"),
               latest_at.label("observed_at"))
        .where(open_in(period)).subquery("latest")
    )
    # An approved visit's status comes from its latest decision (decisions are append-only, so
    # the highest id): that decision is the approval, with its reviewer and time.
    earlier = aliased(ReviewDecision)
    last_decision = (
        select(func.max(earlier.id)).where(earlier.visit_id == Visit.id)
        .correlate(Visit).scalar_subquery()
    )
    ranked = (
        select(
            Visit.id.label("visit_id"), Visit.market_id, latest.c.org_unit_id, Visit.compliant,
            Visit.observed_at, Visit.inspector_id, ReviewDecision.reviewer_id,
            ReviewDecision.decided_at,
            # Ties on the observation time: the later decision, then the higher visit id.
            func.row_number().over(
                partition_by=Visit.market_id,
                order_by=(ReviewDecision.decided_at.desc(), Visit.id.desc()),
            ).label("rank"),
        )
        .join(latest, and_(latest.c.market_id == Visit.market_id,
                           latest.c.observed_at == Visit.observed_at))
        .join(ReviewDecision, ReviewDecision.id == last_decision)
        .where(Visit.status == "approved")
        .subquery("ranked")
    )
    return select(ranked).where(ranked.c.rank == 1).subquery("evidence")


EVIDENCE_COLUMNS = ("snapshot_id", "market_id", "org_unit_id", "status", "pending_review",
                    "visit_id", "observed_at", "inspector_id", "reviewer_id", "decided_at")


def insert_evidence(snapshot_id: int, period: Period):
    """Markets with evidence, as compliant or non-compliant."""
    evidence = evidence_select(period)
    status = case((evidence.c.compliant == true(), literal("compliant")),
                  else_=literal("non_compliant"))
    source = select(
        literal(snapshot_id), evidence.c.market_id, evidence.c.org_unit_id, status, false(),
        evidence.c.visit_id, evidence.c.observed_at, evidence.c.inspector_id,
        evidence.c.reviewer_id, evidence.c.decided_at,
    )
    return insert(IndicatorSnapshotItem).from_select(EVIDENCE_COLUMNS, source)


def insert_not_assessed(snapshot_id: int, period: Period):
    """The rest of the universe: markets without evidence."""
    item = IndicatorSnapshotItem
    has_item = (select(item.market_id)
                .where(item.snapshot_id == snapshot_id, item.market_id == Market.id).exists())
    source = select(
        literal(snapshot_id), Market.id, unit_on(period.reference_day()),
        literal("not_assessed"), false()
    ).where(open_in(period), ~has_item)
    return insert(item).from_select(EVIDENCE_COLUMNS[:5], source)


def update_pending(snapshot_id: int, period: Period):
    waiting = select(Visit.market_id).where(observed_in(period), Visit.status == "submitted")
    item = IndicatorSnapshotItem
    return (
        update(item)
        .where(item.snapshot_id == snapshot_id, item.visit_id.is_(None),
               item.market_id.in_(waiting))
        .values(pending_review=true())
    )


def fill_items(session, snapshot_id: int, period: Period) -> None:
    for statement in (insert_evidence(snapshot_id, period),
                      insert_not_assessed(snapshot_id, period),
                      update_pending(snapshot_id, period)):
        session.execute(statement, execution_options={"synchronize_session": False})


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
