from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from server.core.extensions import db
from server.core.timeutil import utcnow

# Ranks, top down; a ward or commune may sit directly under the city (Hanoi since 1 July 2025).
LEVELS = ("city", "district", "ward", "commune")


class OrgUnit(db.Model):
    __tablename__ = "org_unit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"), index=True)
    # Hanoi's 2025 reform ended the district level: old units get valid_to, new ones valid_from,
    # so reports for 2023 still read the 2023 hierarchy.
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    rev: Mapped[int] = mapped_column(Integer, default=1)  # bumped on every change, for pull
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "code": self.code,
            "name": self.name,
            "level": self.level,
            "parent_id": self.parent_id,
            # So a phone can offer the units in force for a period (Hanoi's 1 July 2025 reform).
            "valid_from": self.valid_from.isoformat() if self.valid_from else None,
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
        }
