from flask import Blueprint, current_app
from marshmallow import Schema, fields
from sqlalchemy import text

from server.core.apidoc import doc
from server.core.extensions import db
from server.core.http import API_PREFIX

bp = Blueprint("health", __name__, url_prefix=API_PREFIX)


class HealthOut(Schema):
    """Up, and whether the database answers (503: degraded, the database does not)."""

    status = fields.String()
    database = fields.String()
    version = fields.String()
    support_contact = fields.String(
        metadata={"description": "who helps when locked out (SUPPORT_CONTACT); '' when unset"}
    )


@bp.get("/health")
@doc(tags=["meta"], responses={200: HealthOut, 503: HealthOut}, auth=False)
def health():
    """Is the server up and can it reach its database?"""
    try:
        db.session.execute(text("SELECT 1"))
        database = "ok"
    except Exception:  # the point of this route is to report, not to raise
        current_app.logger.exception("health check: database unreachable")
        db.session.rollback()
        database = "error"
    body = {
        "status": "ok" if database == "ok" else "degraded",
        "database": database,
        "version": current_app.config["VERSION"],
        "support_contact": current_app.config.get("SUPPORT_CONTACT", ""),
    }
    return body, 200 if database == "ok" else 503
