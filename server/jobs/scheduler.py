"""The scheduler service: wait to lead, then run the job list with APScheduler 3.

`manage.py scheduler` runs it in the foreground (BlockingScheduler); `manage.py serve
--with-scheduler` runs it in a background thread (BackgroundScheduler) for the demo. Either way
the same guard applies: the leader lock (guard.py) and the per-run claim (runner.py).
"""

import contextlib
import logging
import threading
from datetime import datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from apscheduler.executors.base import run_job
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers import SchedulerNotRunningError
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from flask import Flask

from server.core.settings import setting
from server.jobs.guard import leader_lock_for
from server.jobs.registry import TIMEZONE, JobSpec
from server.jobs.runner import is_claimed, mark_abandoned, run_claimed

log = logging.getLogger("server.jobs")


class _AtFireTime:
    """The job as run_job sees it, with the fire time added to its keyword arguments."""

    def __init__(self, job, fire_time):
        self._job = job
        self.kwargs = {**job.kwargs, "fire_time": fire_time}

    def __getattr__(self, name):
        return getattr(self._job, name)

    def __str__(self):
        return str(self._job)


def _run_at_fire_times(job, jobstore_alias, run_times, logger_name):
    events = []
    for run_time in run_times:
        events += run_job(_AtFireTime(job, run_time), jobstore_alias, [run_time], logger_name)
    return events


class FireTimeExecutor(ThreadPoolExecutor):
    """APScheduler 3 does not tell a job which fire time it runs for; the claim needs it."""

    def _do_submit_job(self, job, run_times):
        def callback(future):
            exc = future.exception()
            if exc:
                self._run_job_error(job.id, exc, exc.__traceback__)
            else:
                self._run_job_success(job.id, future.result())

        future = self._pool.submit(
            _run_at_fire_times, job, job._jobstore_alias, run_times, self._logger.name)
        future.add_done_callback(callback)


def trigger_for(spec: JobSpec) -> CronTrigger:
    return CronTrigger(timezone=ZoneInfo(TIMEZONE), **spec.cron)


def latest_fire_time(trigger: CronTrigger, grace_seconds: int, now: datetime):
    """The last fire time in (now - grace, now], or None."""
    latest = None
    candidate = trigger.get_next_fire_time(None, now - timedelta(seconds=grace_seconds))
    while candidate is not None and candidate <= now:
        latest = candidate
        candidate = trigger.get_next_fire_time(candidate, candidate + timedelta(seconds=1))
    return latest


class SchedulerService:
    def __init__(self, app: Flask, jobs: tuple[JobSpec, ...], blocking: bool = True):
        self.app, self.jobs, self.blocking = app, jobs, blocking
        self.poll_seconds = setting("SCHEDULER_POLL_SECONDS", app)
        self._lock = leader_lock_for(app)
        self._stop = threading.Event()
        self._term_over = threading.Event()  # this term as leader has ended
        self._scheduler = None
        self.is_leader = False
        # APScheduler logs two lines per run; ours (runner.py) says what the job did.
        logging.getLogger("apscheduler").setLevel(logging.WARNING)

    # ---- leadership loop

    def run(self) -> None:
        """Until stop(): wait as standby, lead while the lock holds, then wait again."""
        announced = False
        while not self._stop.is_set():
            if not self._lock.try_acquire():
                if not announced:
                    log.info("scheduler: another scheduler leads; standing by (checking every "
                             "%ss)", self.poll_seconds)
                    announced = True
                self._stop.wait(self.poll_seconds)
                continue
            announced = False
            try:
                self._lead()
            except Exception:
                log.exception("scheduler: the leader term ended with an error")
                self._stop.wait(self.poll_seconds)  # e.g. the database is down: not a busy loop
            finally:
                self.is_leader = False
                self._lock.release()
        log.info("scheduler: stopped")

    def start_in_thread(self) -> threading.Thread:
        thread = threading.Thread(target=self.run, name="scheduler", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self._stop.set()
        self._term_over.set()
        if self.blocking:  # from a signal handler: wake the main thread out of start()
            self._shutdown_now()

    def _shutdown_now(self) -> None:
        """Only in blocking mode; a background term shuts its scheduler down in its own
        thread (shutting down while another thread is inside start() races)."""
        scheduler = self._scheduler
        if scheduler is not None and scheduler.running:
            with contextlib.suppress(SchedulerNotRunningError):
                scheduler.shutdown(wait=False)

    # ---- one term as leader

    def _lead(self) -> None:
        self._term_over.clear()
        abandoned = mark_abandoned(self.app)
        log.info("scheduler: leading with %d job(s): %s%s", len(self.jobs),
                 ", ".join(spec.id for spec in self.jobs),
                 f"; {abandoned} run(s) of a dead leader marked abandoned" if abandoned else "")
        scheduler_class = BlockingScheduler if self.blocking else BackgroundScheduler
        scheduler = scheduler_class(
            timezone=ZoneInfo(TIMEZONE),
            executors={"default": FireTimeExecutor(max_workers=4),
                       "guard": ThreadPoolExecutor(max_workers=1)},
            job_defaults={"coalesce": True, "max_instances": 1},
        )
        self._add_jobs(scheduler)
        scheduler.add_job(self._check_lock, "interval", seconds=self.poll_seconds,
                          id="_leader_lock_check", executor="guard")
        self._scheduler = scheduler
        if self._stop.is_set():
            return
        self.is_leader = True
        scheduler.start()  # blocking: returns on shutdown; background: returns at once
        self._term_over.wait()
        if scheduler.running:
            scheduler.shutdown(wait=True)
        self._scheduler = None

    def _add_jobs(self, scheduler) -> None:
        now = datetime.now(ZoneInfo(TIMEZONE))
        with self.app.app_context():
            for spec in self.jobs:
                trigger = trigger_for(spec)
                extra = {}
                # Catch up the latest fire time this deployment missed (down, or a standby
                # taking over), once: the claim says whether anyone ran it.
                missed = latest_fire_time(trigger, spec.grace_seconds, now)
                if missed is not None and not is_claimed(spec.id, missed):
                    extra["next_run_time"] = missed
                scheduler.add_job(
                    partial(run_claimed, self.app, spec), trigger, id=spec.id, name=spec.id,
                    misfire_grace_time=spec.grace_seconds, **extra)

    def _check_lock(self) -> None:
        if self._stop.is_set():  # a stop that came while start() was on its way
            self._term_over.set()
        elif not self._lock.still_held():
            log.error("scheduler: lost the leader lock; stopping jobs and standing by")
            self._term_over.set()
        else:
            return
        if self.blocking:
            self._shutdown_now()
