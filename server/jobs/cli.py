"""`manage.py scheduler` (DESIGN §11), plus `jobs` and `run-job` for operators."""

import signal

import click
from flask import Flask, current_app
from sqlalchemy import func, select

from server.core.extensions import db


def register(app: Flask) -> None:
    @app.cli.command("scheduler")
    def scheduler_command():
        """Run the scheduled jobs until stopped (Ctrl+C or SIGTERM).

        One scheduler leads (a PostgreSQL advisory lock, or a lock file under instance/ on
        SQLite); a second instance waits as standby and takes over when the leader dies.
        Each fire time of each job runs at most once, whatever the number of instances.
        """
        from server.jobs.registry import selected_jobs
        from server.jobs.scheduler import SchedulerService

        service = SchedulerService(current_app._get_current_object(), selected_jobs())
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: service.stop())
        click.echo(f"Scheduler starting with {len(service.jobs)} jobs; Ctrl+C to stop.")
        service.run()

    @app.cli.command("jobs")
    def jobs_command():
        """List the scheduled jobs with their schedule and last run."""
        from server.jobs.registry import selected_jobs
        from server.models import JobRun

        for spec in selected_jobs():
            last = db.session.execute(
                select(JobRun.fire_time, JobRun.status, JobRun.summary)
                .where(JobRun.job_id == spec.id, JobRun.fire_time == (
                    select(func.max(JobRun.fire_time)).where(JobRun.job_id == spec.id)
                    .scalar_subquery()))
            ).first()
            cron = " ".join(f"{k}={v}" for k, v in spec.cron.items())
            when = f"last {last.fire_time:%Y-%m-%d %H:%M:%S}Z {last.status}: {last.summary}" \
                if last else "never run"
            click.echo(f"{spec.id:28} {cron:18} {when}")

    @app.cli.command("run-job")
    @click.argument("job_id")
    def run_job_command(job_id):
        """Run one job now (claimed like a scheduled run, so never twice for one second)."""
        from server.jobs.registry import JOBS, find
        from server.jobs.runner import run_claimed

        spec = find(job_id)
        if spec is None:
            known = ", ".join(s.id for s in JOBS)
            raise click.ClickException(f"No job {job_id!r}. Jobs: {known}")
        status = run_claimed(current_app._get_current_object(), spec)
        if status != "ok":
            raise click.ClickException(f"job {job_id}: {status} (see the log line above)")
