"""Liveness, database and photo-store checks for operators and load balancers."""
from flask import Blueprint, current_app
from marshmallow import Schema, fields
from sqlalchemy import text

from server.admin.settings import support_contact
from server.attachments.stores import StoreUnavailable, current_store
from server.core.apidoc import doc
from server.core.extensions import db
from server.core.http import API_PREFIX

bp = Blueprint("health", __name__, url_prefix=API_PREFIX)


class HealthOut(Schema):
    """Up, and whether the database and the photo store answer. `degraded` with HTTP 200 when
    only the photo store does not (photos wait on the phones; everything else works); 503 when
    the database does not."""

    status = fields.String()
    database = fields.String()
    attachments = fields.String(metadata={"enum": ["ok", "unavailable"]})
    version = fields.String()
    support_contact = fields.String(
        metadata={"description": "who helps when locked out: the admin's text (PUT "
                              "/admin/settings), else SUPPORT_CONTACT; '' when neither is set"}
    )


def _database() -> str:
    try:
        db.session.execute(text("SELECT 1"))
        return "ok"
    except Exception:  # the point of this route is to report, not to raise
        current_app.logger.exception("health check: database unreachable")
        db.session.rollback()
        return "error"


def _attachments() -> str:
    try:
        current_store().check()
        return "ok"
    except StoreUnavailable as exc:
        current_app.logger.warning("health check: attachment store unavailable: %s", exc)
        return "unavailable"


@bp.get("/health")
@doc(tags=["meta"], responses={200: HealthOut, 503: HealthOut}, auth=False)
def health():
    """Is the server up, can it reach its database and its photo store?"""
    database, attachments = _database(), _attachments()
    body = {
        "status": "ok" if database == "ok" and attachments == "ok" else "degraded",
        "database": database,
        "attachments": attachments,
        "version": current_app.config["VERSION"],
        "support_contact": support_contact() if database == "ok" else
        current_app.config.get("SUPPORT_CONTACT", ""),
    }
    return body, 200 if database == "ok" else 503
