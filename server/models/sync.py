from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from server.core.extensions import db
from server.core.timeutil import utcnow

# SQLite only autoincrements an INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit sequence.
BigId = BigInteger().with_variant(Integer, "sqlite")

class AppliedMutation(db.Model):
    """Every push mutation applied once; a repeat answers from here (exactly-once)."""

    __tablename__ = "applied_mutation"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # the client's mutation id
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    device_id: Mapped[str] = mapped_column(String(64))
    request_hash: Mapped[str] = mapped_column(String(64))
    result: Mapped[dict] = mapped_column(JSON)
    applied_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)


class ChangeLog(db.Model):
    """What pull reads: one row per change, in commit order (see server/sync/pull.py)."""

    __tablename__ = "change_log"

    seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    entity: Mapped[str] = mapped_column(String(16))
    entity_id: Mapped[str] = mapped_column(String(64))
    op: Mapped[str] = mapped_column(String(8))
    rev: Mapped[int] = mapped_column(Integer, default=1)
    # Scope of the record after and before the change, so pull can filter and send deletes
    # to those who could see it before but not now.
    org_unit_id: Mapped[int | None] = mapped_column(Integer)
    prev_org_unit_id: Mapped[int | None] = mapped_column(Integer)
    owner_id: Mapped[int | None] = mapped_column(Integer)
    changed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (
        Index("ix_change_log_entity_entity_id", "entity", "entity_id"),
        # AUTOINCREMENT: SQLite must never reuse a sequence number after a purge.
        {"sqlite_autoincrement": True},
    )


class SyncMeta(db.Model):
    """Small named counters, e.g. how far the change log has been purged."""

    __tablename__ = "sync_meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(BigId)
