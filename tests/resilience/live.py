"""Real server processes for the resilience and security tests: `manage.py serve` or gunicorn,
on a seeded demo database (a SQLite file, or the PostgreSQL database of TEST_DATABASE_URL).

The tests that use these never use the in-process `app` fixture on the same database."""

import os
import signal
import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, text

from server.core.config import normalise_database_url
from tests.conftest import BACKEND
from tests.e2e.live_server import LiveServer

# The suite runs once per backend (Makefile): each pass drives servers on its own backend.
BACKENDS = [BACKEND]
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
DEMO = {"inspector": "kiemtra", "ward_officer": "phuong", "city_officer": "thanhpho",
        "admin": "quantri"}
DEMO_PASSWORD = "ChoXanh@2023"


def empty_postgres(url: str) -> None:
    engine = create_engine(normalise_database_url(url))
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def database_env(backend: str, workdir: Path) -> dict:
    """DATABASE_URL for a backend: a new SQLite file in workdir, or the emptied test PG."""
    if backend == "postgres":
        url = os.environ["TEST_DATABASE_URL"]
        empty_postgres(url)
        return {"DATABASE_URL": url}
    return {"DATABASE_URL": f"sqlite:///{workdir / 'live.sqlite3'}"}


class Server(LiveServer):
    """A LiveServer that can also run under gunicorn, in its own process group (so that a
    kill -9 takes the master and its workers down together, as a host crash would)."""

    def __init__(self, workdir, backend="sqlite", gunicorn_workers=0, extra_env=None,
                 database=None):
        env = dict(database or database_env(backend, Path(workdir)))
        env.update(extra_env or {})
        super().__init__(workdir, extra_env=env)
        self.backend = backend
        self.gunicorn_workers = gunicorn_workers

    new_session = True

    def command(self) -> list[str]:
        if self.gunicorn_workers:
            return [GUNICORN, "-w", str(self.gunicorn_workers), "-b", f"127.0.0.1:{self.port}",
                    "--access-logfile", "-", "--graceful-timeout", "2", "server:create_app()"]
        return super().command()

    def kill9(self) -> None:
        """SIGKILL to the whole process group: no cleanup, no answer, as a crash."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None

    def stop(self, hard: bool = False) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL if hard else signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.process = None

    def attachments_dir(self) -> Path:
        return Path(self.env["ATTACHMENTS_DIR"])

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def sibling(self, workdir, gunicorn_workers=0) -> "Server":
        """Another server process on the same database and attachments."""
        other = Server(workdir, self.backend, gunicorn_workers,
                       database={"DATABASE_URL": self.env["DATABASE_URL"]},
                       extra_env={"ATTACHMENTS_DIR": self.env["ATTACHMENTS_DIR"]})
        return other


