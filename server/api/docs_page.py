"""/api/docs: the OpenAPI document in Swagger UI, for people.

Swagger UI's files come from an installed package (flask-swagger-ui ships swagger-ui-dist;
we use its files, not its blueprint, whose page has an inline script). Our page and the small
script that points the viewer at /api/v1/openapi.json are in server/api/static, so the page
keeps the app's Content-Security-Policy (no inline script or style, nothing from a CDN)."""

from pathlib import Path

import flask_swagger_ui
from flask import Blueprint, abort, send_from_directory

bp = Blueprint("api_docs", __name__, url_prefix="/api/docs")
OURS = Path(__file__).with_name("static")
SWAGGER_UI = Path(flask_swagger_ui.__file__).with_name("dist")
SWAGGER_FILES = {"swagger-ui.css", "swagger-ui-bundle.js", "favicon-32x32.png"}


def _send(folder: Path, name: str):
    response = send_from_directory(folder, name, max_age=0)
    response.headers["Cache-Control"] = "no-cache"  # revalidate: the viewer follows upgrades
    return response


@bp.get("")
def page():
    return _send(OURS, "docs.html")


@bp.get("/<name>")
def asset(name: str):
    if name == "docs.js":
        return _send(OURS, name)
    if name in SWAGGER_FILES:
        return _send(SWAGGER_UI, name)
    abort(404)
