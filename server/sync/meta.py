"""Reading and writing small named integers in sync_meta (the table pull already reads)."""

from sqlalchemy import select

from server.core.extensions import db
from server.models import SyncMeta


def get_meta(key: str) -> int | None:
    return db.session.scalar(select(SyncMeta.value).where(SyncMeta.key == key))


def set_meta(key: str, value: int) -> None:
    """Inside the caller's write transaction (begin_write first)."""
    row = db.session.get(SyncMeta, key, with_for_update=True)
    if row is None:
        db.session.add(SyncMeta(key=key, value=value))
    else:
        row.value = value
    db.session.flush()
