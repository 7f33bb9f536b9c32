"""Job and security settings: from the app config when set there (tests), else the environment,
else the default. Documented in the README section "Configuration"."""

import os

from flask import current_app

DEFAULTS = {
    # A market with no visit for this many days is "due for inspection" (Cần kiểm tra).
    "OVERDUE_DAYS": 30,
    # Change-log rows older than this may be purged; a phone whose cursor is older gets 410
    # cursor_expired and pulls its visible set again.
    "CHANGE_LOG_RETENTION_DAYS": 30,
    # Applied-mutation rows (what makes a retried push `duplicate`) are kept this long, and
    # never less than the token lifetime (TOKEN_TTL_DAYS).
    "APPLIED_MUTATION_RETENTION_DAYS": 60,
    # Expired or revoked device tokens stay this long in the admin's device list, then go.
    "EXPIRED_TOKEN_RETENTION_DAYS": 30,
    # Photos no visit references are deleted this many days after upload (the
    # attachments.delete_orphans job); 0 = never (the default: photos are evidence).
    "ORPHAN_PHOTO_DAYS": 0,
    # The scheduler's own history (job_run rows).
    "JOB_RUN_RETENTION_DAYS": 14,
    # Audit events older than this many days are deleted by the daily audit.retention job;
    # 0 keeps them forever (the default: the trail is evidence).
    "AUDIT_RETENTION_DAYS": 0,
    # How often a standby scheduler tries to become the leader, and the leader checks it
    # still is (seconds).
    "SCHEDULER_POLL_SECONDS": 5.0,
    # Roles that must turn on two-factor sign-in (TOTP), comma-separated, e.g.
    # "admin,city_officer". Until they do, their tokens open only /me, sign-out and the
    # enrolment routes (403 totp_enrolment_required elsewhere). Empty: nobody must.
    "TOTP_REQUIRED_ROLES": "",
}


def setting(name: str, app=None):
    app = app or current_app
    if name in app.config:
        return type(DEFAULTS[name])(app.config[name])
    if name in os.environ:
        return type(DEFAULTS[name])(os.environ[name])
    return DEFAULTS[name]
