"""A seeded Chợ Xanh server for the PWA benchmarks: the app alone, or behind a gzip front end.

    .venv/bin/python bench/pwa/serve.py [--port 5050] [--front-gzip]

Seeds the demo on a temporary SQLite file (`manage.py db upgrade`, `seed-demo`) and serves the
real Flask app and the built PWA (pwa/dist, or PWA_DIST) with `manage.py serve`, exactly as
`make run` does: the app sends the build's brotli or gzip copies itself (server/web.py).
`--front-gzip` instead runs the app in-process behind a small WSGI gzip middleware (level 6, like
nginx's `gzip on` or a CDN): how an older build, without those copies, was measured.

first_visit.py and lighthouse.py import `running_server()`.
"""

import argparse
import contextlib
import gzip
import logging
import sys
import tempfile
import threading
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT))

from werkzeug.serving import make_server  # noqa: E402

from tests.e2e.live_server import LiveServer, free_port  # noqa: E402

COMPRESSIBLE = (
    "text/", "application/javascript", "application/json", "application/manifest+json",
    "image/svg+xml",
)


class Gzip:
    """WSGI middleware: gzip text responses when the client accepts it (buffers the body)."""

    def __init__(self, app, level: int = 6, minimum: int = 256):
        self.app, self.level, self.minimum = app, level, minimum

    def __call__(self, environ, start_response):
        if "gzip" not in environ.get("HTTP_ACCEPT_ENCODING", "") or environ["REQUEST_METHOD"] in (
            "HEAD", "OPTIONS",
        ):
            return self.app(environ, start_response)
        captured, chunks = {}, []

        def capture(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers
            return chunks.append

        result = self.app(environ, capture)
        try:
            chunks.extend(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        status, headers = captured["status"], captured["headers"]
        body = b"".join(chunks)
        names = {name.lower(): value for name, value in headers}
        kind = names.get("content-type", "")
        if (
            status.startswith("200")
            and len(body) >= self.minimum
            and "content-encoding" not in names
            and kind.startswith(COMPRESSIBLE)
        ):
            body = gzip.compress(body, compresslevel=self.level, mtime=0)
            headers = [
                # Another representation of the same file: its validator becomes weak.
                (name, f"W/{value}" if name.lower() == "etag" and value.startswith('"') else value)
                for name, value in headers
                if name.lower() != "content-length"
            ] + [
                ("Content-Encoding", "gzip"),
                ("Content-Length", str(len(body))),
                ("Vary", "Accept-Encoding"),
            ]
        start_response(status, headers)
        return [body]


class GunicornServer(LiveServer):
    """The same app under a bare gunicorn (2 workers), as production runs it without nginx."""

    new_session = True

    def command(self) -> list[str]:
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        return [gunicorn, "-w", "2", "-b", f"127.0.0.1:{self.port}", "server:create_app()"]


@contextlib.contextmanager
def running_server(use_gzip: bool = False, port: int | None = None, gunicorn: bool = False):
    """Yields the base URL of a seeded server; stops it (and drops its data) afterwards."""
    with tempfile.TemporaryDirectory(prefix="cho-xanh-bench-") as tmp:
        live = (GunicornServer if gunicorn else LiveServer)(Path(tmp), port=port).prepare()
        if not use_gzip:
            live.start()
            try:
                yield live.url
            finally:
                live.stop()
            return
        from server import create_app

        app = create_app({key: live.env[key] for key in (
            "DATABASE_URL", "ATTACHMENTS_DIR", "INSTANCE_DIR",
        )})
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
        httpd = make_server("127.0.0.1", live.port, Gzip(app), threaded=True)
        thread = threading.Thread(target=httpd.serve_forever, daemon=True)
        thread.start()
        try:
            yield live.url
        finally:
            httpd.shutdown()
            thread.join()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=None)
    parser.add_argument("--front-gzip", action="store_true",
                        help="behind a WSGI gzip middleware, not `manage.py serve` alone")
    args = parser.parse_args()
    with running_server(use_gzip=args.front_gzip, port=args.port or free_port()) as url:
        mode = "behind gzip middleware" if args.front_gzip else "manage.py serve"
        print(f"serving {url}/ ({mode}); Ctrl+C to stop", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
