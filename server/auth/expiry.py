"""Jobs over login state: device tokens past their life, failed-login rows past the window."""

from datetime import timedelta

from sqlalchemy import delete, func, or_, select

from server.auth.throttle import WINDOW
from server.core.extensions import begin_write, db
from server.core.settings import setting
from server.core.timeutil import utcnow
from server.models import DeviceToken, LoginFailure


def expire_device_tokens(now=None) -> dict:
    """Delete tokens that expired or were revoked more than EXPIRED_TOKEN_RETENTION_DAYS ago.

    An expired token is refused at once by every request (server/auth/tokens.py), so this is
    housekeeping, not security: the admin's device list keeps showing a recently expired or
    revoked phone ("expired"/"revoked") for the retention period, then it goes. A phone still
    holding a deleted token gets 401 invalid_token and signs in again, as for expired.
    """
    now = now or utcnow()
    cutoff = now - timedelta(days=setting("EXPIRED_TOKEN_RETENTION_DAYS"))
    begin_write()
    deleted = db.session.execute(
        delete(DeviceToken).where(
            or_(DeviceToken.expires_at < cutoff, DeviceToken.revoked_at < cutoff))
    ).rowcount
    expired_kept = db.session.scalar(
        select(func.count()).select_from(DeviceToken)
        .where(DeviceToken.revoked_at.is_(None), DeviceToken.expires_at <= now))
    db.session.commit()
    return {"tokens_deleted": deleted, "expired_tokens_listed": expired_kept}


def purge_login_failures(now=None) -> dict:
    """Failed logins older than the throttling window no longer count (auth/throttle.py)."""
    cutoff = (now or utcnow()) - WINDOW
    begin_write()
    deleted = db.session.execute(
        delete(LoginFailure).where(LoginFailure.failed_at < cutoff)).rowcount
    db.session.commit()
    return {"login_failures_deleted": deleted}
