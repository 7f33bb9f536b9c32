"""GET /indicator and /indicator/markets (DESIGN §7)."""

from flask import Blueprint

bp = Blueprint("indicator", __name__, url_prefix="/api/v1")
