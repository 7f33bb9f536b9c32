"""What the browser tests drive and read (tests/e2e/test_*.py): the inspector's phone
(`Inspector`, through roles and visible text only), the server's side (`ServerView`, through the
API as any demo user and straight from its SQLite file), and test photos.

These helpers are also used by bench/pwa/screenshots.py and bench/pwa/lighthouse.py (through
tests/e2e/test_inspector_offline.py), so the screenshots and the audits show the screens these
tests drive.
"""

import hashlib
import os
import sqlite3
import struct
import zlib
from contextlib import closing
from pathlib import Path

import requests
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

from tests.e2e.live_server import LiveServer

# The inspectors' 360×740 Android phones (tests/e2e/conftest.py and bench/pwa import it there).
PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2,
         "is_mobile": True, "has_touch": True, "locale": "vi-VN"}
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


SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


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
        """The worker is in control, and the app says this role's screens are cached."""
        self.page.wait_for_function("() => navigator.serviceWorker.controller !== null")
        expect(self.page.locator("#offline-ready")).to_have_attribute("data-state", "ready",
                                                                      timeout=WAIT_MS)

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


def shot(page: Page, name: str, full_page: bool = True) -> None:
    """docs/screenshots/<name>, only with CHOXANH_SCREENSHOTS=1 (taken by hand)."""
    if os.environ.get("CHOXANH_SCREENSHOTS") != "1":
        return
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    for attempt in range(3):  # a sync may redraw the screen while the picture is taken
        try:
            page.screenshot(path=str(SCREENSHOT_DIR / name), full_page=full_page)
            return
        except PlaywrightError:
            if attempt == 2:
                raise
            page.wait_for_timeout(500)
