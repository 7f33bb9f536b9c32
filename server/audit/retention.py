"""The audit trail's retention (setting AUDIT_RETENTION_DAYS; 0, the default: kept forever).

On PostgreSQL the table's trigger refuses every DELETE (models/audit.py) except for rows older
than the transaction-local variable `choxanh.audit_purge_before`, which only this job sets, with
SET LOCAL semantics (`set_config(..., true)`): it ends with the transaction, so no other
statement of the connection inherits it. Chosen over a SECURITY DEFINER function because the
deployment has one database role: a definer function would not keep anyone out that the
variable lets in, and the variable is one line in the trigger and one here. The trigger guards
the trail against the application and its mistakes, not against the database's owner (who can
drop the trigger)."""

from datetime import timedelta

from sqlalchemy import delete, text

from server.core.extensions import begin_write, db
from server.core.settings import setting
from server.core.timeutil import utcnow
from server.models import AuditEvent
from server.models.audit import PURGE_VARIABLE


def purge_audit_events(now=None) -> dict:
    days = setting("AUDIT_RETENTION_DAYS")
    if days <= 0:
        return {"audit_events_deleted": 0, "retention": "forever"}
    cutoff = (now or utcnow()) - timedelta(days=days)
    begin_write()
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT set_config(:name, :value, true)"),
                           {"name": PURGE_VARIABLE, "value": cutoff.isoformat(sep=" ")})
    deleted = db.session.execute(delete(AuditEvent).where(AuditEvent.at < cutoff)).rowcount
    db.session.commit()
    return {"audit_events_deleted": deleted, "retention_days": days}
