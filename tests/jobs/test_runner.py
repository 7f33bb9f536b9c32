"""The guard inside one process, on SQLite and PostgreSQL: per-run claims, leader election
between two scheduler services, catch-up of a missed fire time; and the job list itself."""

import threading
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from server.core.extensions import db
from server.core.timeutil import utcnow
from server.jobs.registry import JOBS, TIMEZONE, JobSpec, resolve
from server.jobs.runner import as_utc, claim, run_claimed
from server.jobs.scheduler import SchedulerService, latest_fire_time, trigger_for
from server.models import JobRun

HANOI = ZoneInfo(TIMEZONE)
RUNS: list[tuple[str, datetime]] = []  # (thread name, fire time) of every run of record_run


def record_run():
    from flask import g

    RUNS.append((threading.current_thread().name, g.job_fire_time))
    time.sleep(0.05)
    return {"runs": len(RUNS)}


def broken_job():
    raise ValueError("the database said no")


COUNTING = JobSpec("test.counting", "tests.jobs.test_runner:record_run", {"second": "*"},
                   grace_seconds=2)
BROKEN = JobSpec("test.broken", "tests.jobs.test_runner:broken_job", {"second": "*"})


@pytest.fixture(autouse=True)
def _fresh_runs():
    RUNS.clear()


