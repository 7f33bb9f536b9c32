"""Running one fire time of one job: claim it, run it in an app context, record and log it.

The claim is a job_run row keyed by (job_id, fire_time), inserted with ON CONFLICT DO NOTHING:
of any number of schedulers that reach the same fire time, exactly one inserts the row and runs
the job; the others skip it. With the leader lock (guard.py) there is normally one scheduler
anyway; the claim makes a double run impossible even when two believe they lead (say the
leader's lock connection dropped while it was still running jobs).
A job never raises out of here: the scheduler keeps going whatever a job does.
"""

import logging
import os
import socket
import time
from datetime import UTC, datetime, timedelta

from flask import Flask, g
from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from server.core.extensions import begin_write, db
from server.core.settings import setting
from server.core.timeutil import utcnow
from server.jobs.registry import JobSpec, resolve
from server.models import JobRun

log = logging.getLogger("server.jobs")
SUMMARY_MAX = 1000


def claimant() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:120]


def as_utc(fire_time: datetime) -> datetime:
    """A scheduler fire time (aware, Asia/Ho_Chi_Minh) as stored: naive UTC, whole seconds."""
    if fire_time.tzinfo is not None:
        fire_time = fire_time.astimezone(UTC).replace(tzinfo=None)
    return fire_time.replace(microsecond=0)


def claim(job_id: str, fire_time: datetime) -> int | None:
    """Insert the claim; its id, or None when another scheduler has it already."""
    begin_write()
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(JobRun)
        .values(job_id=job_id, fire_time=fire_time, claimed_by=claimant(),
                started_at=utcnow(), status="running")
        .on_conflict_do_nothing(index_elements=["job_id", "fire_time"])
        .returning(JobRun.id)
    )
    run_id = db.session.scalar(statement)
    db.session.commit()
    return run_id


def is_claimed(job_id: str, fire_time: datetime) -> bool:
    return db.session.scalar(
        select(JobRun.id).where(JobRun.job_id == job_id, JobRun.fire_time == as_utc(fire_time))
    ) is not None


def _summary(result) -> str:
    if result is None:
        return "done"
    if isinstance(result, dict):
        result = ", ".join(f"{key}={value}" for key, value in result.items())
    return str(result)[:SUMMARY_MAX]


def _finish(run_id: int, status: str, summary: str) -> None:
    begin_write()
    db.session.execute(
        update(JobRun).where(JobRun.id == run_id)
        .values(status=status, summary=summary[:SUMMARY_MAX], finished_at=utcnow())
    )
    db.session.commit()


def run_claimed(app: Flask, spec: JobSpec, fire_time: datetime | None = None) -> str:
    """Run `spec` for `fire_time` (default: now) unless already claimed.
    → "ok" | "failed" | "skipped" | "error" (the claim itself failed)."""
    fire_time = as_utc(fire_time or datetime.now(UTC))
    started = time.monotonic()
    with app.app_context():
        try:
            run_id = claim(spec.id, fire_time)
        except Exception:
            db.session.rollback()
            log.exception("job %s @%sZ: could not claim the run; not run", spec.id, fire_time)
            return "error"
        if run_id is None:
            log.info("job %s @%sZ: already claimed by another scheduler; skipped",
                     spec.id, fire_time)
            return "skipped"
        g.job_fire_time = fire_time  # for jobs that care which run they are
        try:
            summary, status = _summary(resolve(spec.ref)()), "ok"
            db.session.commit()  # a job that forgot to commit does not leave a transaction open
        except Exception as exc:
            db.session.rollback()
            summary, status = f"{type(exc).__name__}: {exc}", "failed"
            log.exception("job %s @%sZ failed after %.2fs: %s",
                          spec.id, fire_time, time.monotonic() - started, summary)
        else:
            log.info("job %s @%sZ ok in %.2fs: %s",
                     spec.id, fire_time, time.monotonic() - started, summary)
        try:
            _finish(run_id, status, summary)
        except Exception:
            db.session.rollback()
            log.exception("job %s @%sZ: could not record the outcome", spec.id, fire_time)
        return status


def mark_abandoned(app: Flask) -> int:
    """A new leader marks runs left 'running' by other schedulers as abandoned: their leader
    died mid-run. They are not run again (at most once per fire time); the next fire time is."""
    with app.app_context():
        begin_write()
        count = db.session.execute(
            update(JobRun)
            .where(JobRun.status == "running", JobRun.claimed_by != claimant())
            .values(status="abandoned", finished_at=utcnow())
        ).rowcount
        db.session.commit()
        return count


def purge_job_history() -> dict:
    """Job: forget job_run rows older than JOB_RUN_RETENTION_DAYS (the grace periods are hours,
    so no claim that could still be contested is removed)."""
    cutoff = utcnow() - timedelta(days=setting("JOB_RUN_RETENTION_DAYS"))
    begin_write()
    deleted = db.session.execute(
        delete(JobRun).where(JobRun.fire_time < cutoff, JobRun.status != "running")
    ).rowcount
    db.session.commit()
    return {"job_runs_deleted": deleted}
