"""Honest status on the phone (issue #14), in a real Chromium against a real server that is
really taken down: the pill says what the phone can do, the sync bar is one compact line on a
360×740 phone, a toast matches the visit when read, the sign-in screen says who signs in with
what and where to get help, a ward officer reviews the queue's photos offline, and the admin sees
each device by its name with its last sync. Helpers: tests/e2e/helpers.py."""

import hashlib
import os
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

from tests.e2e.helpers import (
    HTTP_TIMEOUT,
    INSPECTOR,
    MARKETS,
    PASSWORD,
    WAIT_MS,
    Inspector,
    ServerView,
    make_png,
    new_phone,
    photos,
    restart,
)
from tests.e2e.test_review_flow import (
    FORM_VERSION,
    TEST_INSPECTOR,
    Officer,
    new_inspector,
    pull_markets,
)

pytestmark = pytest.mark.e2e

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
ANDROID_CHROME = ("Mozilla/5.0 (Linux; Android 13; SM-A145F) AppleWebKit/537.36 (KHTML, like "
                  "Gecko) Chrome/120.0.6099.144 Mobile Safari/537.36")
DESK = {"viewport": {"width": 1366, "height": 900}, "locale": "vi-VN"}
COMPACT_BAR_PX = 56  # the collapsed bar on a 360×740 phone (it was ~150 px with the banner)
CONTACT = "Chị Lan, Phòng TN&MT phường — 0912 345 678, lan.tnmt@hanoi.gov.vn"


def shot(page: Page, name: str, locator=None, full_page: bool = False) -> None:
    if os.environ.get("CHOXANH_SCREENSHOTS") != "1":  # by hand: CHOXANH_SCREENSHOTS=1
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for attempt in range(3):  # a screen may redraw (a sync ends) while the picture is taken
        try:
            if locator is not None:
                locator.screenshot(path=str(SCREENSHOTS / name))
            else:
                page.screenshot(path=str(SCREENSHOTS / name), full_page=full_page)
            return
        except PlaywrightError:
            if attempt == 2:
                raise
            page.wait_for_timeout(500)


def pill(inspector: Inspector, name: str):
    return inspector.syncbar.get_by_role("button", name=name, exact=True)


# ---------------------------------------------------------------- the pill and the compact bar


def test_the_pill_says_what_the_phone_can_do_with_the_server_down(inspector, server, tmp_path):
    inspector.login_and_load_markets()
    expect(pill(inspector, "Trực tuyến")).to_be_visible(timeout=WAIT_MS)
    # Headless Chromium refuses persistent storage: the phone says what that means and what
    # to do, once, and the inspector can put the note away.
    note = inspector.page.get_by_role("note").filter(
        has_text="Trình duyệt chưa cho lưu dữ liệu lâu dài")
    expect(note).to_be_visible(timeout=WAIT_MS)
    expect(note).to_contain_text("cài Chợ Xanh vào màn hình chính")
    shot(inspector.page, "storage-not-persistent.png")
    note.get_by_role("button", name="Để sau").click()
    expect(note).to_be_hidden()

    server.stop()  # a network, but no server
    expect(pill(inspector, "Mất kết nối máy chủ")).to_be_visible(timeout=WAIT_MS)
    expect(inspector.syncbar).not_to_contain_text("Trực tuyến")

    inspector.record_visit(MARKETS[0], total=20, using=1, files=photos(tmp_path, 1))
    inspector.expect_waiting(1)
    expect(pill(inspector, "Mất kết nối máy chủ")).to_be_visible()
    # Pressing "Đồng bộ ngay" does not pretend either: the pill stays, the visit waits.
    inspector.sync()
    expect(pill(inspector, "Mất kết nối máy chủ")).to_be_visible(timeout=WAIT_MS)
    expect(inspector.syncbar).not_to_contain_text("Trực tuyến")
    inspector.expect_waiting(1)

    # One compact line: pill, what waits, the sync button, side by side.
    bar = inspector.syncbar.bounding_box()
    assert bar["height"] <= COMPACT_BAR_PX, bar
    tops = [inspector.syncbar.get_by_role(role, name=name, exact=True).bounding_box()
            for role, name in (("button", "Mất kết nối máy chủ"), ("button", "Đồng bộ ngay"))]
    status = inspector.syncbar.get_by_role("status").bounding_box()
    for box in (*tops, status):
        assert box["y"] >= bar["y"] and box["y"] + box["height"] <= bar["y"] + bar["height"]
    screen = inspector.page.viewport_size["height"]
    assert bar["height"] / screen < 0.08  # was about a third of the screen with the banner
    shot(inspector.page, "sync-bar-compact.png")

    # The details are one tap away, and say what the state means.
    pill(inspector, "Mất kết nối máy chủ").click()
    details = inspector.page.locator("#syncbar-details")
    expect(details).to_be_visible()
    expect(details).to_contain_text("Có mạng nhưng không kết nối được máy chủ")
    expect(details).to_contain_text("Phiếu vẫn được giữ trên máy")
    shot(inspector.page, "sync-bar-details.png")
    pill(inspector, "Mất kết nối máy chủ").click()
    expect(details).to_be_hidden()

    # No network at all is another state, with its own words.
    inspector.page.context.set_offline(True)
    expect(pill(inspector, "Không có mạng")).to_be_visible(timeout=WAIT_MS)
    inspector.page.context.set_offline(False)
    expect(pill(inspector, "Mất kết nối máy chủ")).to_be_visible(timeout=WAIT_MS)

    # The server answers again: the pill turns, and the visit goes by itself.
    server.start()
    expect(pill(inspector, "Trực tuyến")).to_be_visible(timeout=WAIT_MS)
    inspector.expect_waiting(0)


