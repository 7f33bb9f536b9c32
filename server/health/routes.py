from flask import Blueprint, current_app
from sqlalchemy import text

from server.api import API_PREFIX
from server.extensions import db

bp = Blueprint("health", __name__, url_prefix=API_PREFIX)


@bp.get("/health")
def health():
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
    }
    return body, 200 if database == "ok" else 503
