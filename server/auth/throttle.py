"""Login throttling kept in the database, so it holds across several server processes."""

from datetime import timedelta

from sqlalchemy import delete, func, select

from server.audit.record import record
from server.core.extensions import db
from server.core.timeutil import utcnow
from server.models import LoginFailure, User

WINDOW = timedelta(minutes=15)
MAX_FAILURES = 5


def recent_failures(username: str) -> int:
    since = utcnow() - WINDOW
    return db.session.scalar(
        select(func.count())
        .select_from(LoginFailure)
        .where(LoginFailure.username == username, LoginFailure.failed_at > since)
    )


def attempts_left(username: str) -> int:
    """Wrong passwords this username may still send before the lock (the sign-in screen warns
    before the last one)."""
    return max(0, MAX_FAILURES - recent_failures(username))


def too_many_failures(username: str) -> bool:
    return recent_failures(username) >= MAX_FAILURES


def record_failure(username: str, remote_addr: str | None,
                   reason: str = "invalid_credentials") -> None:
    """Count a failed login, with its audit event (and `auth.locked` on the failure that
    locks the account), in one transaction."""
    db.session.add(LoginFailure(username=username, remote_addr=remote_addr, failed_at=utcnow()))
    user_id = db.session.scalar(select(User.id).where(User.username == username))
    target = ("user", user_id, username)
    record("auth.login_failed", target, {"reason": reason}, actor=None)
    db.session.flush()
    if recent_failures(username) == MAX_FAILURES:
        record("auth.locked", target,
               {"failures": MAX_FAILURES, "minutes": int(WINDOW.total_seconds() // 60)},
               actor=None)
    db.session.commit()


def clear_failures(username: str) -> None:
    db.session.execute(delete(LoginFailure).where(LoginFailure.username == username))
