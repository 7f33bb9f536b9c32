"""Serves the built PWA (pwa/dist) at / and sets the security headers of DESIGN §9."""

import mimetypes
from pathlib import Path

from flask import Blueprint, abort, current_app, request, send_from_directory

bp = Blueprint("web", __name__)

# Python's table lacks the manifest type; with nosniff the browser needs it right.
mimetypes.add_type("application/manifest+json", ".webmanifest")
mimetypes.add_type("text/javascript", ".js")

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' blob: data:",
        "connect-src 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

NOT_BUILT = """<!doctype html><html lang="vi"><meta charset="utf-8"><title>Chợ Xanh</title>
<p>Ứng dụng chưa được build. Chạy <code>make run</code>.
(The PWA is not built: run <code>make run</code>.)</p></html>"""


def add_security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    if request.path.startswith("/api/"):
        response.headers.setdefault("Cache-Control", "no-store")
    return response


@bp.get("/", defaults={"path": ""})
@bp.get("/<path:path>")
def pwa(path: str):
    if path.startswith("api/"):
        abort(404)  # unknown API routes get the JSON 404, never the app shell
    dist = Path(current_app.config["PWA_DIST"])
    if path and (dist / path).is_file():
        response = send_from_directory(dist, path)
        if path.startswith("assets/"):  # content-hashed names: cache for good
            response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        else:  # sw.js, index.html, manifest: always revalidate so updates arrive
            response.headers["Cache-Control"] = "no-cache"
        return response
    if "." in path.rsplit("/", 1)[-1]:
        abort(404)  # a missing file, not an app route
    if not (dist / "index.html").is_file():
        return NOT_BUILT, 503, {"Content-Type": "text/html; charset=utf-8"}
    response = send_from_directory(dist, "index.html")
    response.headers["Cache-Control"] = "no-cache"
    return response
