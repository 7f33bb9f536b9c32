from datetime import date, datetime

from sqlalchemy import Date, DateTime, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from server.core.extensions import db
from server.core.timeutil import utcnow

MARKET_CLASSES = ("1", "2", "3", "unclassified")


class Market(db.Model):
    __tablename__ = "market"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    address: Mapped[str | None] = mapped_column(String(300))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    market_class: Mapped[str] = mapped_column(String(16), default="unclassified")
    opened_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    rev: Mapped[int] = mapped_column(Integer, default=1)  # bumped on every change, for pull
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "code": self.code,
            "name": self.name,
            "org_unit_id": self.org_unit_id,
            "address": self.address,
            "lat": self.lat,
            "lon": self.lon,
            "market_class": self.market_class,
            "opened_on": self.opened_on.isoformat() if self.opened_on else None,
            "closed_on": self.closed_on.isoformat() if self.closed_on else None,
        }


class MarketAssignment(db.Model):
    """Which org unit a market belonged to, when (valid_from null: since always; valid_to null:
    until further notice). Moves close the current row and open a new one, never delete one,
    so a past period is broken down by the units its markets had then. Market.org_unit_id is
    the assignment in force today (Hanoi time), for scope and pull."""

    __tablename__ = "market_assignment"
    __table_args__ = (Index("ix_market_assignment_market_from", "market_id", "valid_from"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    market_id: Mapped[int] = mapped_column(ForeignKey("market.id"))
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
