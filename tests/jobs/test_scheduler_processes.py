"""Two real `manage.py scheduler` processes on one PostgreSQL (DESIGN §8, §10): every fire time
runs exactly once, the second process waits as standby, and it takes over when the leader is
killed. The fast test job list (CHOXANH_SCHEDULER_TEST_JOBS=1) ticks every 2 seconds and writes
one row per run, with the fire time and the pid of the process that ran it."""

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from server.core.config import REPO_ROOT
from server.core.extensions import db
from server.models import JobRun
from tests.conftest import BACKEND

POSTGRES_ONLY = (
    "the leader lock between processes is a PostgreSQL advisory lock; on SQLite the deployment "
    "is one host and the lock file is tested in-process (test_runner.py)"
)
TIMEOUT = 30


def _start(tmp_path, name: str) -> tuple[subprocess.Popen, object]:
    env = {**os.environ, "DATABASE_URL": os.environ["TEST_DATABASE_URL"],
           "INSTANCE_DIR": str(tmp_path), "CHOXANH_SCHEDULER_TEST_JOBS": "1",
           "SCHEDULER_POLL_SECONDS": "0.5", "PYTHONUNBUFFERED": "1"}
    log = open(tmp_path / f"{name}.log", "w")  # noqa: SIM115 (closed by the test)
    process = subprocess.Popen([sys.executable, "manage.py", "scheduler"], cwd=REPO_ROOT,
                               env=env, stdout=log, stderr=subprocess.STDOUT)
    return process, log


def _runs() -> list[tuple]:
    db.session.rollback()
    return db.session.execute(
        text("SELECT fire_time, pid FROM scheduler_test_run ORDER BY fire_time, id")).all()


def _wait(condition, what: str, timeout=TIMEOUT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.postgres_only
@pytest.mark.skipif(BACKEND != "postgres", reason=POSTGRES_ONLY)
def test_two_scheduler_processes_run_each_fire_time_once_and_the_standby_takes_over(
        app, tmp_path):
    db.session.execute(text(
        "CREATE TABLE scheduler_test_run (id serial PRIMARY KEY, fire_time timestamp NOT NULL,"
        " pid integer NOT NULL)"))
    db.session.commit()
    started = []
    try:
        first = _start(tmp_path, "first")
        started.append(first)
        _wait(lambda: len(_runs()) >= 1, "the first scheduler to run the job")
        second = _start(tmp_path, "second")
        started.append(second)
        _wait(lambda: "standing by" in (tmp_path / "second.log").read_text(),
              "the second scheduler to stand by")
        _wait(lambda: len(_runs()) >= 5, "a few runs with both processes up")
        assert {pid for _, pid in _runs()} == {first[0].pid}

        first[0].send_signal(signal.SIGKILL)  # the leader dies without a word
        first[0].wait(TIMEOUT)
        killed_at = len(_runs())
        _wait(lambda: any(pid == second[0].pid for _, pid in _runs()),
              "the standby to take over")
        _wait(lambda: len(_runs()) >= killed_at + 4, "a few runs by the new leader")
    finally:
        for process, log in started:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(TIMEOUT)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            log.close()

    runs = _runs()
    per_fire_time = Counter(fire for fire, _ in runs)
    assert max(per_fire_time.values()) == 1, per_fire_time.most_common(3)
    by_first = [fire for fire, pid in runs if pid == first[0].pid]
    by_second = [fire for fire, pid in runs if pid == second[0].pid]
    assert by_first and by_second and max(by_first) < min(by_second)
    # Takeover within the poll interval (0.5 s) plus a tick (2 s) and process start-up slack.
    takeover = min(by_second) - max(by_first)
    print(f"runs: {len(by_first)} by the first leader, {len(by_second)} by the second; "
          f"fire times from one to the other {takeover.total_seconds():.0f} s apart")
    assert takeover <= timedelta(seconds=8)
    # The new leader then misses no tick.
    gaps = {later - earlier for earlier, later in zip(by_second, by_second[1:], strict=False)}
    assert gaps == {timedelta(seconds=2)}
    # Its claims agree: one job_run per fire time, each finished ok or (killed mid-run)
    # marked abandoned by the new leader, never run again.
    db.session.rollback()
    claims = db.session.execute(select(JobRun.fire_time, JobRun.status)).all()
    assert len(claims) == len({fire for fire, _ in claims})
    assert {fire for fire, status in claims if status == "ok"} == set(per_fire_time)
    assert {status for _, status in claims} <= {"ok", "abandoned"}
    assert "leading" in (tmp_path / "second.log").read_text()
