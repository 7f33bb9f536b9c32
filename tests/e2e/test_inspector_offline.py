"""The inspector's day without signal, in a real Chromium against a real server (DESIGN §5, §6).

"No signal" is the server being down: Playwright's offline mode does not cover the service
worker's traffic. Every test restarts the server on the same port and SQLite file, so the phone's
origin (its service worker, IndexedDB and outbox) stays the same across the outage.

What the server holds is read through the API as the city officer (`thanhpho`) or the ward
officer (`phuong`), and, where the API cannot tell (duplicates, what was committed before a
crash), straight from the SQLite file.

The helpers at the top (Inspector, ServerView, …) are also used by bench/pwa/screenshots.py and
bench/pwa/lighthouse.py, so the screenshots and the audits show the screens these tests drive.
"""

import hashlib
import http.server
import shutil
import sqlite3
import struct
import threading
import zlib
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PHONE
from tests.e2e.live_server import REPO_ROOT, LiveServer

pytestmark = pytest.mark.e2e

PASSWORD = "ChoXanh@2023"
INSPECTOR = "kiemtra"  # Phường Hai Bà Trưng (since 1 July 2025)
WARD_OFFICER = "phuong"  # the same ward
CITY_OFFICER = "thanhpho"
# Three markets of the inspector's ward; the phone stands at the first one.
MARKETS = ["Chợ Bạch Đằng (demo)", "Chợ Bạch Đằng số 3 (demo)", "Chợ Lê Đại Hành (demo)"]
AT_FIRST_MARKET = {"latitude": 21.00996, "longitude": 105.86012, "accuracy": 15}
WAIT_MS = 30_000  # for conditions that need a sync round on a loaded 2-core machine
HTTP_TIMEOUT = 20
FAULT = {"CHOXANH_FAULTS": "push_after_commit"}


# ---------------------------------------------------------------- test data


def make_png(path: Path, rgb: tuple[int, int, int], size: tuple[int, int] = (320, 240)) -> Path:
    """A small solid-colour PNG (no imaging library needed); the app re-encodes it as JPEG."""
    width, height = size
    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
    return path


PHOTO_COLOURS = [(46, 125, 79), (200, 120, 30), (40, 90, 170), (150, 40, 60)]


def photos(directory: Path, count: int) -> list[Path]:
    """`count` distinct photos (distinct bytes, so distinct SHA-256 names on the server)."""
    return [
        make_png(directory / f"photo-{i}.png", PHOTO_COLOURS[i % len(PHOTO_COLOURS)])
        for i in range(count)
    ]


# ---------------------------------------------------------------- the phone


def new_phone(browser, **overrides):
    """A fresh profile sized like the inspectors' phones, standing at Chợ Bạch Đằng with GPS on."""
    options = {**PHONE, "geolocation": AT_FIRST_MARKET, "permissions": ["geolocation"], **overrides}
    return browser.new_context(**options)