def test_many_schedulers_reaching_one_fire_time_run_it_once(app):
    fire_time = datetime(2023, 6, 30, 1, 0, tzinfo=HANOI)
    barrier = threading.Barrier(6)
    outcomes = []

    def contender():
        barrier.wait()
        outcomes.append(run_claimed(app, COUNTING, fire_time))

    threads = [threading.Thread(target=contender) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["ok"] + ["skipped"] * 5
    assert len(RUNS) == 1 and RUNS[0][1] == datetime(2023, 6, 29, 18, 0)  # UTC
    row = db.session.scalars(select(JobRun)).one()
    assert (row.job_id, row.status, row.summary) == ("test.counting", "ok", "runs=1")
    assert run_claimed(app, COUNTING, fire_time) == "skipped"  # and later, too


def test_a_failing_job_is_logged_and_recorded_never_raised(app, caplog):
    assert run_claimed(app, BROKEN) == "failed"
    row = db.session.scalars(select(JobRun)).one()
    assert row.status == "failed" and row.summary == "ValueError: the database said no"
    assert row.finished_at is not None
    assert "job test.broken" in caplog.text and "failed" in caplog.text


def test_latest_fire_time_within_grace():
    nightly = trigger_for(JobSpec("n", "m:f", {"hour": 1, "minute": 0}))
    now = datetime(2023, 6, 30, 3, 0, tzinfo=HANOI)
    assert latest_fire_time(nightly, 6 * 3600, now) == datetime(2023, 6, 30, 1, 0, tzinfo=HANOI)
    assert latest_fire_time(nightly, 3600, now) is None
    minutely = trigger_for(JobSpec("m", "m:f", {"minute": "*"}))
    now = datetime(2023, 6, 30, 10, 0, 20, tzinfo=HANOI)
    assert latest_fire_time(minutely, 30, now) == datetime(2023, 6, 30, 10, 0, tzinfo=HANOI)


def _wait(condition, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_one_of_two_services_leads_and_the_other_takes_over_when_it_stops(app):
    first = SchedulerService(app, (COUNTING,), blocking=False)
    second = SchedulerService(app, (COUNTING,), blocking=False)
    first.poll_seconds = second.poll_seconds = 0.2
    first.start_in_thread()
    assert _wait(lambda: first.is_leader)
    second.start_in_thread()
    try:
        assert _wait(lambda: len(RUNS) >= 3)
        assert not second.is_leader
        first.stop()
        assert _wait(lambda: second.is_leader)
        count = len(RUNS)
        assert _wait(lambda: len(RUNS) >= count + 2)
    finally:
        first.stop()
        second.stop()
    time.sleep(0.3)
    fire_times = [fire for _, fire in RUNS]
    assert len(fire_times) == len(set(fire_times))  # no fire time ran twice
    claims = db.session.scalars(select(JobRun.fire_time)).all()
    assert len(claims) == len(set(claims))


def test_a_new_leader_catches_up_the_missed_fire_time_once(app):
    nightly = JobSpec("test.nightly", "tests.jobs.test_runner:record_run",
                      {"hour": "*", "minute": "*"}, grace_seconds=600)
    now = datetime.now(HANOI)
    missed = latest_fire_time(trigger_for(nightly), 600, now)
    service = SchedulerService(app, (nightly,), blocking=False)
    service.start_in_thread()
    try:
        assert _wait(lambda: len(RUNS) >= 1)
    finally:
        service.stop()
    assert RUNS[0][1] == as_utc(missed)

    RUNS.clear()  # a claim already there: the next leader does not run that fire time again
    latest = as_utc(latest_fire_time(trigger_for(nightly), 600, datetime.now(HANOI)))
    claim("test.nightly", latest)
    again = SchedulerService(app, (nightly,), blocking=False)
    again.start_in_thread()
    try:
        assert _wait(lambda: again.is_leader)
        time.sleep(0.5)
    finally:
        again.stop()
    assert latest not in [fire for _, fire in RUNS]
    claims = db.session.scalars(select(JobRun.fire_time)).all()
    assert len(claims) == len(set(claims))


def test_a_leader_marks_runs_its_dead_predecessor_left_running_as_abandoned(app):
    db.session.add(JobRun(job_id="markets.overdue", fire_time=datetime(2023, 6, 30, 2, 5),
                          claimed_by="dead-host:1", started_at=utcnow(), status="running"))
    db.session.commit()
    service = SchedulerService(app, (), blocking=False)
    service.start_in_thread()
    try:
        assert _wait(lambda: service.is_leader)
    finally:
        service.stop()
    db.session.expire_all()
    assert db.session.scalars(select(JobRun.status)).one() == "abandoned"


def test_run_job_command(runner, world):
    result = runner.invoke(args=["run-job", "markets.overdue"])
    assert result.exit_code == 0, result.output
    assert db.session.scalars(select(JobRun.status)).one() == "ok"
    listing = runner.invoke(args=["jobs"]).output
    assert "markets.overdue" in listing and "ok: days=30" in listing
    assert "sync.purge" in listing and "never run" in listing
    result = runner.invoke(args=["run-job", "no.such.job"])
    assert result.exit_code != 0 and "markets.overdue" in result.output


def test_job_history_older_than_retention_is_forgotten(app):
    old = utcnow() - timedelta(days=15)
    db.session.add_all([
        JobRun(job_id="markets.overdue", fire_time=old, claimed_by="h:1", started_at=old,
               status="ok"),
        JobRun(job_id="markets.overdue", fire_time=utcnow() - timedelta(days=13),
               claimed_by="h:1", started_at=old, status="ok"),
    ])
    db.session.commit()
    spec = JobSpec("jobs.purge_history", "server.jobs.runner:purge_job_history")
    assert run_claimed(app, spec) == "ok"
    db.session.expire_all()
    kept = db.session.scalars(select(JobRun).order_by(JobRun.fire_time)).all()
    assert [(r.job_id, r.summary) for r in kept] == [
        ("markets.overdue", None), ("jobs.purge_history", "job_runs_deleted=1")]


def test_every_job_has_a_unique_id_and_a_reference_that_resolves():
    """Fails on the jobs branch alone: server.indicator.snapshots comes with the indicator
    branch; after the merge every reference must resolve."""
    assert len({spec.id for spec in JOBS}) == len(JOBS)
    unresolved = []
    for spec in JOBS:
        try:
            assert callable(resolve(spec.ref))
        except (ImportError, AttributeError, AssertionError) as exc:
            unresolved.append(f"{spec.id}: {spec.ref} ({exc})")
    assert unresolved == []
