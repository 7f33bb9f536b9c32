from datetime import datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from server.core.extensions import db
from server.core.timeutil import utcnow
from server.models.visits import ReviewDecision, Visit


class IndicatorTarget(db.Model):
    __tablename__ = "indicator_target"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period: Mapped[str] = mapped_column(String(10))  # YYYY, YYYY-Qn or YYYY-MM
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"))  # null = all
    target: Mapped[float] = mapped_column(Float)

    __table_args__ = (
        UniqueConstraint("period", "org_unit_id"),
        # NULLs are distinct in a unique constraint: this partial index allows one city-wide
        # target per period (both SQLite and PostgreSQL have partial indexes).
        Index(
            "uq_indicator_target_city_period", "period", unique=True,
            sqlite_where=text("org_unit_id IS NULL"),
            postgresql_where=text("org_unit_id IS NULL"),
        ),
    )


class IndicatorSnapshot(db.Model):
    """The counts of one period for the whole city (org_unit_id null) or one org unit.

    All rows of a period are computed together; the per-market items hang on the city row.
    `parent_unit_id` is the unit's parent as it was in the period (null: directly under the
    city), so a breakdown never depends on later changes to the hierarchy."""

    __tablename__ = "indicator_snapshot"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period: Mapped[str] = mapped_column(String(10), index=True)
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"))
    parent_unit_id: Mapped[int | None] = mapped_column(Integer)
    computed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    final: Mapped[bool] = mapped_column(Boolean, default=False)
    markets_total: Mapped[int] = mapped_column(Integer)
    compliant: Mapped[int] = mapped_column(Integer)
    non_compliant: Mapped[int] = mapped_column(Integer)
    not_assessed: Mapped[int] = mapped_column(Integer)
    pending_review: Mapped[int] = mapped_column(Integer)
    target: Mapped[float | None] = mapped_column(Float)  # as it was when computed


class IndicatorSnapshotItem(db.Model):
    """One market's status in a snapshot, with the evidence behind it."""

    __tablename__ = "indicator_snapshot_item"

    snapshot_id: Mapped[int] = mapped_column(ForeignKey("indicator_snapshot.id"), primary_key=True)
    market_id: Mapped[int] = mapped_column(ForeignKey("market.id"), primary_key=True)
    org_unit_id: Mapped[int | None] = mapped_column(Integer)  # the market's unit when computed
    status: Mapped[str] = mapped_column(String(16))
    pending_review: Mapped[bool] = mapped_column(Boolean, default=False)
    visit_id: Mapped[str | None] = mapped_column(String(36))
    observed_at: Mapped[datetime | None] = mapped_column(DateTime)
    inspector_id: Mapped[int | None] = mapped_column(Integer)
    reviewer_id: Mapped[int | None] = mapped_column(Integer)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)


class IndicatorDirtyPeriod(db.Model):
    """A provisional period whose snapshot an org-unit import made stale: recomputed whole by
    its next reader (snapshots.ensure_snapshot) or the minute job (recompute_dirty)."""

    __tablename__ = "indicator_dirty_period"

    period: Mapped[str] = mapped_column(String(10), primary_key=True)
    marked_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


# The reconciliation's first step reads, per market, the latest approved visit in a period:
# with (status, market_id, observed_at) that is an index-only scan. Declared here, next to its
# only reader, on the visit table (server/models/visits.py), and created by migration 0002.
Index("ix_visit_status_market_observed", Visit.status, Visit.market_id, Visit.observed_at)
# …and the latest decision of each evidence visit, max(id) per visit_id: index-only with this.
Index("ix_review_decision_visit_id_id", ReviewDecision.visit_id, ReviewDecision.id)