class Inspector:
    """What the inspector does on the phone, through roles and visible text only."""

    def __init__(self, page: Page, server: LiveServer):
        self.page = page
        self.server = server

    # navigation and status ------------------------------------------------------------

    @property
    def syncbar(self):
        return self.page.get_by_role("region", name="Trạng thái đồng bộ")

    def tab(self, name: str) -> None:
        self.page.get_by_role("navigation").get_by_role("link", name=name).click()

    def open_visits(self) -> None:
        self.tab("Lượt kiểm tra")
        self.page.get_by_role("heading", name="Lượt kiểm tra của tôi").wait_for()

    def card(self, market: str):
        """The visit's card in "Lượt kiểm tra của tôi" (one visit per market in these tests)."""
        return self.page.get_by_role("listitem").filter(
            has=self.page.get_by_role("link", name=market, exact=True)
        )

    def expect_cards(self, markets: list[str], state: str, total: int | None = None) -> None:
        """These markets' cards show `state`; the list holds `total` visits (default: these)."""
        for market in markets:
            expect(self.card(market)).to_contain_text(state, timeout=WAIT_MS)
        expect(self.page.locator("li.visit")).to_have_count(total or len(markets), timeout=WAIT_MS)

    def expect_waiting(self, count: int) -> None:
        text = f"{count} lượt chờ gửi" if count else "Đã gửi hết"
        expect(self.syncbar.get_by_role("status")).to_have_text(text, timeout=WAIT_MS)

    def visit_id(self, market: str) -> str:
        href = self.page.get_by_role("link", name=market, exact=True).get_attribute("href")
        return href.rsplit("/", 1)[-1]

    def sync(self) -> None:
        """Press "Đồng bộ ngay" (waits while a sync already runs: the button is disabled)."""
        self.syncbar.get_by_role("button", name="Đồng bộ ngay").click()

    def wait_until_offline_ready(self) -> None:
        self.page.wait_for_function("() => navigator.serviceWorker.controller !== null")

    # screens ---------------------------------------------------------------------------

    def login(self, username: str = INSPECTOR, password: str = PASSWORD, *, goto=True) -> None:
        if goto:
            self.page.goto(self.server.url + "/")
        self.page.get_by_role("heading", name="Đăng nhập").wait_for()
        self.page.get_by_label("Tên đăng nhập").fill(username)
        self.page.get_by_label("Mật khẩu").fill(password)
        self.page.get_by_role("button", name="Đăng nhập").click()

    def login_and_load_markets(self) -> None:
        """Online once: sign in, pull the markets, and let the service worker take over."""
        self.login()
        self.page.get_by_role("heading", name="Chọn chợ").wait_for()
        self.page.get_by_role("link", name=MARKETS[0]).first.wait_for(timeout=WAIT_MS)
        self.wait_until_offline_ready()

    def open_market(self, market: str) -> None:
        if not self.page.get_by_role("heading", name="Chọn chợ").is_visible():
            self.tab("Chọn chợ")
        self.page.get_by_label("Tìm chợ").fill(market)
        self.page.get_by_role("link", name=market).first.click()
        self.page.get_by_role("heading", name="Phiếu kiểm tra").wait_for()

    def fill_answers(self, total: int, using: int, notes: str = "") -> None:
        page = self.page
        page.get_by_label("Số hộ kinh doanh được kiểm tra").fill(str(total))
        page.get_by_label("Số hộ sử dụng túi nilon khó phân hủy").fill(str(using))
        page.get_by_label("Túi giấy").check()
        page.get_by_label("Khách tự mang túi").check()
        page.get_by_role("group", name="Có biển").get_by_label("Có", exact=True).check()
        page.get_by_role("group", name="Đã tuyên truyền").get_by_label("Có", exact=True).check()
        if notes:
            page.get_by_label("Ghi chú").fill(notes)

    def add_photos(self, files: list[Path]) -> None:
        """Through the "Chọn ảnh" button, as a person would (the app downscales on a canvas)."""
        with self.page.expect_file_chooser() as chooser:
            self.page.get_by_role("button", name="Chọn ảnh").click()
        chooser.value.set_files([str(f) for f in files])
        expect(self.page.get_by_text(f"{len(files)}/5 ảnh", exact=True)).to_be_visible()

    def save(self, button: str = "Lưu phiếu") -> None:
        self.page.get_by_role("button", name=button).click()
        self.page.get_by_role("heading", name="Lượt kiểm tra của tôi").wait_for()

    def record_visit(self, market: str, total: int, using: int, files: list[Path],
                     notes: str = "") -> None:
        self.open_market(market)
        self.fill_answers(total, using, notes)
        if files:
            self.add_photos(files)
        self.save()

    def idb_meta(self, key: str):
        """A value of the app's IndexedDB `meta` store (e.g. the bearer token)."""
        return self.page.evaluate(
            """(key) => new Promise((resolve, reject) => {
                 const open = indexedDB.open('cho-xanh');
                 open.onerror = () => reject(open.error);
                 open.onsuccess = () => {
                   const db = open.result;
                   const get = db.transaction('meta').objectStore('meta').get(key);
                   get.onsuccess = () => { resolve(get.result ?? null); db.close(); };
                   get.onerror = () => { reject(get.error); db.close(); };
                 };
               })""",
            key,
        )


