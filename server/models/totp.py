"""A user's second factor (TOTP, RFC 6238) and their one-time recovery codes."""

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from server.core.extensions import db
from server.core.timeutil import utcnow


class UserTotp(db.Model):
    """One row per user who started enrolling; active once confirmed_at is set.

    The secret must be readable to compute codes (it cannot be hashed), so it is stored sealed
    (server/core/sealing.py: encrypted under a key derived from SECRET_KEY); it never appears
    in a log line, an answer other than the enrolment's own, or an audit event.
    """

    __tablename__ = "user_totp"

    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), primary_key=True)
    sealed_secret: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The 30-second time step of the last code accepted: a code of that step or an earlier
    # one is refused (no replay within its window, RFC 6238 §5.2).
    last_used_step: Mapped[int | None] = mapped_column(Integer)


class TotpRecoveryCode(db.Model):
    """Ten per confirmed enrolment, shown once; only a SHA-256 of each is kept."""

    __tablename__ = "totp_recovery_code"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)
