"""GET /reports/compliance.csv and .xlsx (DESIGN §5)."""

from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/api/v1")
