"""Every named database lock in one registry, so no two uses share a key.

On PostgreSQL each is an advisory lock key (`pg_advisory_xact_lock` for the transaction-scoped
ones, a session lock for the scheduler's leader); on SQLite one writer at a time (BEGIN
IMMEDIATE) already serialises what these guard, and the scheduler uses a lock file.
"""

from sqlalchemy import text

from server.core.extensions import db

CHANGE_SEQUENCE_LOCK = 293_0404  # change-log sequence numbers in commit order (sync/changes)
TARGET_LOCK = 293_0044  # one writer of a (period, unit) target (admin/targets)
SNAPSHOT_LOCK = 293_0045  # one indicator snapshot writer at a time (indicator/snapshots)
SCHEDULER_LOCK = 293_0808  # the scheduler's leader (jobs/guard), a session-level lock
SETTINGS_LOCK = 293_0046  # one writer of the admin's settings (reports/settings)

ALL_LOCKS = (CHANGE_SEQUENCE_LOCK, TARGET_LOCK, SNAPSHOT_LOCK, SCHEDULER_LOCK, SETTINGS_LOCK)
assert len(set(ALL_LOCKS)) == len(ALL_LOCKS), "two named locks share a key"


def transaction_lock(key: int) -> None:
    """Take a transaction-scoped named lock on PostgreSQL (held until commit or rollback);
    nothing on SQLite, whose writers are serialised by BEGIN IMMEDIATE."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
