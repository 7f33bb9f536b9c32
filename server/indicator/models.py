from datetime import datetime

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.extensions import db
from server.timeutil import utcnow


class IndicatorTarget(db.Model):
    __tablename__ = "indicator_target"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period: Mapped[str] = mapped_column(String(10))  # YYYY, YYYY-Qn or YYYY-MM
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"))  # null = all
    target: Mapped[float] = mapped_column(Float)

    __table_args__ = (UniqueConstraint("period", "org_unit_id"),)


class IndicatorSnapshot(db.Model):
    __tablename__ = "indicator_snapshot"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period: Mapped[str] = mapped_column(String(10), index=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    computed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    final: Mapped[bool] = mapped_column(Boolean, default=False)
    markets_total: Mapped[int] = mapped_column(Integer)
    compliant: Mapped[int] = mapped_column(Integer)
    non_compliant: Mapped[int] = mapped_column(Integer)
    not_assessed: Mapped[int] = mapped_column(Integer)
    pending_review: Mapped[int] = mapped_column(Integer)


class IndicatorSnapshotItem(db.Model):
    """One market's status in a snapshot, with the evidence behind it."""

    __tablename__ = "indicator_snapshot_item"

    snapshot_id: Mapped[int] = mapped_column(ForeignKey("indicator_snapshot.id"), primary_key=True)
    market_id: Mapped[int] = mapped_column(ForeignKey("market.id"), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    visit_id: Mapped[str | None] = mapped_column(String(36))
    reviewer_id: Mapped[int | None] = mapped_column(Integer)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
