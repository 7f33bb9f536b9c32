"""A real Chợ Xanh server in a subprocess, on its own SQLite file, that tests can stop and restart.

Taking the server down is how the browser tests simulate "no signal": Playwright's offline mode
does not cover service-worker traffic.
"""

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import requests

REPO_ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    def __init__(self, workdir: Path, port: int | None = None, extra_env: dict | None = None):
        self.workdir = Path(workdir)
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = self.workdir / "server.log"
        self.db_path = self.workdir / "live.sqlite3"
        self.env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{self.db_path}",
            "ATTACHMENTS_DIR": str(self.workdir / "attachments"),
            "INSTANCE_DIR": str(self.workdir),
            **(extra_env or {}),
        }
        self.process: subprocess.Popen | None = None

    def manage(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=REPO_ROOT, env=self.env, capture_output=True, text=True, check=True,
        )
        return result.stdout

    def prepare(self, template: Path | None = None) -> "LiveServer":
        """Migrate and seed the demo; or copy `template`, the SQLite file of a server prepared
        so before (the seed is deterministic: the same data, without two CLI runs per test)."""
        if template is not None:
            with sqlite3.connect(template) as source, sqlite3.connect(self.db_path) as copy:
                source.backup(copy)
            source.close()
            copy.close()
            return self
        self.manage("db", "upgrade")
        self.manage("seed-demo")
        return self

    # A subclass may run another command (gunicorn) or put the server in a process group of
    # its own (so that kill -9 takes its workers down too).
    new_session = False

    def command(self) -> list[str]:
        return [sys.executable, "manage.py", "serve", "--host", "127.0.0.1", "--port",
                str(self.port)]

    def start(self, timeout: float = 30) -> "LiveServer":
        log = open(self.log_path, "a")  # noqa: SIM115  (kept open for the process's life)
        self.process = subprocess.Popen(self.command(), cwd=REPO_ROOT, env=self.env, stdout=log,
                                        stderr=subprocess.STDOUT,
                                        start_new_session=self.new_session)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited early:\n{self.log_path.read_text()}")
            try:
                if requests.get(self.url + "/api/v1/health", timeout=1).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"server did not answer within {timeout}s:\n{self.log_path.read_text()}")

    def stop(self, hard: bool = False) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL if hard else signal.SIGTERM)
            self.process.wait(timeout=10)
        self.process = None
