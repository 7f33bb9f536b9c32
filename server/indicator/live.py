"""The live indicator: every transaction that writes visit or market change rows brings the
provisional snapshots it affects up to date before it commits (DESIGN §7; issue #15); one that
changes org units marks them for a full recompute (snapshots.mark_stale).

`on_changes(rows)` runs in `insert_changes` (server/sync/changes.py), just before the change-log
rows are written, so it sees every writer's visits and markets (push, admin, importer, moves)
without any of them calling the indicator. Set-wise, whatever the push's size:
  1. which (period, market) pairs changed: each visit's market and the periods holding its
     observed_at (after an edit, also where its earlier versions were: the edit may have
     moved a waiting visit), and every provisional period for a changed market;
  2. one query recomputes those pairs' items (one UNION ALL branch per period), one reads the
     items they replace;
  3. the differences are written (deletes, updates, inserts as executemany), and the counts of
     the city row and of each unit row up the market's unit's ancestors move by deltas in one
     executemany UPDATE.
Final snapshots are never touched. The result equals a full recompute (`compute`), which
stays for the nightly run and for finalising (tests/indicator/test_live.py proves it on random
sequences).

Locks: the hook runs under CHANGE_SEQUENCE_LOCK (taken by insert_changes) and takes
SNAPSHOT_LOCK once any snapshot exists (snapshots are never all deleted, so that test cannot
flip back); `compute` and `finalize` take SNAPSHOT_LOCK, preceded by CHANGE_SEQUENCE_LOCK only
for the very first snapshot (snapshots._lock). So two pushes touching the same periods queue
instead of deadlocking on the snapshot rows, and a recompute never runs between a push's look
at the snapshots and its commit (it would miss the push's rows, and the push its snapshot).
"""

from collections import defaultdict
from datetime import UTC, datetime
from functools import lru_cache

