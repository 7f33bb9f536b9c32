"""The inspector's visits waiting on the phone survive an app update, in a real Chromium
against a real server (DESIGN §5): the web host serves a new build while the API is down, the
phone updates, and the visits are sent once the server is back. Helpers: tests/e2e/helpers.py."""

import hashlib
import http.server
import shutil
import threading
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import (
    HTTP_TIMEOUT,
    MARKETS,
    WAIT_MS,
    assert_holds_with_photos,
    photos,
    restart,
)
from tests.e2e.live_server import REPO_ROOT

pytestmark = pytest.mark.e2e

# ---------------------------------------------------------- 3. an app update while visits wait


class StaticHost:
    """The web host answers with a new build while the API is still down (503): how a phone
    meets an app update before it can send. Serves `dist` like the Flask server does (files,
    or index.html for app routes), on the live server's port, so the origin is the same."""

    def __init__(self, dist: Path, port: int):
        root = dist

        class Handler(http.server.SimpleHTTPRequestHandler):
            extensions_map = {
                **http.server.SimpleHTTPRequestHandler.extensions_map,
                ".js": "text/javascript",
                ".webmanifest": "application/manifest+json",
            }

            def __init__(self, *args, **kwargs):
                super().__init__(*args, directory=str(root), **kwargs)

            def end_headers(self):
                self.send_header("Cache-Control", "no-cache")
                super().end_headers()

            def do_GET(self):
                path = self.path.split("?", 1)[0]
                if path.startswith("/api/"):
                    body = b'{"error": {"code": "unavailable", "message": "Maintenance."}}'
                    self.send_response(503)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                if not (root / path.lstrip("/")).is_file():
                    path = "/index.html"  # an app route
                self.path = path
                super().do_GET()

            do_HEAD = do_GET
            do_POST = do_GET
            do_PUT = do_GET

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=HTTP_TIMEOUT)


def new_release(dist: Path, target: Path, marker: str) -> Path:
    """A copy of the build whose index.html and service worker differ, as a new release's do:
    index.html carries `marker`, and sw.js precaches it under its new revision (MD5, as
    Workbox's injectManifest computes it)."""
    shutil.copytree(dist, target)
    index = target / "index.html"
    old_revision = hashlib.md5(index.read_bytes()).hexdigest()  # Workbox's revision
    html = index.read_text(encoding="utf-8")
    index.write_text(
        html.replace("<head>", f'<head>\n    <meta name="cho-xanh-release" content="{marker}" />',
                     1),
        encoding="utf-8",
    )
    new_revision = hashlib.md5(index.read_bytes()).hexdigest()
    sw = target / "sw.js"
    text = sw.read_text(encoding="utf-8")
    assert text.count(old_revision) == 1, "index.html's precache revision not found in sw.js"
    sw.write_text(text.replace(old_revision, new_revision), encoding="utf-8")
    return target


def release_marker(page: Page) -> str | None:
    return page.evaluate(
        "() => document.querySelector('meta[name=cho-xanh-release]')?.content ?? null"
    )


def test_visits_waiting_on_the_phone_survive_an_app_update(inspector, server, view, tmp_path):
    inspector.login_and_load_markets()
    assert release_marker(inspector.page) is None
    server.stop()
    files = photos(tmp_path, 2)
    for i, market in enumerate(MARKETS[:2]):
        inspector.record_visit(market, total=20 + i, using=0, files=[files[i]])
    inspector.expect_waiting(2)

    dist = new_release(REPO_ROOT / "pwa" / "dist", tmp_path / "dist-next", marker="e2e-next")
    with StaticHost(dist, server.port):
        inspector.page.reload()  # the navigation makes the browser look for a new sw.js
        update = inspector.syncbar.get_by_role("button", name="Cập nhật")
        update.wait_for(timeout=WAIT_MS)
        expect(inspector.syncbar).to_contain_text("Đã có phiên bản mới của ứng dụng.")
        inspector.expect_cards(MARKETS[:2], "Chờ gửi")

        with inspector.page.expect_event("load", timeout=WAIT_MS):
            update.click()  # the new worker takes over, the page reloads on it
        inspector.page.get_by_role("heading", name="Lượt kiểm tra của tôi").wait_for()
        assert release_marker(inspector.page) == "e2e-next"
        inspector.expect_cards(MARKETS[:2], "Chờ gửi")
        inspector.expect_waiting(2)
        ids = {market: inspector.visit_id(market) for market in MARKETS[:2]}

    restart(server, PWA_DIST=str(dist))
    inspector.sync()
    inspector.expect_waiting(0)
    inspector.expect_cards(MARKETS[:2], "Đã gửi")
    assert release_marker(inspector.page) == "e2e-next"
    assert_holds_with_photos(view, ids, photo_count=1)