def test_the_saved_toast_says_sent_once_the_visit_is_sent(inspector, server, tmp_path):
    inspector.login_and_load_markets()
    inspector.record_visit(MARKETS[1], total=18, using=0, files=photos(tmp_path, 1))
    toast = inspector.page.locator("#toast")
    expect(toast).to_have_text(f"Đã gửi phiếu kiểm tra {MARKETS[1]} lên máy chủ.", timeout=6000)
    inspector.expect_cards([MARKETS[1]], "Đã gửi")


# ---------------------------------------------------------------- sign-in


def test_the_sign_in_screen_says_who_signs_in_with_what_and_warns_before_the_lock(
    browser, server
):
    restart(server, SUPPORT_CONTACT=CONTACT)
    context = new_phone(browser)
    page = context.new_page()
    page.goto(server.url + "/")
    page.get_by_role("heading", name="Đăng nhập").wait_for()
    # Nothing to sync before anyone signs in.
    expect(page.locator("#syncbar")).to_be_hidden()
    expect(page.get_by_role("button", name="Đồng bộ ngay")).to_have_count(0)
    main = page.get_by_role("main")
    for role in ("Cán bộ kiểm tra:", "Cán bộ phường duyệt phiếu:", "Cán bộ thành phố:",
                 "Quản trị viên:"):
        expect(main).to_contain_text(role)
    expect(main).not_to_contain_text("Đăng nhập bằng tài khoản cán bộ kiểm tra được cấp")
    expect(main).to_contain_text("Quên mật khẩu hoặc bị khoá tài khoản?")
    expect(main).to_contain_text(f"Liên hệ: {CONTACT}", timeout=WAIT_MS)

    error = page.get_by_role("alert")
    expected = [
        "Sai tên đăng nhập hoặc mật khẩu",
        "Sai tên đăng nhập hoặc mật khẩu",
        "Còn 2 lần thử trước khi tài khoản bị khoá 15 phút",
        "Chỉ còn 1 lần thử: nếu sai tiếp, tài khoản bị khoá 15 phút",
        "tài khoản bị khoá 15 phút",
    ]
    for attempt, words in enumerate(expected, start=1):
        page.get_by_label("Tên đăng nhập").fill(INSPECTOR)
        page.get_by_label("Mật khẩu", exact=True).fill(f"sai-{attempt}")
        page.get_by_role("button", name="Đăng nhập").click()
        expect(error).to_contain_text(words, timeout=WAIT_MS)
        if attempt == 4:
            shot(page, "sign-in-last-try.png")
    expect(error).to_contain_text("Sai quá nhiều lần")
    context.close()

    fresh = new_phone(browser).new_page()
    fresh.goto(server.url + "/login")
    expect(fresh.get_by_role("main")).to_contain_text(f"Liên hệ: {CONTACT}", timeout=WAIT_MS)
    shot(fresh, "sign-in.png", full_page=True)
    fresh.context.close()


# ---------------------------------------------------------------- offline evidence


def upload_photo(view: ServerView, username: str, path: Path) -> str:
    data = path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    response = requests.put(
        f"{view.server.url}/api/v1/attachments/{sha}", data=data, timeout=HTTP_TIMEOUT,
        headers={"Authorization": f"Bearer {view.token(username)}",
                 "Content-Type": "image/png"},
    )
    assert response.status_code in (200, 201), response.text
    return sha


