"""Scheduler bookkeeping and the stored result of the overdue-markets job."""

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.core.extensions import db


class JobRun(db.Model):
    """One claimed fire time of one job. The unique (job_id, fire_time) pair is the per-run
    claim: whichever scheduler inserts it first runs the job, any other finds it taken."""

    __tablename__ = "job_run"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job_id: Mapped[str] = mapped_column(String(100))
    fire_time: Mapped[datetime] = mapped_column(DateTime, index=True)  # UTC, to the second
    claimed_by: Mapped[str] = mapped_column(String(120))  # host:pid of the scheduler
    started_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(16))  # running | ok | failed | abandoned
    summary: Mapped[str | None] = mapped_column(String(1000))

    __table_args__ = (UniqueConstraint("job_id", "fire_time"),)


class MarketOverdue(db.Model):
    """A market not visited for N days, as of the last run of the markets.overdue job (the
    time and N are in sync_meta: see server/markets/overdue.py)."""

    __tablename__ = "market_overdue"

    market_id: Mapped[int] = mapped_column(ForeignKey("market.id"), primary_key=True)
    last_visit_at: Mapped[datetime | None] = mapped_column(DateTime)  # null: never visited
