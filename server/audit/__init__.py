"""The audit trail (issue #17): `record()` an administrative act inside its own transaction;
the admin's list and CSV of events; the retention job. Every writer that does an audited act
imports `server.audit.record`; this package imports only core and models."""