def test_the_officer_reviews_a_queued_visits_photo_with_the_server_down(
    browser, server, tmp_path
):
    view = ServerView(server)
    new_inspector(view)
    market = pull_markets(view, TEST_INSPECTOR)[0]
    sha = upload_photo(view, TEST_INSPECTOR, make_png(tmp_path / "stall.png", (200, 120, 30)))
    [result] = view.push(TEST_INSPECTOR, [{"id": str(uuid.uuid4()), "type": "visit.upsert",
                                           "data": {
        "id": str(uuid.uuid4()), "base_rev": None, "market_id": market["id"],
        "form_version": FORM_VERSION, "observed_at": datetime.now(UTC).isoformat(),
        "answers": {"stalls_total": 12, "stalls_using_nondegradable": 1,
                    "alternatives": ["paper_bag"], "signage_present": True,
                    "outreach_held": False},
        "location": {"lat": market["lat"], "lon": market["lon"], "accuracy_m": 8},
        "attachments": [sha]}}])
    assert result["status"] == "applied", result
    visit_id = result["record"]["id"]

    context = new_phone(browser)
    officer = Officer(context.new_page(), server)
    officer.login_to_queue()
    officer.card(visit_id).wait_for(timeout=WAIT_MS)
    officer.wait_until_offline_ready()
    # After the sync the phone keeps the queue's photos (no page opened them yet).
    officer.page.wait_for_function(
        """(sha) => caches.keys().then((names) => Promise.all(names
             .filter((name) => name.startsWith('cho-xanh-evidence-'))
             .map((name) => caches.open(name).then((c) => c.match(`/api/v1/attachments/${sha}`)))))
             .then((hits) => hits.some(Boolean))""",
        arg=sha, timeout=WAIT_MS,
    )

    server.stop()  # no signal from here on
    officer.open_queue()  # a fresh page: nothing of the earlier page is held in memory
    officer.open_visit(visit_id)
    photo = officer.page.get_by_role("img", name="Ảnh 1 của lượt kiểm tra")
    expect(photo).to_be_visible(timeout=WAIT_MS)
    assert officer.page.evaluate(
        "(img) => img.complete && img.naturalWidth > 0", photo.element_handle())
    expect(officer.page.get_by_role("main")).not_to_contain_text("cần mạng để xem")
    # In one step in the page: a failed sync's end may draw the screen again meanwhile.
    officer.page.eval_on_selector('img[alt="Ảnh 1 của lượt kiểm tra"]',
                                  "img => img.scrollIntoView({block: 'center'})")
    shot(officer.page, "review-visit-offline-photo.png")
    context.close()


# ---------------------------------------------------------------- device names


def test_the_admin_sees_each_phone_by_its_name_last_seen_and_last_sync(browser, server):
    phone = new_phone(browser, user_agent=ANDROID_CHROME)
    inspector = Inspector(phone.new_page(), server)
    inspector.login_and_load_markets()
    inspector.expect_waiting(0)

    # The inspector sees the name in the sync details and renames the phone.
    pill(inspector, "Trực tuyến").click()
    details = inspector.page.locator("#syncbar-details")
    expect(details).to_contain_text("Tên thiết bị này: Android · Chrome", timeout=WAIT_MS)
    details.get_by_role("button", name="Đổi tên").click()
    details.get_by_label("Tên thiết bị này").fill("Máy của Thanh")
    details.get_by_role("button", name="Lưu tên").click()
    expect(details).to_contain_text("Đã đổi tên thiết bị thành “Máy của Thanh”.", timeout=WAIT_MS)

    desk = browser.new_context(**DESK)
    page = desk.new_page()
    page.goto(server.url + "/admin/devices")
    page.get_by_label("Tên đăng nhập").fill("quantri")
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("heading", name="Thiết bị").wait_for()
    card = page.locator("li.admin-item").filter(has_text="Máy của Thanh")
    expect(card).to_have_count(1, timeout=WAIT_MS)
    expect(card).to_contain_text("Lần cuối kết nối")
    expect(card).to_contain_text(re.compile(r"Lần cuối đồng bộ\s*Hôm nay \d\d:\d\d"))
    admin_card = page.locator("li.admin-item").filter(has_text="quantri")
    expect(admin_card.first).to_contain_text("Linux · Chrome")
    shot(page, "admin-devices.png")
    desk.close()
    phone.close()
