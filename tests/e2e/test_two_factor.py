"""Two-step verification in a real Chromium against a real server (issue #17): the admin turns
it on from the account screen (reading the secret shown as text and computing the code as an
authenticator app would, with pyotp), sees the recovery codes once, signs out, and signs in
again with a code; the admin's user list and user screen show who has a second factor, and
the admin resets it there.

Screenshots (CHOXANH_SCREENSHOTS=1): docs/screenshots/totp-enrolment.png,
totp-recovery-codes.png, totp-sign-in-code.png, admin-user-totp.png.
"""

import os
import re
import time
from pathlib import Path

import pyotp
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import CITY_OFFICER, PASSWORD
from tests.e2e.live_server import LiveServer

pytestmark = pytest.mark.e2e

ADMIN = "quantri"
DESK = {"viewport": {"width": 1280, "height": 800}, "locale": "vi-VN"}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def shot(page: Page, name: str, height: int = 800) -> None:
    """A picture of the screen, the window made `height` tall for it (the tab bar is fixed at
    the bottom: a full-page picture would draw it across the middle)."""
    if os.environ.get("CHOXANH_SCREENSHOTS") != "1":  # by hand: CHOXANH_SCREENSHOTS=1
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": DESK["viewport"]["width"], "height": height})
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SCREENSHOTS / name))
    page.set_viewport_size(DESK["viewport"])


@pytest.fixture
def page(browser, server):
    context = browser.new_context(**DESK)
    page = context.new_page()
    page.dialogs = []  # the confirmations asked (sign out, reset), each accepted
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.accept()))
    violations = []
    page.on("console", lambda m: violations.append(m.text)
            if "Content Security Policy" in m.text else None)
    yield page
    context.close()
    assert violations == []


def sign_in(page: Page, server, username: str = ADMIN, path: str = "/admin/users") -> None:
    page.goto(server.url + path)
    page.get_by_role("heading", name="Đăng nhập").wait_for()
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


def test_admin_enrols_signs_out_and_signs_in_with_a_code(page, server):
    sign_in(page, server)
    expect(page.get_by_role("heading", name="Người dùng")).to_be_visible()

    # Enrol from the account screen (the top bar's link with the user's name).
    page.locator("#account-link").click()
    expect(page.get_by_role("heading", name="Tài khoản")).to_be_visible()
    expect(page.get_by_text("Chưa bật", exact=True)).to_be_visible()
    page.get_by_role("button", name="Bật xác thực hai bước").click()
    qr = page.get_by_role("img", name=re.compile("Mã QR"))
    expect(qr).to_be_visible()
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]{32}", secret), secret
    shot(page, "totp-enrolment.png", height=1020)

    page.get_by_label("Mã xác thực").fill("12345")  # too short: said before asking the server
    page.get_by_role("button", name="Xác nhận và bật").click()
    expect(page.get_by_role("alert").filter(has_text="Nhập đủ 6 chữ số")).to_be_visible()
    page.get_by_label("Mã xác thực").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Xác nhận và bật").click()
    expect(page.get_by_role("heading", name=re.compile("Mã khôi phục"))).to_be_visible()
    codes = page.locator("#recovery-codes li")
    expect(codes).to_have_count(10)
    expect(page.get_by_text("lần duy nhất", exact=False)).to_be_visible()
    shot(page, "totp-recovery-codes.png", height=900)
    page.get_by_role("button", name="Tôi đã lưu các mã, tiếp tục").click()

    # The user list shows who has a second factor.
    item = page.locator(f"li[data-username='{ADMIN}']")
    expect(item.get_by_text("Có xác thực hai bước")).to_be_visible()

    # Sign out, then in again: the password alone is not enough.
    page.locator("#account-link").click()
    expect(page.get_by_text("Đang bật", exact=True)).to_be_visible()
    page.locator("#account-logout").click()
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    sign_in(page, server)
    expect(page.get_by_role("heading", name="Nhập mã xác thực")).to_be_visible()
    shot(page, "totp-sign-in-code.png")
    totp = pyotp.TOTP(secret)
    near = {totp.at(time.time() + s) for s in (-30, 0, 30, 60)}
    wrong = next(c for c in ("000000", "111111", "222222") if c not in near)
    page.get_by_label("Mã 6 chữ số hoặc mã khôi phục").fill(wrong)
    page.get_by_role("button", name="Xác nhận").click()
    expect(page.get_by_role("alert").filter(has_text="Mã không đúng")).to_be_visible()
    # The code that confirmed the enrolment was used once already: the next one signs in.
    page.get_by_label("Mã 6 chữ số hoặc mã khôi phục").fill(pyotp.TOTP(secret).at(time.time() + 30))
    page.get_by_role("button", name="Xác nhận").click()
    expect(page.get_by_role("heading", name="Người dùng")).to_be_visible()

    # The admin's user screen shows the second factor and resets it (after a confirmation).
    page.locator(f"li[data-username='{ADMIN}'] a").first.click()
    expect(page.locator("#user-totp")).to_have_text(re.compile("Có xác thực hai bước"))
    shot(page, "admin-user-totp.png", height=1240)
    page.get_by_role("button", name="Đặt lại xác thực hai bước").click()
    expect(page.get_by_text("Đã đặt lại xác thực hai bước.")).to_be_visible()
    expect(page.locator("#user-totp")).to_have_text(re.compile("Chưa bật xác thực hai bước"))
    assert any("Đặt lại xác thực hai bước của" in m for m in page.dialogs)


@pytest.fixture
def strict_server(tmp_path, seeded_database):
    """The demo with city officers required to use two-step verification."""
    live = LiveServer(tmp_path, extra_env={"TOTP_REQUIRED_ROLES": "city_officer"})
    live.prepare(template=seeded_database).start()
    yield live
    live.stop()


def test_a_role_that_must_enrol_is_held_on_the_account_screen(page, strict_server):
    sign_in(page, strict_server, CITY_OFFICER, "/city")
    expect(page.get_by_role("heading", name="Tài khoản")).to_be_visible()
    expect(page.get_by_role("alert").filter(has_text="bắt buộc")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("Vai trò: Cán bộ thành phố")  # in words
    expect(page.locator("#tabs")).to_be_hidden()
    page.goto(strict_server.url + "/city")  # any other screen leads back here
    expect(page.get_by_role("heading", name="Tài khoản")).to_be_visible()

    page.get_by_role("button", name="Bật xác thực hai bước").click()
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    page.get_by_label("Mã xác thực").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Xác nhận và bật").click()
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    page.get_by_role("button", name="Tôi đã lưu các mã, tiếp tục").click()
    expect(page.locator("#tabs")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/city"))