# ---------------------------------------------------------------- the server side


class ServerView:
    """What the server holds, through the API (as any demo user) and its SQLite file."""

    def __init__(self, server: LiveServer):
        self.server = server
        self.db_path = server.db_path
        self.tokens: dict[str, str] = {}

    def token(self, username: str) -> str:
        if username not in self.tokens:
            self.tokens[username] = self.login(username)
        return self.tokens[username]

    def login(self, username: str) -> str:
        response = requests.post(
            f"{self.server.url}/api/v1/auth/token",
            json={"username": username, "password": PASSWORD, "device_id": f"e2e-{username}"},
            timeout=HTTP_TIMEOUT,
        )
        assert response.status_code == 201, response.text
        return response.json()["token"]

    def visits(self, username: str = CITY_OFFICER) -> dict[str, dict]:
        """Every visit `username` can see, by id, from a full pull."""
        headers = {"Authorization": f"Bearer {self.token(username)}"}
        visits, cursor = {}, None
        while True:
            params = {"limit": 500, **({"cursor": cursor} if cursor else {})}
            response = requests.get(
                f"{self.server.url}/api/v1/sync/pull", params=params, headers=headers,
                timeout=HTTP_TIMEOUT,
            )
            assert response.status_code == 200, response.text
            body = response.json()
            for change in body["changes"]:
                if change["entity"] != "visit":
                    continue
                if change["op"] == "delete":
                    visits.pop(change["id"], None)
                else:
                    visits[change["id"]] = change["data"]
            cursor = body["cursor"]
            if not body["has_more"]:
                return visits

    def attachment(self, sha256: str, username: str = CITY_OFFICER) -> bytes:
        response = requests.get(
            f"{self.server.url}/api/v1/attachments/{sha256}",
            headers={"Authorization": f"Bearer {self.token(username)}"}, timeout=HTTP_TIMEOUT,
        )
        assert response.status_code == 200, response.text
        return response.content

    def push(self, username: str, mutations: list[dict]) -> list[dict]:
        response = requests.post(
            f"{self.server.url}/api/v1/sync/push",
            json={"device_id": f"e2e-{username}", "mutations": mutations},
            headers={"Authorization": f"Bearer {self.token(username)}"}, timeout=HTTP_TIMEOUT,
        )
        assert response.status_code == 200, response.text
        return response.json()["results"]

    def sql(self, query: str, *args) -> list[tuple]:
        """Runs one statement (committed) on the server's SQLite file; returns its rows."""
        with closing(sqlite3.connect(self.db_path)) as conn, conn:
            return conn.execute(query, args).fetchall()

    def count(self, table: str) -> int:
        return self.sql(f"SELECT COUNT(*) FROM {table}")[0][0]


def restart(server: LiveServer, **env: str) -> LiveServer:
    """Start the server again on the same port and database, with exactly `env` on top."""
    server.stop()
    for key in ("CHOXANH_FAULTS", "PWA_DIST"):
        server.env.pop(key, None)
    server.env.update(env)
    return server.start()


def assert_holds_with_photos(view: ServerView, ids: dict[str, str], photo_count: int) -> dict:
    """The server holds exactly these visits ({market: id}), each with its photos stored."""
    visits = view.visits()
    assert sorted(visits) == sorted(ids.values())
    assert view.count("visit") == len(ids), "the server holds a visit twice"
    for visit in visits.values():
        assert visit["status"] == "submitted"
        assert len(visit["attachments"]) == photo_count
        assert visit["missing_attachments"] == []
        for sha256 in visit["attachments"]:
            stored = view.attachment(sha256)
            assert stored[:3] == b"\xff\xd8\xff", "the phone sends JPEG"
            assert hashlib.sha256(stored).hexdigest() == sha256
    return visits