from sqlalchemy import (
    Date,
    DateTime,
    Integer,
    and_,
    bindparam,
    delete,
    exists,
    func,
    insert,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.orm import aliased

from server.core.extensions import db
from server.core.locks import SNAPSHOT_LOCK, transaction_lock
from server.core.periods import Period, parse_period, periods_containing
from server.core.timeutil import utcnow
from server.indicator.snapshots import mark_stale, write_snapshot
from server.markets.assignments import unit_on
from server.models import (
    IndicatorSnapshot,
    IndicatorSnapshotItem,
    Market,
    ReviewDecision,
    Visit,
    VisitVersion,
)

COUNTS = ("markets_total", "compliant", "non_compliant", "not_assessed", "pending_review")
ITEM_FIELDS = ("org_unit_id", "status", "pending_review", "visit_id", "observed_at",
               "inspector_id", "reviewer_id", "decided_at")
# Past this many pairs (a bulk import, a demo seed) a full recompute of the periods is cheaper
# than thousands of item probes.
MAX_PAIRS = 20_000
MAX_ROWS = 5_000


def on_changes(rows: list[dict]) -> None:
    """Subscribed to sync's CHANGE_ROWS (server/__init__.py)."""
    visit_ids = {str(r["entity_id"]) for r in rows if r["entity"] == "visit"}
    market_ids = {int(r["entity_id"]) for r in rows if r["entity"] == "market"}
    units_changed = any(r["entity"] == "org_unit" for r in rows)
    if not visit_ids and not market_ids and not units_changed:
        return
    # Looked at every time (not remembered per process): a database with no snapshot yet
    # must not take the snapshot lock, which would queue every writer behind the others.
    if db.session.scalar(select(IndicatorSnapshot.__table__.c.id).limit(1)) is None:
        return  # nothing computed yet: computed on demand, from the data as it is then
    transaction_lock(SNAPSHOT_LOCK)
    snapshots = provisional_snapshots()
    if not snapshots:
        return
    if units_changed:  # recomputed whole, by the next reader or the minute job
        mark_stale(snapshots)
    if len(visit_ids) + len(market_ids) > MAX_ROWS:  # a seed: not even the ids fit a query
        return _rewrite(snapshots)
    pairs = affected_pairs(snapshots, visit_ids, market_ids)
    if sum(len(markets) for markets in pairs.values()) > MAX_PAIRS:
        return _rewrite(pairs)
    if pairs:
        apply(snapshots, pairs)


def _rewrite(period_ids) -> None:
    """Recompute these provisional periods whole, in the writer's transaction."""
    now = utcnow()
    for period_id in sorted(period_ids):
        write_snapshot(parse_period(period_id), now)


def provisional_snapshots() -> dict[str, int]:
    """{period id: its city row's id} for every provisional period (items hang on it)."""
    snap = IndicatorSnapshot
    return dict(db.session.execute(
        select(snap.period, snap.id).where(snap.org_unit_id.is_(None), snap.final.is_(False))
    ).all())


def affected_pairs(snapshots: dict[str, int], visit_ids: set[str],
                   market_ids: set[int]) -> dict[str, set[int]]:
    """{period id: market ids} whose items may differ now."""
    pairs: dict[str, set[int]] = defaultdict(set)

    def add(market_id: int, observed_at: datetime) -> None:
        for period_id in periods_containing(observed_at):
            if period_id in snapshots:
                pairs[period_id].add(market_id)

    resubmitted = []
    if visit_ids:
        for visit_id, market_id, observed_at, status, rev in db.session.execute(
            select(Visit.id, Visit.market_id, Visit.observed_at, Visit.status, Visit.rev)
            .where(Visit.id.in_(sorted(visit_ids)))
        ):
            add(market_id, observed_at)
            if status == "submitted" and rev > 1:  # edited (or reopened)
                resubmitted.append(visit_id)
    if resubmitted and not _earlier_places(resubmitted, add):
        # An edit may have moved a waiting visit to another market or day, where a
        # pending_review flag may have to go; without its versions (a visit seeded, not
        # pushed), look for every flag that lost its reason.
        period_of = {snapshot_id: period_id for period_id, snapshot_id in snapshots.items()}
        statement, params = stale_pending(snapshots)
        for snapshot_id, market_id in db.session.execute(statement, params):
            pairs[period_of[snapshot_id]].add(market_id)
    if market_ids:
        for period_id in snapshots:
            pairs[period_id].update(market_ids)
    return pairs


def _earlier_places(visit_ids: list[str], add) -> bool:
    """`add` every market and observation time the visits had in their earlier versions (an
    edit may have moved a waiting visit); False when a visit's history is incomplete (no
    version 1: seeded, or recorded before versions were kept)."""
    complete = set()
    for visit_id, rev, data in db.session.execute(
        select(VisitVersion.visit_id, VisitVersion.rev, VisitVersion.data)
        .where(VisitVersion.visit_id.in_(visit_ids))
    ):
        add(int(data["market_id"]), _utc(data["observed_at"]))
        if rev == 1:
            complete.add(visit_id)
    return complete >= set(visit_ids)


def _utc(iso: str) -> datetime:
    """A version's observed_at (ISO 8601 with the phone's offset) as naive UTC, as stored."""
    value = datetime.fromisoformat(iso)
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


# The statements take every value as a bound parameter, one set per period (branch i), and
# are built once per number of periods: building and compiling a 29-branch UNION costs more
# than running it, so each shape is made once and SQLAlchemy's compiled cache does the rest.

def _bounds(i: int) -> dict:
    return {"from": bindparam(f"from_{i}", type_=DateTime()),
            "to": bindparam(f"to_{i}", type_=DateTime()),
            "start": bindparam(f"start_{i}", type_=Date()),
            "end": bindparam(f"end_{i}", type_=Date()),
            "ref": bindparam(f"ref_{i}", type_=Date()),
            "sid": bindparam(f"sid_{i}", type_=Integer()),
            "markets": bindparam(f"markets_{i}", expanding=True)}


def _params(i: int, period: Period, snapshot_id: int, markets=()) -> dict:
    return {f"from_{i}": period.utc_start, f"to_{i}": period.utc_end,
            f"start_{i}": period.start, f"end_{i}": period.end,
            f"ref_{i}": period.reference_day(), f"sid_{i}": snapshot_id,
            f"markets_{i}": sorted(markets)}


def _union(branches: list):
    return union_all(*branches) if len(branches) > 1 else branches[0]


def stale_pending(snapshots: dict[str, int]):
    """(snapshot id, market) of every provisional item flagged pending_review whose market has
    no submitted visit in the period any more: one UNION ALL branch per period."""
    params = {}
    for i, period_id in enumerate(sorted(snapshots)):
        params.update(_params(i, parse_period(period_id), snapshots[period_id]))
    return _stale_statement(len(snapshots)), params


@lru_cache(maxsize=32)
def _stale_statement(count: int):
    item = IndicatorSnapshotItem
    branches = []
    for i in range(count):
        b = _bounds(i)
        waiting = exists().where(
            Visit.market_id == item.market_id, Visit.status == "submitted",
            Visit.observed_at >= b["from"], Visit.observed_at < b["to"])
        branches.append(select(item.snapshot_id, item.market_id).where(
            item.snapshot_id == b["sid"], item.pending_review.is_(True), ~waiting))
    return _union(branches)


def fresh_items(snapshots: dict[str, int], pairs: dict[str, set[int]]):
    """One statement: each pair's item as a full recompute would write it (no row: the market
    is outside the period's universe). The same rules as reconcile.py, for a few markets."""
    params = {}
    for i, period_id in enumerate(sorted(pairs)):
        params.update(_params(i, parse_period(period_id), snapshots[period_id], pairs[period_id]))
    return _fresh_statement(len(pairs)), params


@lru_cache(maxsize=64)
def _fresh_statement(count: int):
    return _union([_branch(_bounds(i)) for i in range(count)])


def _branch(b: dict):
    # The evidence, ranked as reconcile.evidence_select ranks it, narrowed the same way: per
    # market one backward probe for its latest approved in-period observation; only the
    # visits observed at that instant are candidates (ties: the later decision, then the
    # higher visit id), each with its latest decision (two probes of the decisions' index).
    probe = aliased(Visit)
    latest_at = (
        select(func.max(probe.observed_at))
        .where(probe.market_id == Market.id, probe.status == "approved",
               probe.observed_at >= b["from"], probe.observed_at < b["to"])
        .correlate(Market).scalar_subquery()
    )
    latest = (select(Market.id.label("market_id"), latest_at.label("observed_at"))
              .where(Market.id.in_(b["markets"])).subquery())

    def last_decision(column):
        return (select(column).where(ReviewDecision.visit_id == Visit.id)
                .order_by(ReviewDecision.id.desc()).limit(1).correlate(Visit).scalar_subquery())

    candidates = (
        select(Visit.market_id, Visit.id.label("visit_id"), Visit.compliant, Visit.observed_at,
               Visit.inspector_id, last_decision(ReviewDecision.reviewer_id).label("reviewer_id"),
               last_decision(ReviewDecision.decided_at).label("decided_at"))
        .join(latest, and_(latest.c.market_id == Visit.market_id,
                           latest.c.observed_at == Visit.observed_at))
        .where(Visit.status == "approved")
        .subquery()
    )
    ranked = select(
        candidates,
        func.row_number().over(
            partition_by=candidates.c.market_id,
            order_by=(candidates.c.decided_at.desc(), candidates.c.visit_id.desc()),
        ).label("rank"),
    ).subquery()
    evidence = select(ranked).where(ranked.c.rank == 1).subquery()
    waiting = aliased(Visit)
    pending = exists().where(
        waiting.market_id == Market.id, waiting.status == "submitted",
        waiting.observed_at >= b["from"], waiting.observed_at < b["to"],
    )
    # The universe (reconcile.open_in) with the period's days as parameters.
    open_then = and_(or_(Market.opened_on.is_(None), Market.opened_on <= b["end"]),
                     or_(Market.closed_on.is_(None), Market.closed_on >= b["start"]))
    return (
        select(
            b["sid"].label("snapshot_id"), Market.id.label("market_id"),
            unit_on(b["ref"]).label("org_unit_id"),
            evidence.c.visit_id, evidence.c.compliant, evidence.c.observed_at,
            evidence.c.inspector_id, evidence.c.reviewer_id, evidence.c.decided_at,
            pending.label("waiting"),
        )
        .select_from(Market)
        .outerjoin(evidence, evidence.c.market_id == Market.id)
        .where(Market.id.in_(b["markets"]), open_then)
    )


def _item(row) -> dict:
    if row.visit_id is None:
        status, pending = "not_assessed", bool(row.waiting)
    else:
        status, pending = ("compliant" if row.compliant else "non_compliant"), False
    return {"org_unit_id": row.org_unit_id, "status": status, "pending_review": pending,
            "visit_id": row.visit_id, "observed_at": row.observed_at,
            "inspector_id": row.inspector_id if row.visit_id else None,
            "reviewer_id": row.reviewer_id, "decided_at": row.decided_at}


def _counts(item: dict) -> dict:
    return {"markets_total": 1, item["status"]: 1,
            "pending_review": 1 if item["pending_review"] else 0}


def apply(snapshots: dict[str, int], pairs: dict[str, set[int]]) -> None:
    statement, params = fresh_items(snapshots, pairs)
    new = {(row.snapshot_id, row.market_id): _item(row)
           for row in db.session.execute(statement, params)}
    item = IndicatorSnapshotItem
    wanted = {(snapshots[p], m) for p, markets in pairs.items() for m in markets}
    snapshot_ids = sorted({s for s, _ in wanted})
    market_ids = sorted({m for _, m in wanted})
    old = {}
    for row in db.session.execute(
        select(item.snapshot_id, item.market_id, *(getattr(item, f) for f in ITEM_FIELDS))
        .where(item.snapshot_id.in_(snapshot_ids), item.market_id.in_(market_ids))
    ):
        key = (row.snapshot_id, row.market_id)
        if key in wanted:
            old[key] = {f: getattr(row, f) for f in ITEM_FIELDS}
    deltas: dict[tuple[int, int | None], dict[str, int]] = defaultdict(
        lambda: dict.fromkeys(COUNTS, 0))
    gone, changed, added = [], [], []
    for key in sorted(wanted):
        before, after = old.get(key), new.get(key)
        if before == after:
            continue
        if before is not None:
            for name, n in _counts(before).items():
                deltas[(key[0], before["org_unit_id"])][name] -= n
        if after is not None:
            for name, n in _counts(after).items():
                deltas[(key[0], after["org_unit_id"])][name] += n
        ids = {"s_id": key[0], "m_id": key[1]}
        if after is None:
            gone.append(ids)
        elif before is None:
            added.append({"snapshot_id": key[0], "market_id": key[1], **after})
        else:
            changed.append({**ids, **after})
    table = item.__table__  # Core statements: executemany, no ORM bookkeeping
    where = and_(table.c.snapshot_id == bindparam("s_id"), table.c.market_id == bindparam("m_id"))
    if gone:
        db.session.execute(delete(table).where(where), gone)
    if changed:
        db.session.execute(
            update(table).where(where).values({f: bindparam(f) for f in ITEM_FIELDS}), changed)
    if added:
        db.session.execute(insert(table), added)
    if deltas:
        _move_counts(snapshots, deltas)


def _move_counts(snapshots: dict[str, int],
                 deltas: dict[tuple[int, int | None], dict[str, int]]) -> None:
    """Add each unit's delta to its row, its ancestors' rows (as the period's tree stood: the
    rows' parent_unit_id) and the city row; one executemany UPDATE, rows in id order."""
    period_of = {snapshot_id: period_id for period_id, snapshot_id in snapshots.items()}
    periods = sorted({period_of[s] for s, _ in deltas})
    snap = IndicatorSnapshot
    parent: dict[tuple[str, int], int | None] = {}
    row_id: dict[tuple[str, int], int] = {}
    # Up the tree level by level (a ward, its district): a few dozen rows, not every unit's.
    level, asked = {unit for _, unit in deltas if unit is not None}, set()
    while level:
        asked |= level
        for r in db.session.execute(
            select(snap.id, snap.period, snap.org_unit_id, snap.parent_unit_id)
            .where(snap.period.in_(periods), snap.org_unit_id.in_(sorted(level)))
        ):
            parent[(r.period, r.org_unit_id)] = r.parent_unit_id
            row_id[(r.period, r.org_unit_id)] = r.id
        level = {p for p in parent.values() if p is not None} - asked
    total: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTS, 0))
    for (snapshot_id, unit_id), delta in deltas.items():
        period_id = period_of[snapshot_id]
        targets = [snapshot_id]  # the city counts every item, whatever its unit
        unit = unit_id
        while unit is not None and (period_id, unit) in row_id:
            targets.append(row_id[(period_id, unit)])
            unit = parent[(period_id, unit)]
        for target in targets:
            for name, n in delta.items():
                total[target][name] += n
    now = utcnow()
    params = [{"row_id": rid, "now": now, **{f"d_{n}": v for n, v in counts.items()}}
              for rid, counts in sorted(total.items())]
    table = snap.__table__
    db.session.execute(
        update(table).where(table.c.id == bindparam("row_id")).values(
            computed_at=bindparam("now"),
            **{name: table.c[name] + bindparam(f"d_{name}") for name in COUNTS}),
        params)

