"""Purging sync history no phone still needs (DESIGN §8): change-log and applied-mutation rows.

Change log. Pull cursors are stateless (an opaque seq; the server records no per-device
position, see pull.py), so "the oldest cursor any active device still holds" cannot be known
cheaply: a phone may keep a cursor across sign-ins, and last_seen_at says nothing about when
it last pulled. The rule is therefore by age: a change older than CHANGE_LOG_RETENTION_DAYS
may go. The purge mark `change_log_purged_through` is set to the newest such seq; pull answers
410 cursor_expired to any cursor below it, and that phone pulls its visible set again from
scratch, which is always consistent. A phone that synced within the window never notices.

The rows are deleted one run AFTER the run that moved the mark over them. On PostgreSQL a pull
reads the mark and then the rows in two statements; deleting at once could remove rows between
the two for a pull that had just passed the old mark. Rows at or below a mark published by an
earlier run can only be wanted by cursors that already get 410, so deleting them is always
safe. (SQLite reads both in one snapshot; the same rule keeps one code path.)

Applied mutations. An applied_mutation row is what turns a retried push into `duplicate`.
A phone retries with the token it pushed with, and cannot push once that token expired, so a
row older than the token lifetime (TOKEN_TTL_DAYS) can no longer be asked for by that token;
we keep APPLIED_MUTATION_RETENTION_DAYS (default 60) and never less than the token lifetime,
for the rare phone that signs in again with an old push still unacknowledged. Even then a
late retry is not applied twice: its base_rev is stale by then, so it comes back `conflict`.
"""

from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, func, select

from server.core.extensions import begin_write, db
from server.core.settings import setting
from server.core.timeutil import utcnow
from server.models import AppliedMutation, ChangeLog
from server.sync.meta import get_meta, set_meta
from server.sync.pull import PURGED_THROUGH

DELETE_BATCH = 20_000  # change-log rows per delete transaction, to keep each one short


def _delete_change_log_through(mark: int) -> int:
    deleted = 0
    lowest = db.session.scalar(select(func.min(ChangeLog.seq)))
    while lowest is not None and lowest <= mark:
        upto = min(mark, lowest + DELETE_BATCH - 1)
        begin_write()
        deleted += db.session.execute(delete(ChangeLog).where(ChangeLog.seq <= upto)).rowcount
        db.session.commit()
        lowest = db.session.scalar(select(func.min(ChangeLog.seq)))
    return deleted


def mutation_retention_days() -> int:
    return max(setting("APPLIED_MUTATION_RETENTION_DAYS"),
               int(current_app.config.get("TOKEN_TTL_DAYS", 30)))


def purge_sync_log(now=None) -> dict:
    """Job: delete what the previous run expired, then expire what is older than the window."""
    now = now or utcnow()
    published = get_meta(PURGED_THROUGH) or 0
    deleted_changes = _delete_change_log_through(published)

    cutoff = now - timedelta(days=setting("CHANGE_LOG_RETENTION_DAYS"))
    begin_write()
    newest_old = db.session.scalar(
        select(func.max(ChangeLog.seq)).where(ChangeLog.changed_at < cutoff))
    mark = max(published, newest_old or 0)  # never backwards
    if mark != published:
        set_meta(PURGED_THROUGH, mark)
    mutation_cutoff = now - timedelta(days=mutation_retention_days())
    deleted_mutations = db.session.execute(
        delete(AppliedMutation).where(AppliedMutation.applied_at < mutation_cutoff)).rowcount
    db.session.commit()
    return {"change_log_deleted": deleted_changes, "purged_through": mark,
            "applied_mutations_deleted": deleted_mutations}
