"""Writing the change log that pull reads.

Gap-free on PostgreSQL: sequence numbers are handed out under a transaction-scoped advisory
lock taken just before the insert, so they are assigned in commit order and a reader never sees
seq n+1 committed while seq n is still in flight. SQLite has one writer at a time already.
Call `record_changes` as the last statement before commit, to keep the lock short.

A push applies up to 500 mutations in one transaction: inside `changes_at_commit()` the rows
are only queued, and the caller writes them all with `write_queued_changes()` just before its
commit, so the lock is taken once, for the last instant of the push, not for all of it.
"""

from contextlib import contextmanager

from sqlalchemy import insert, select, text

from server.core.extensions import db
from server.core.timeutil import utcnow
from server.models import ChangeLog, SyncMeta

CHANGE_SEQUENCE_LOCK = 293_0404  # any constant unique to this app


_QUEUE = "queued_changes"  # key in db.session.info


@contextmanager
def changes_at_commit():
    """Within this block `record_changes` queues its rows (the queue is yielded: a caller that
    rolls back to a savepoint truncates it to what it held then)."""
    queue: list[dict] = []
    db.session.info[_QUEUE] = queue
    try:
        yield queue
    finally:
        db.session.info.pop(_QUEUE, None)


def write_queued_changes() -> None:
    queue = db.session.info[_QUEUE]
    rows, queue[:] = list(queue), []
    insert_changes(rows)


def record_changes(rows: list[dict]) -> None:
    """Each row: entity, entity_id, op, and optionally rev, org_unit_id, prev_org_unit_id,
    owner_id."""
    queue = db.session.info.get(_QUEUE)
    if queue is not None:
        queue.extend(rows)
        return
    insert_changes(rows)


def insert_changes(rows: list[dict]) -> None:
    """Write change-log rows now, taking the sequence lock (held until commit)."""
    if not rows:
        return
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(
            text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHANGE_SEQUENCE_LOCK}
        )
    now = utcnow()
    db.session.execute(
        insert(ChangeLog),
        [
            {
                "rev": 1,
                "org_unit_id": None,
                "prev_org_unit_id": None,
                "owner_id": None,
                "changed_at": now,
                **row,
                "entity_id": str(row["entity_id"]),
            }
            for row in rows
        ],
    )


def visit_change(visit, org_unit_id: int, previous_unit_id: int | None = None) -> dict:
    """The change-log row for a visit written in the unit of its market (and, if the visit
    moved to a market of another unit, the unit it left, so pull can send that a delete)."""
    return {
        "entity": "visit", "entity_id": visit.id, "op": "upsert", "rev": visit.rev,
        "org_unit_id": org_unit_id, "owner_id": visit.inspector_id,
        "prev_org_unit_id": previous_unit_id if previous_unit_id != org_unit_id else None,
    }


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
