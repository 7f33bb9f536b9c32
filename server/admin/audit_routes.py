"""GET /admin/audit and /admin/audit.csv: the audit trail (server/audit/), admins only. No
route changes or deletes an event (issue #17)."""

from flask import Response

from server.admin import bp
from server.audit.queries import CSV_COLUMNS, events_csv, list_events
from server.audit.schemas import AuditPage, AuditPageQuery, AuditQuery
from server.auth.tokens import require_auth
from server.core.apidoc import Body, doc
from server.core.queryparams import load_query


@bp.get("/audit")
@require_auth("admin")
@doc(tags=["admin"], query=AuditPageQuery, responses={200: AuditPage}, errors=(400, 401, 403))
def audit_index():
    """Audit events, newest first (filters: action, actor's username, target_type, since,
    until), a page at a time: pass the answer's `cursor` for the next, older page."""
    return list_events(load_query(AuditPageQuery()))


@bp.get("/audit.csv")
@require_auth("admin")
@doc(tags=["admin"], query=AuditQuery, errors=(400, 401, 403),
     responses={200: Body(
         "UTF-8 CSV with BOM, newest first, the rows of GET /admin/audit with the same "
         "filters: " + ", ".join(CSV_COLUMNS) + " (details as JSON)",
         {"text/csv": {"schema": {"type": "string"}}})})
def audit_csv():
    """Every audit event matching the filters, as CSV."""
    body = events_csv(load_query(AuditQuery()))
    return Response(body.encode("utf-8"), mimetype="text/csv", headers={
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": 'attachment; filename="audit.csv"',
    })
