"""The A4 report's letterhead and the sign-in screen's help contact are the admin's settings
(issue #14): the admin changes them in Cài đặt, the city official's printed report carries the
letterhead, a report addressed to its own issuer is refused at the field, and a phone's
sign-in screen names the contact."""

from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import shot
from tests.e2e.test_city_dashboard import DESK, PASSWORD, PERIOD, WAIT_MS


def sign_in(page, server, username: str, path: str) -> None:
    page.goto(f"{server.url}/login?next={quote(path, safe='')}")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()

pytestmark = pytest.mark.e2e


def test_the_admin_sets_the_report_letterhead_and_the_report_prints_it(browser, server):
    context = browser.new_context(**DESK)
    page = context.new_page()
    sign_in(page, server, "quantri", "/admin/settings")
    page.get_by_role("heading", name="Cài đặt").wait_for(timeout=WAIT_MS)
    issuer = page.get_by_label("Cơ quan ban hành báo cáo")
    prefix = page.get_by_label("Ký hiệu số văn bản")
    recipient = page.get_by_label("Kính gửi")
    # The defaults: the department reports to the city, not to itself.
    expect(issuer).to_have_value("UBND THÀNH PHỐ HÀ NỘI\nSỞ CÔNG THƯƠNG", timeout=WAIT_MS)
    expect(prefix).to_have_value("BC-SCT")
    expect(recipient).to_have_value("Ủy ban nhân dân Thành phố Hà Nội")

    recipient.fill("UBND Thành phố Hà Nội")
    issuer.fill("UBND THÀNH PHỐ HÀ NỘI")
    page.get_by_role("button", name="Lưu cài đặt").click()
    error = page.locator("#setting-recipient-error")
    expect(error).to_contain_text("Báo cáo không gửi cho chính cơ quan ban hành")
    expect(recipient).to_have_attribute("aria-invalid", "true")

    issuer.fill("UBND THÀNH PHỐ HÀ NỘI\nSở Công Thương")
    prefix.fill("BC-SCT.QLTM")
    page.get_by_role("button", name="Lưu cài đặt").click()
    expect(page.get_by_role("status").filter(has_text="Đã lưu")).to_be_visible()
    shot(page, "admin-settings.png", full_page=False)

    # The help contact for locked-out users, set on the same screen, shows on the sign-in
    # screen of a phone that has never signed in.
    contact = page.get_by_label("Người liên hệ khi bị khoá tài khoản hoặc quên mật khẩu")
    contact.fill("Chị Lan, Phòng Kinh tế — 0912 345 678")
    page.get_by_role("button", name="Lưu người liên hệ").click()
    expect(page.get_by_role("status").filter(has_text="màn hình đăng nhập")).to_be_visible()
    context.close()
    context = browser.new_context(**DESK)
    page = context.new_page()
    page.goto(f"{server.url}/login")
    expect(page.get_by_role("main")).to_contain_text(
        "Liên hệ: Chị Lan, Phòng Kinh tế — 0912 345 678", timeout=WAIT_MS)
    context.close()

    context = browser.new_context(**DESK)
    page = context.new_page()
    sign_in(page, server, "thanhpho", f"/city/report?period={PERIOD}")
    page.get_by_role("heading", name="Báo cáo kết quả thực hiện chỉ tiêu 4.4").wait_for(
        timeout=WAIT_MS)
    head = page.locator(".report-head__agency")
    expect(head.locator("[data-role='issuer']")).to_have_text(
        ["UBND THÀNH PHỐ HÀ NỘI", "SỞ CÔNG THƯƠNG"], timeout=WAIT_MS)
    expect(head.locator("[data-role='number']")).to_have_text("Số: ……/BC-SCT.QLTM")
    expect(page.locator(".report-to")).to_have_text("Kính gửi: UBND Thành phố Hà Nội.")
    page.locator(".report-figures").wait_for(timeout=WAIT_MS)
    shot(page, "city-report-head.png", full_page=False)
    context.close()
