"""Visits, the photos they reference, and their review decisions (DESIGN §3, §6)."""

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from server.core.extensions import db
from server.core.timeutil import utcnow


class Visit(db.Model):
    __tablename__ = "visit"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # UUID made on the phone
    rev: Mapped[int] = mapped_column(Integer, default=1)
    market_id: Mapped[int] = mapped_column(ForeignKey("market.id"), index=True)
    inspector_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    device_id: Mapped[str] = mapped_column(String(64))
    form_version: Mapped[str] = mapped_column(String(16))
    observed_at: Mapped[datetime] = mapped_column(DateTime, index=True)  # UTC
    observed_offset_min: Mapped[int] = mapped_column(Integer, default=0)  # the phone's offset
    received_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    answers: Mapped[dict] = mapped_column(JSON)
    location_lat: Mapped[float | None] = mapped_column(Float)
    location_lon: Mapped[float | None] = mapped_column(Float)
    location_accuracy_m: Mapped[float | None] = mapped_column(Float)
    distance_m: Mapped[float | None] = mapped_column(Float)
    # Derived from the latest review_decision; kept here so queues and the indicator can filter.
    # Looked up by ix_visit_status_market_observed (models/indicator.py), whose first column
    # it is; an index of its own only cost every insert.
    status: Mapped[str] = mapped_column(String(16), default="submitted")
    compliant: Mapped[bool] = mapped_column(Boolean)  # derived on the server, never trusted
    # Pull's change JSON of this visit, written by the writer that has its record at hand
    # (server/sync/render.py: stored_rendering); NULL: pull renders it when asked.
    rendered: Mapped[str | None] = mapped_column(Text)


class VisitAttachment(db.Model):
    """The photos a visit references, in order; the bytes may not have arrived yet."""

    __tablename__ = "visit_attachment"

    visit_id: Mapped[str] = mapped_column(ForeignKey("visit.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)


class VisitVersion(db.Model):
    """Append-only: every accepted version of a visit (the inspector's submission and each
    edit), as the phone sent it, so a reviewer sees what changed (DESIGN §6's audit, like
    review_decision). `data` holds market_id, form_version, observed_at, answers, location
    and attachments; the differences are computed when read (server/visits/versions.py)."""

    __tablename__ = "visit_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    visit_id: Mapped[str] = mapped_column(ForeignKey("visit.id"), index=True)
    rev: Mapped[int] = mapped_column(Integer)  # the visit's rev this version produced
    inspector_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    device_id: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    data: Mapped[dict] = mapped_column(JSON)


class ReviewDecision(db.Model):
    """Append-only: rows are inserted, never updated or deleted (the audit trail)."""

    __tablename__ = "review_decision"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    visit_id: Mapped[str] = mapped_column(ForeignKey("visit.id"), index=True)
    decision: Mapped[str] = mapped_column(String(16))
    comment: Mapped[str | None] = mapped_column(Text)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    decided_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    visit_rev: Mapped[int] = mapped_column(Integer)  # the visit's rev this decision produced
