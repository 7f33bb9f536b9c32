"""The change log that pull reads: one constructor per entity, and the at-commit hook.

Gap-free on PostgreSQL: sequence numbers are handed out under a transaction-scoped advisory
lock taken just before the insert, so they are assigned in commit order and a reader never sees
seq n+1 committed while seq n is still in flight. SQLite has one writer at a time already.
Call `record_changes` as the last statement before commit, to keep the lock short.

A push applies up to 500 mutations in one transaction: inside `changes_at_commit()` the rows
are only queued, and the caller writes them all with `write_queued_changes()` just before its
commit, so the lock is taken once, for the last instant of the push, not for all of it.

Other packages learn what a transaction changed from its change-log rows: whoever subscribed
to CHANGE_ROWS at app composition (the live indicator) gets them inside the writer's
transaction, just before they are written. Writers so never import their readers.
"""

from collections.abc import Callable
from contextlib import contextmanager

from sqlalchemy import select

from server.core.extensions import db
from server.core.locks import CHANGE_SEQUENCE_LOCK, transaction_lock
from server.core.timeutil import utcnow
from server.models import ChangeLog, SyncMeta
from server.sync.bulk import insert_rows

_QUEUE = "queued_changes"  # key in db.session.info
_CHANGE_LOG = ChangeLog.__table__
# The change-log rows themselves, just before they are written, under the sequence lock (so a
# subscriber's locks always come after it): the live indicator's hook.
CHANGE_ROWS = "change.rows"
_subscribers: dict[str, list[Callable]] = {}


# ------------------------------------------------------------------ one constructor per entity

def org_unit_change(unit_id: int) -> dict:
    """Org units go to everyone (DESIGN §5.2): no scope columns."""
    return {"entity": "org_unit", "entity_id": unit_id, "op": "upsert"}


def market_change(market_id: int, rev: int, org_unit_id: int,
                  previous_unit_id: int | None = None) -> dict:
    """A market in its unit (and the unit it left, so pull sends that one a delete)."""
    return {
        "entity": "market", "entity_id": market_id, "op": "upsert", "rev": rev,
        "org_unit_id": org_unit_id,
        "prev_org_unit_id": previous_unit_id if previous_unit_id != org_unit_id else None,
    }


def visit_change(visit_id: str, rev: int, inspector_id: int, org_unit_id: int,
                 previous_unit_id: int | None = None) -> dict:
    """A visit in the unit of its market; `previous_unit_id` when it moved out of a unit (its
    market moved, or it was edited onto a market elsewhere), so pull sends that unit a delete.
    """
    return {
        "entity": "visit", "entity_id": visit_id, "op": "upsert", "rev": rev,
        "org_unit_id": org_unit_id, "owner_id": inspector_id,
        "prev_org_unit_id": previous_unit_id if previous_unit_id != org_unit_id else None,
    }


# ------------------------------------------------------------------ writing

@contextmanager
def changes_at_commit():
    """Within this block `record_changes` only queues (the change queue is yielded: a caller
    that rolls back to a savepoint truncates it to what it held then)."""
    queue: list[dict] = []
    db.session.info[_QUEUE] = queue
    try:
        yield queue
    finally:
        db.session.info.pop(_QUEUE, None)


def write_queued_changes() -> None:
    """Just before the commit: the change-log rows, under the sequence lock."""
    queue = db.session.info[_QUEUE]
    rows, queue[:] = list(queue), []
    insert_changes(rows)


def record_changes(rows: list[dict]) -> None:
    """Rows made by the constructors above."""
    queue = db.session.info.get(_QUEUE)
    if queue is not None:
        queue.extend(rows)
        return
    insert_changes(rows)


def insert_changes(rows: list[dict]) -> None:
    """Write change-log rows now, taking the sequence lock (held until commit)."""
    if not rows:
        return
    transaction_lock(CHANGE_SEQUENCE_LOCK)
    _dispatch(CHANGE_ROWS, rows)
    now = utcnow()
    # One statement for all rows (COPY / the driver's executemany): through the ORM's insert
    # each row cost as much again. Pending ORM objects go first, as an ORM insert would.
    db.session.flush()
    insert_rows(_CHANGE_LOG, [
        {
            "entity": row["entity"],
            "entity_id": str(row["entity_id"]),
            "op": row["op"],
            "rev": row.get("rev", 1),
            "org_unit_id": row.get("org_unit_id"),
            "prev_org_unit_id": row.get("prev_org_unit_id"),
            "owner_id": row.get("owner_id"),
            "changed_at": row.get("changed_at", now),
        }
        for row in rows
    ])


# ------------------------------------------------------------------ the hook

def subscribe(topic: str, handler: Callable[[list], None]) -> None:
    """At app composition: `handler(values)` runs inside the writer's transaction with what
    is announced for `topic` (CHANGE_ROWS: the rows, under the sequence lock)."""
    handlers = _subscribers.setdefault(topic, [])
    if handler not in handlers:
        handlers.append(handler)


def _dispatch(topic: str, values) -> None:
    for handler in _subscribers.get(topic, ()):
        handler(list(values))


# ------------------------------------------------------------------ the org tree's version

ORG_TREE_VERSION = "org_tree_version"


def org_tree_version() -> int:
    return db.session.scalar(
        select(SyncMeta.value).where(SyncMeta.key == ORG_TREE_VERSION)
    ) or 0


def bump_org_tree_version() -> None:
    """A unit moved under another parent: every scope below it may have changed, so every
    scoped pull cursor is expired (410) and phones pull their visible set afresh."""
    row = db.session.get(SyncMeta, ORG_TREE_VERSION, with_for_update=True)
    if row is None:
        db.session.add(SyncMeta(key=ORG_TREE_VERSION, value=1))
    else:
        row.value += 1