# ---------------------------------------------------------------- fixtures


@pytest.fixture
def inspector(browser, server):
    context = new_phone(browser)
    page = context.new_page()
    yield Inspector(page, server)
    context.close()


@pytest.fixture
def view(server):
    return ServerView(server)


# ---------------------------------------------------------------- 1. offline round trip


def test_three_visits_recorded_offline_survive_a_reload_and_reach_the_server(
    inspector, server, view, tmp_path
):
    inspector.login_and_load_markets()
    server.stop()  # no signal from here on

    files = photos(tmp_path, 3)
    for i, market in enumerate(MARKETS):
        inspector.record_visit(market, total=40 + i, using=i, files=[files[i]],
                               notes=f"Ghi offline {i + 1}")
    inspector.expect_cards(MARKETS, "Chờ gửi")
    inspector.expect_waiting(3)

    inspector.page.reload()  # the app opens from the service worker, the outbox is intact
    inspector.page.get_by_role("heading", name="Lượt kiểm tra của tôi").wait_for()
    inspector.expect_cards(MARKETS, "Chờ gửi")
    inspector.expect_waiting(3)
    ids = {market: inspector.visit_id(market) for market in MARKETS}

    server.start()
    inspector.sync()
    inspector.expect_waiting(0)
    inspector.expect_cards(MARKETS, "Đã gửi")

    visits = assert_holds_with_photos(view, ids, photo_count=1)
    for i, market in enumerate(MARKETS):
        answers = visits[ids[market]]["answers"]
        assert (answers["stalls_total"], answers["stalls_using_nondegradable"]) == (40 + i, i)
        assert answers["notes"] == f"Ghi offline {i + 1}"
        assert visits[ids[market]]["compliant"] is (i == 0)


# ---------------------------------------------------------- 2. crash between commit and answer


def test_a_server_killed_between_commit_and_answer_applies_each_visit_once(
    inspector, server, view, tmp_path
):
    inspector.login_and_load_markets()
    server.stop()
    files = photos(tmp_path, 3)
    for i, market in enumerate(MARKETS):
        inspector.record_visit(market, total=30 + i, using=1, files=[files[i]])
    inspector.open_visits()
    inspector.expect_waiting(3)
    ids = {market: inspector.visit_id(market) for market in MARKETS}

    # The server commits the push (all its mutations, one transaction), then dies (SIGKILL)
    # before answering.
    restart(server, **FAULT)
    inspector.sync()
    assert server.process.wait(timeout=HTTP_TIMEOUT) == -9
    assert view.count("visit") == 3, "the push was committed before the crash"
    expect(inspector.syncbar).to_contain_text("Chưa đồng bộ được", timeout=WAIT_MS)
    inspector.expect_waiting(3)  # the phone never got an answer: all three still wait
    inspector.expect_cards(MARKETS, "Chờ gửi")

    restart(server)  # without the fault
    inspector.sync()
    inspector.expect_waiting(0)
    inspector.expect_cards(MARKETS, "Đã gửi")

    visits = assert_holds_with_photos(view, ids, photo_count=1)
    assert all(visit["rev"] == 1 for visit in visits.values())
    assert view.count("applied_mutation") == 3, "each mutation applied exactly once"


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


# ---------------------------------------------------------------- 4. a returned visit


RETURN_COMMENT = "Số hộ dùng túi nilon chưa khớp ảnh chụp, đề nghị kiểm tra lại quầy rau."


