"""The declarative list of scheduled jobs (DESIGN §8), like redash's periodic jobs.

Each job has a stable id (it keys the per-run claims in job_run, so never rename one lightly),
a textual "module:function" reference resolved only when the job runs (so this list imports
nothing heavy and a job's module may be written elsewhere), a cron schedule in Asia/Ho_Chi_Minh
and a grace period: how late a fire time may still run, e.g. after the scheduler was down or a
standby took over (then the leader catches up the latest missed fire time, once).

A job function takes no arguments, runs inside an app context, opens its own transaction(s)
and may return a short summary (str or dict) that goes into the log line and job_run.
"""

import importlib
import os
from dataclasses import dataclass, field

TIMEZONE = "Asia/Ho_Chi_Minh"
MINUTE, HOUR = 60, 3600


@dataclass(frozen=True)
class JobSpec:
    id: str
    ref: str  # "package.module:function"
    cron: dict = field(default_factory=dict)  # apscheduler CronTrigger fields
    grace_seconds: int = 60
    description: str = ""


JOBS: tuple[JobSpec, ...] = (
    JobSpec(
        "indicator.recompute_dirty",
        "server.indicator.snapshots:recompute_dirty",
        {"minute": "*"},
        grace_seconds=30,
        description="recompute the indicator snapshots an org-unit import made stale",
    ),
    JobSpec(
        "indicator.recompute_nightly",
        "server.indicator.snapshots:recompute_nightly",
        {"hour": 1, "minute": 0},
        grace_seconds=6 * HOUR,
        description="nightly indicator snapshots per period and unit",
    ),
    JobSpec(
        "markets.apply_moves",
        "server.markets.moves:apply_due_moves",
        {"hour": 0, "minute": 5},
        grace_seconds=20 * HOUR,  # a scheduler started later that day still applies them
        description="markets whose move to another org unit takes effect today",
    ),
    JobSpec(
        "markets.overdue",
        "server.markets.overdue:refresh_overdue_markets",
        {"minute": 5},
        # As long as the period: a scheduler that starts computes the list at once.
        grace_seconds=HOUR,
        description="markets not visited for OVERDUE_DAYS days",
    ),
    JobSpec(
        "auth.expire_tokens",
        "server.auth.expiry:expire_device_tokens",
        {"hour": 2, "minute": 0},
        grace_seconds=6 * HOUR,
        description="delete device tokens expired or revoked long ago",
    ),
    JobSpec(
        "auth.purge_login_failures",
        "server.auth.expiry:purge_login_failures",
        {"minute": 20},
        grace_seconds=HOUR,
        description="forget failed logins older than the throttling window",
    ),
    JobSpec(
        "sync.purge",
        "server.sync.purge:purge_sync_log",
        {"hour": 3, "minute": 0},
        grace_seconds=6 * HOUR,
        description="purge change-log and applied-mutation rows no phone still needs",
    ),
    JobSpec(
        "attachments.delete_orphans",
        "server.attachments.orphans:delete_orphan_photos",
        {"hour": 4, "minute": 30},  # after the 02:15 backup of docs/DEPLOY.md
        grace_seconds=6 * HOUR,
        description="delete photos no visit references, ORPHAN_PHOTO_DAYS after upload "
                    "(off by default)",
    ),
    JobSpec(
        "jobs.purge_history",
        "server.jobs.runner:purge_job_history",
        {"hour": 3, "minute": 30},
        grace_seconds=6 * HOUR,
        description="forget job_run rows older than JOB_RUN_RETENTION_DAYS",
    ),
    JobSpec(
        "audit.retention",
        "server.audit.retention:purge_audit_events",
        {"hour": 3, "minute": 45},
        grace_seconds=20 * HOUR,
        description="delete audit events older than AUDIT_RETENTION_DAYS (0: kept forever)",
    ),
)

# A fast list for the two-process guard test (tests/jobs/test_scheduler_processes.py).
TEST_JOBS: tuple[JobSpec, ...] = (
    JobSpec("test.tick", "server.jobs.testing:tick", {"second": "*/2"}, grace_seconds=1),
)
TEST_JOBS_ENV = "CHOXANH_SCHEDULER_TEST_JOBS"


def selected_jobs() -> tuple[JobSpec, ...]:
    return TEST_JOBS if os.environ.get(TEST_JOBS_ENV) == "1" else JOBS


def resolve(ref: str):
    module_name, _, function_name = ref.partition(":")
    return getattr(importlib.import_module(module_name), function_name)


def find(job_id: str) -> JobSpec | None:
    return next((spec for spec in JOBS + TEST_JOBS if spec.id == job_id), None)
