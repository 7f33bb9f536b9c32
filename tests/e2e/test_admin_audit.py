"""Nhật ký quản trị (issue #17) in a real Chromium against a real server (SQLite): the admin
changes a user's role and finds the act at the top of the audit screen, with who, what and
before → after; filters narrow the list; "Tải thêm" fetches the older page by cursor; the CSV
download holds the same rows. Screenshot with CHOXANH_SCREENSHOTS=1."""

import csv
import io
import os
from pathlib import Path

import pytest
import requests
from playwright.sync_api import expect

from tests.e2e.helpers import HTTP_TIMEOUT, INSPECTOR, PASSWORD, ServerView

pytestmark = pytest.mark.e2e

ADMIN = "quantri"
DESK = {"viewport": {"width": 1280, "height": 900}, "locale": "vi-VN"}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def test_an_admin_act_appears_in_the_audit_screen(browser, server, tmp_path):
    view = ServerView(server)
    headers = {"Authorization": f"Bearer {view.token(ADMIN)}"}
    # Older acts first, more than one page (50): targets set by the API, a failed sign-in.
    for n in range(52):
        response = requests.put(f"{server.url}/api/v1/admin/targets/{1970 + n}", headers=headers,
                                json={"target": 0.5, "org_unit_id": None}, timeout=HTTP_TIMEOUT)
        assert response.status_code == 201, response.text
    requests.post(f"{server.url}/api/v1/auth/token", timeout=HTTP_TIMEOUT, json={
        "username": INSPECTOR, "password": "sai mật khẩu rồi", "device_id": "lạ"})

    context = browser.new_context(**DESK, accept_downloads=True)
    page = context.new_page()
    page.goto(server.url + "/admin/users")
    page.get_by_role("heading", name="Đăng nhập").wait_for()
    page.get_by_label("Tên đăng nhập").fill(ADMIN)
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()

    # The act: kiemtra becomes a ward officer.
    page.get_by_role("heading", name="Người dùng").wait_for()
    page.get_by_role("link", name="Nguyễn Văn Kiểm (cán bộ kiểm tra, demo)").click()
    page.get_by_label("Vai trò").select_option(label="Cán bộ phường/xã")
    page.get_by_role("button", name="Lưu thay đổi").click()
    expect(page.get_by_role("status").filter(has_text="Đã lưu thay đổi.")).to_be_visible()

    # It is the newest event of the trail.
    page.get_by_role("navigation").get_by_role("link", name="Nhật ký").click()
    page.get_by_role("heading", name="Nhật ký quản trị").wait_for()
    items = page.locator(".audit-item")
    expect(items).to_have_count(50)
    newest = items.first
    expect(newest).to_contain_text("Sửa người dùng")
    expect(newest).to_contain_text(INSPECTOR)
    expect(newest.locator(".audit-item__actor")).to_have_text(ADMIN)
    expect(newest).to_contain_text("Vai trò: Cán bộ kiểm tra → Cán bộ phường/xã")
    expect(items.nth(1)).to_contain_text("Đăng nhập sai")
    expect(items.nth(1).locator(".audit-item__actor")).to_have_text("Không đăng nhập")
    expect(items.nth(1)).to_contain_text("Lý do: sai tên đăng nhập hoặc mật khẩu")
    expect(items.nth(2)).to_contain_text("Đặt mục tiêu")
    if os.environ.get("CHOXANH_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "admin-audit.png"))

    # Older events by cursor: 54 in all, newest first.
    page.get_by_role("button", name="Tải thêm").click()
    expect(items).to_have_count(54)
    expect(page.get_by_role("button", name="Tải thêm")).to_have_count(0)
    expect(items.last).to_contain_text("1970")

    # Filters: an action, an actor, a target type.
    page.get_by_label("Thao tác").select_option(label="Sửa người dùng")
    expect(items).to_have_count(1)
    page.get_by_label("Thao tác").select_option(label="Tất cả")
    page.get_by_label("Loại đối tượng").select_option(label="Người dùng")
    expect(items).to_have_count(2)
    page.get_by_label("Người thực hiện", exact=True).fill(ADMIN)
    page.get_by_role("button", name="Lọc").click()
    expect(items).to_have_count(1)
    page.get_by_label("Người thực hiện", exact=True).fill("thanhpho")
    page.get_by_role("button", name="Lọc").click()
    expect(page.get_by_text("Không có sự kiện nào khớp bộ lọc.")).to_be_visible()
    page.get_by_label("Người thực hiện", exact=True).fill("")
    page.get_by_role("button", name="Lọc").click()
    expect(items).to_have_count(2)

    # The CSV: the same rows as the screen's filter (target type user), with a BOM.
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Tải CSV").click()
    path = tmp_path / "audit.csv"
    download_info.value.save_as(str(path))
    raw = path.read_bytes()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [(r["action"], r["target_label"], r["actor_username"]) for r in rows] == [
        ("user.update", INSPECTOR, ADMIN), ("auth.login_failed", INSPECTOR, "")]
    context.close()
