"""The audit trail of administrative acts (issue #17): one row per act, written in the act's
own transaction by server/audit/record.py, never changed afterwards.

On PostgreSQL a trigger refuses UPDATE, DELETE and TRUNCATE on the table. The one exception
is the retention job (server/audit/retention.py): it sets the transaction-local variable
`choxanh.audit_purge_before` to its cutoff, and the trigger lets a DELETE through only for a
row older than that cutoff. The same SQL is in migration 0005 (a migration keeps its own copy);
here it is attached to the table so that `create_all` (the tests) makes the trigger too."""

from datetime import datetime

from sqlalchemy import DDL, JSON, BigInteger, DateTime, Index, Integer, String, event
from sqlalchemy.orm import Mapped, mapped_column

from server.core.extensions import db
from server.core.timeutil import utcnow

BigId = BigInteger().with_variant(Integer, "sqlite")

PURGE_VARIABLE = "choxanh.audit_purge_before"

APPEND_ONLY_FUNCTION = f"""
CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND OLD.at <
            NULLIF(current_setting('{PURGE_VARIABLE}', true), '')::timestamp THEN
        RETURN OLD;  -- the retention job, deleting rows older than its cutoff
    END IF;
    RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
        MESSAGE = 'audit_event is append-only: ' || TG_OP || ' refused';
END
$$ LANGUAGE plpgsql
"""
APPEND_ONLY_TRIGGERS = (
    "CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_event "
    "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()",
    "CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()",
)


class AuditEvent(db.Model):
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    # No foreign key: the trail outlives what it names, and must never be updated by a cascade.
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor_username: Mapped[str | None] = mapped_column(String(64), index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    target_type: Mapped[str] = mapped_column(String(32), index=True)
    target_id: Mapped[str | None] = mapped_column(String(128))
    target_label: Mapped[str | None] = mapped_column(String(300))
    details: Mapped[dict] = mapped_column(JSON)
    ip: Mapped[str | None] = mapped_column(String(64))
    device_id: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (Index("ix_audit_event_target", "target_type", "target_id"),)


event.listen(AuditEvent.__table__, "after_create",
             DDL(APPEND_ONLY_FUNCTION).execute_if(dialect="postgresql"))
for _statement in APPEND_ONLY_TRIGGERS:
    event.listen(AuditEvent.__table__, "after_create",
                 DDL(_statement).execute_if(dialect="postgresql"))
