"""Serves the built PWA (pwa/dist) at / and sets the security headers of DESIGN §9."""

import logging
import mimetypes
import re
from pathlib import Path

from flask import Blueprint, abort, current_app, request, send_from_directory

bp = Blueprint("web", __name__)

# Python's table lacks the manifest type; with nosniff the browser needs it right.
mimetypes.add_type("application/manifest+json", ".webmanifest")
mimetypes.add_type("text/javascript", ".js")
mimetypes.add_type("application/geo+json", ".geojson")

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


# A client that puts a secret in a URL (ours never do) must not get it written to the access log:
# tokens, passwords, TOTP secrets, and the second factor's codes (otp=, code=).
SECRET_IN_TEXT = re.compile(
    r"(?i)((?:token|access_token|password|passwd|secret|otp)=|\bcode=|bearer\s+)[^&\s\"']+"
)
ACCESS_LOGGERS = ("werkzeug", "gunicorn.access", "gunicorn.error")


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return True
        redacted = SECRET_IN_TEXT.sub(r"\1[redacted]", message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def install_log_redaction() -> None:
    """Idempotent: create_app may run many times in one process (tests)."""
    for name in ACCESS_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactSecrets) for f in logger.filters):
            logger.addFilter(RedactSecrets())


def add_security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    # The app calls no other origin; its URLs (visit ids, filters) stay on the server.
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    # The inspector's phone needs its camera and position; nothing else, and no other frame.
    response.headers.setdefault(
        "Permissions-Policy", "camera=(self), geolocation=(self), microphone=(), payment=()"
    )
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
        response = send_built_file(dist, path)
        if path.startswith("assets/"):  # content-hashed names: cache for good
            response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        else:  # sw.js, index.html, manifest: always revalidate so updates arrive
            response.headers["Cache-Control"] = "no-cache"
        return response
    if "." in path.rsplit("/", 1)[-1]:
        abort(404)  # a missing file, not an app route
    if not (dist / "index.html").is_file():
        return NOT_BUILT, 503, {"Content-Type": "text/html; charset=utf-8"}
    response = send_built_file(dist, "index.html")
    response.headers["Cache-Control"] = "no-cache"
    return response


# The copies the PWA build writes beside each text file (pwa/vite-plugins/precompress.js),
# best first.
PRECOMPRESSED = (("br", ".br"), ("gzip", ".gz"))


def send_built_file(dist: Path, path: str):
    """A file of the built PWA, as its brotli or gzip copy when the client accepts that encoding
    (the app serves itself compressed, with no front end: issue #15). A copy older than its file
    (the file was changed after the build) is never served."""
    target = dist / path
    mimetype = mimetypes.guess_type(target.name)[0]
    for coding, suffix in PRECOMPRESSED:
        packed = target.with_name(target.name + suffix)
        if (request.accept_encodings[coding] > 0 and packed.is_file()
                and packed.stat().st_mtime >= target.stat().st_mtime):
            response = send_from_directory(dist, path + suffix, mimetype=mimetype)
            response.headers["Content-Encoding"] = coding
            break
    else:
        response = send_from_directory(dist, path)
    response.vary.add("Accept-Encoding")  # caches must keep each encoding apart
    return response
