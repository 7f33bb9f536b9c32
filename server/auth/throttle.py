"""Login throttling kept in the database, so it holds across several server processes."""

from datetime import timedelta

from sqlalchemy import delete, func, select

from server.core.extensions import db
from server.core.timeutil import utcnow
from server.models import LoginFailure

WINDOW = timedelta(minutes=15)
MAX_FAILURES = 5


def recent_failures(username: str) -> int:
    since = utcnow() - WINDOW
    return db.session.scalar(
        select(func.count())
        .select_from(LoginFailure)
        .where(LoginFailure.username == username, LoginFailure.failed_at > since)
    )


def too_many_failures(username: str) -> bool:
    return recent_failures(username) >= MAX_FAILURES


def attempts_left(username: str) -> int:
    """Wrong passwords this username may still send before the lock (the sign-in screen warns
    before the last one)."""
    return max(0, MAX_FAILURES - recent_failures(username))


def record_failure(username: str, remote_addr: str | None) -> None:
    db.session.add(LoginFailure(username=username, remote_addr=remote_addr, failed_at=utcnow()))
    db.session.commit()


def clear_failures(username: str) -> None:
    db.session.execute(delete(LoginFailure).where(LoginFailure.username == username))
