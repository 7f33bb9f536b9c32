"""Leader election, so one scheduler runs the jobs and any other waits as a standby.

PostgreSQL: a session-level advisory lock held on a dedicated connection (outside the app's
pool). It is released by PostgreSQL itself when the leader's process or connection dies, so a
standby polling pg_try_advisory_lock takes over within one poll interval.
SQLite (one host by nature): an flock on a file in the instance dir, released by the kernel
when the process dies.
"""

import contextlib
import fcntl
import logging
import os
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from server.core.locks import SCHEDULER_LOCK

log = logging.getLogger("server.jobs")


class PostgresLeaderLock:
    def __init__(self, database_url: str):
        self._engine = create_engine(database_url, poolclass=NullPool)
        self._conn = None

    def try_acquire(self) -> bool:
        try:
            if self._conn is None:
                self._conn = self._engine.connect().execution_options(
                    isolation_level="AUTOCOMMIT")
            return bool(self._conn.scalar(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": SCHEDULER_LOCK}))
        except Exception as exc:  # database down: stay standby and try again later
            log.warning("scheduler: cannot reach the database for the leader lock: %s", exc)
            self._close()
            return False

    def still_held(self) -> bool:
        """The lock is ours as long as our session lives and holds it."""
        try:
            return bool(self._conn.scalar(text(
                "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory'"
                " AND pid = pg_backend_pid() AND classid = 0 AND objid = :key AND granted)"),
                {"key": SCHEDULER_LOCK}))
        except Exception:
            return False

    def release(self) -> None:
        if self._conn is not None:
            # Closing the session releases it anyway, should the unlock fail.
            with contextlib.suppress(Exception):
                self._conn.scalar(text("SELECT pg_advisory_unlock(:key)"),
                                  {"key": SCHEDULER_LOCK})
        self._close()

    def _close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):
                self._conn.close()
            self._conn = None


class FileLeaderLock:
    def __init__(self, path: str | Path):
        self._path = str(path)
        self._fd = None

    def try_acquire(self) -> bool:
        fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return True

    def still_held(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def leader_lock_for(app):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("postgresql"):
        return PostgresLeaderLock(url)
    return FileLeaderLock(Path(app.config["INSTANCE_DIR"]) / "scheduler.lock")