def test_a_returned_visit_is_fixed_offline_and_resubmitted(inspector, server, view, tmp_path):
    market = MARKETS[0]
    inspector.login_and_load_markets()
    inspector.record_visit(market, total=50, using=4, files=photos(tmp_path, 1))
    inspector.expect_waiting(0)  # online: sent at once
    inspector.expect_cards([market], "Đã gửi")
    visit_id = inspector.visit_id(market)

    # The ward officer returns it with a comment.
    seen = view.visits(WARD_OFFICER)[visit_id]
    assert (seen["rev"], seen["status"]) == (1, "submitted")
    [result] = view.push(WARD_OFFICER, [{
        "id": "7b1e1a52-3f7c-4a0e-9d5e-0c6b1f0a9e01", "type": "review.decide",
        "data": {"visit_id": visit_id, "base_rev": 1, "decision": "return",
                 "comment": RETURN_COMMENT},
    }])
    assert result["status"] == "applied", result
    assert (result["record"]["rev"], result["record"]["status"]) == (2, "returned")

    inspector.sync()
    inspector.expect_cards([market], "Bị trả lại")
    card = inspector.card(market)
    expect(card).to_contain_text(RETURN_COMMENT)
    expect(inspector.page.get_by_role("heading", name="Cần xử lý (1)")).to_be_visible()

    server.stop()
    card.get_by_role("link", name="Sửa và gửi lại").click()
    inspector.page.get_by_role("heading", name="Sửa phiếu kiểm tra").wait_for()
    expect(inspector.page.get_by_role("main")).to_contain_text(RETURN_COMMENT)
    inspector.page.get_by_label("Số hộ sử dụng túi nilon khó phân hủy").fill("0")
    inspector.save("Lưu và gửi lại")
    inspector.expect_cards([market], "Chờ gửi")
    inspector.expect_waiting(1)

    server.start()
    inspector.sync()
    inspector.expect_waiting(0)
    inspector.expect_cards([market], "Đã gửi")

    record = view.visits()[visit_id]
    assert (record["rev"], record["status"]) == (3, "submitted")
    assert record["answers"]["stalls_using_nondegradable"] == 0
    assert record["answers"]["stalls_total"] == 50
    assert record["compliant"] is True
    assert view.count("visit") == 1


# ---------------------------------------------------------------- 5. a revoked token


def test_a_revoked_token_keeps_the_outbox_until_the_inspector_logs_in_again(
    inspector, server, view, tmp_path
):
    market = MARKETS[1]
    inspector.login_and_load_markets()
    server.stop()
    inspector.record_visit(market, total=25, using=2, files=photos(tmp_path, 1))
    inspector.expect_waiting(1)

    # An admin signs this phone out while it is in the field.
    token = inspector.idb_meta("token")
    assert token
    revoked = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ")
    view.sql("UPDATE device_token SET revoked_at = ? WHERE token_hash = ?",
             revoked, hashlib.sha256(token.encode()).hexdigest())
    assert view.sql("SELECT COUNT(*) FROM device_token WHERE revoked_at IS NOT NULL") == [(1,)]

    server.start()
    # The server answers 401. (Should an automatic retry get that answer before this press,
    # the press itself opens the login screen: the app knows the session is over.)
    inspector.sync()
    banner = inspector.syncbar.get_by_role("alert")
    expect(banner).to_contain_text(
        "Phiên đăng nhập đã hết hạn — đăng nhập lại để gửi 1 lượt kiểm tra đang chờ",
        timeout=WAIT_MS,
    )
    inspector.expect_waiting(1)
    assert view.count("visit") == 0
    if inspector.page.get_by_role("heading", name="Lượt kiểm tra của tôi").is_visible():
        inspector.expect_cards([market], "Chờ gửi")
        banner.get_by_role("link", name="Đăng nhập lại").click()
    expect(inspector.page.get_by_role("main")).to_contain_text(
        "Phiên đăng nhập đã hết hạn. 1 lượt kiểm tra đang chờ vẫn được giữ trên máy"
    )
    expect(inspector.page.get_by_label("Tên đăng nhập")).to_have_value(INSPECTOR)
    inspector.login(goto=False)
    inspector.page.get_by_role("heading", name="Lượt kiểm tra của tôi").wait_for()
    inspector.expect_waiting(0)
    inspector.expect_cards([market], "Đã gửi")
    assert_holds_with_photos(view, {market: inspector.visit_id(market)}, photo_count=1)
    assert inspector.idb_meta("token") not in (None, token), "signed in again: a new token"
