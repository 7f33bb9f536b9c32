"""The admin's screens (DESIGN §1 admin, §11 imports) in a real Chromium against a real server.

The admin (`quantri`) works at a desk (one test on a phone-sized screen): creates a user who can
then sign in, imports a markets CSV (a bad line is named and nothing changes; fixed, it imports),
sets a target, and revokes an inspector's phone that holds an unsent visit: the phone's next sync
asks to sign in again and keeps the visit, which reaches the server exactly once afterwards.

What the server holds is read from its SQLite file (ServerView.sql/count).
"""

import re
from datetime import datetime, timedelta, timezone

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PHONE
from tests.e2e.helpers import (
    INSPECTOR,
    MARKETS,
    PASSWORD,
    WAIT_MS,
    Inspector,
    ServerView,
    new_phone,
)

pytestmark = pytest.mark.e2e

ADMIN = "quantri"
HANOI = timezone(timedelta(hours=7))
DESK = {"viewport": {"width": 1280, "height": 800}, "locale": "vi-VN"}
COLUMNS = "code,name,org_unit_code,address,lat,lon,market_class,opened_on,closed_on\n"
GOOD_LINE = "E2E-001,Chợ Thử Nghiệm Một,HN-BD-04,1 phố Kim Mã,21.031,105.823,3,2020-01-01,\n"
BAD_LINE = "E2E-002,Chợ Thử Nghiệm Hai,HN-BD-04,2 phố Kim Mã,95,105.824,2,2020-01-01,\n"
FIXED_LINE = BAD_LINE.replace(",95,", ",21.032,")


class AdminDesk:
    """What the admin does, through roles, labels and visible text only."""

    def __init__(self, page: Page, server):
        self.page = page
        self.server = server
        self.dialogs: list[str] = []
        page.on("dialog", self._accept)

    def _accept(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.accept()

    def login(self, path: str = "/admin/users") -> None:
        """Open a screen by its URL: the app asks to sign in first, then shows that screen."""
        self.page.goto(self.server.url + path)
        self.page.get_by_role("heading", name="Đăng nhập").wait_for()
        self.page.get_by_label("Tên đăng nhập").fill(ADMIN)
        self.page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
        self.page.get_by_role("button", name="Đăng nhập").click()

    def tab(self, name: str) -> None:
        self.page.get_by_role("navigation").get_by_role("link", name=name).click()

    def field_error(self, label: str, role: str = "textbox"):
        """The error shown with a field (linked to it by aria-describedby)."""
        control = self.page.get_by_role(role, name=label, exact=True)
        expect(control).to_have_attribute("aria-invalid", "true")
        ids = control.get_attribute("aria-describedby").split()
        error_id = next(i for i in ids if i.endswith("-error"))
        return self.page.locator(f"#{error_id}")


@pytest.fixture
def desk(browser, server):
    context = browser.new_context(**DESK)
    yield AdminDesk(context.new_page(), server)
    context.close()


@pytest.fixture
def view(server):
    return ServerView(server)


# ---------------------------------------------------------------- users


def test_the_admin_creates_a_user_on_a_phone_sized_screen_and_that_user_signs_in(
    browser, server, view
):
    context = browser.new_context(**PHONE)
    admin = AdminDesk(context.new_page(), server)
    admin.login("/admin/users")
    page = admin.page
    page.get_by_role("heading", name="Người dùng").wait_for()
    expect(page.get_by_role("link", name="Nguyễn Văn Kiểm (cán bộ kiểm tra, demo)")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, "no sideways scroll"
    users_before = view.count("app_user")

    page.get_by_role("link", name="Thêm người dùng").click()
    page.get_by_role("heading", name="Thêm người dùng").wait_for()
    assert page.url.endswith("/admin/users/new")
    page.get_by_label("Tên đăng nhập").fill(INSPECTOR)  # taken: the server says so at the field
    page.get_by_label("Họ và tên").fill("Trần Thị Mới")
    page.get_by_label("Vai trò").select_option(label="Cán bộ kiểm tra")
    page.get_by_label("Mật khẩu ban đầu").fill("ngắn")
    page.get_by_role("button", name="Tạo người dùng").click()
    expect(admin.field_error("Mật khẩu ban đầu")).to_have_text("Mật khẩu cần ít nhất 10 ký tự.")
    expect(admin.field_error("Đơn vị", "combobox")).to_contain_text("phải thuộc một đơn vị")

    # Phường Giảng Võ (since 1 July 2025; the demo's Chợ Kim Mã is in it today)
    page.get_by_label("Tìm trong danh sách Đơn vị").fill("00025")
    unit = page.get_by_role("combobox", name="Đơn vị", exact=True)
    unit.select_option(index=1)
    expect(unit.locator("option:checked")).to_contain_text("Phường Giảng Võ")
    page.get_by_label("Mật khẩu ban đầu").fill("Mật khẩu mới 2024")
    page.get_by_role("button", name="Tạo người dùng").click()
    expect(admin.field_error("Tên đăng nhập")).to_have_text("Tên đăng nhập này đã có người dùng.")
    assert view.count("app_user") == users_before

    page.get_by_label("Tên đăng nhập").fill("kiemtra_moi")
    page.get_by_role("button", name="Tạo người dùng").click()
    page.get_by_role("heading", name="Trần Thị Mới").wait_for()
    assert re.search(r"/admin/users/\d+$", page.url)
    expect(page.get_by_role("main")).to_contain_text(
        "kiemtra_moi · Cán bộ kiểm tra · Phường Giảng Võ")
    assert view.sql("SELECT role, active FROM app_user WHERE username = 'kiemtra_moi'") == [
        ("inspector", 1)]
    context.close()

    phone = new_phone(browser)
    inspector = Inspector(phone.new_page(), server)
    inspector.login("kiemtra_moi", "Mật khẩu mới 2024")
    inspector.page.get_by_role("heading", name="Chọn chợ").wait_for()
    inspector.page.get_by_role("link", name="Chợ Kim Mã", exact=False).first.wait_for(
        timeout=WAIT_MS)
    phone.close()


# ---------------------------------------------------------------- markets import


def test_a_markets_csv_with_a_bad_line_changes_nothing_and_imports_once_fixed(
    desk, server, view, tmp_path
):
    markets_before = view.count("market")
    bad = tmp_path / "cho-loi.csv"
    bad.write_text(COLUMNS + GOOD_LINE + BAD_LINE, encoding="utf-8")
    fixed = tmp_path / "cho-dung.csv"
    fixed.write_text(COLUMNS + GOOD_LINE + FIXED_LINE, encoding="utf-8")

    desk.login("/admin/markets")
    page = desk.page
    page.get_by_role("heading", name="Chợ", exact=True).wait_for()
    page.get_by_role("link", name="Nhập chợ từ tệp CSV").click()
    page.get_by_role("heading", name="Nhập chợ từ tệp CSV").wait_for()
    expect(page.get_by_role("main")).to_contain_text(COLUMNS.strip())

    page.get_by_label("Tệp CSV", exact=True).set_input_files(str(bad))
    page.get_by_role("button", name="Kiểm tra tệp").click()
    problem = page.get_by_role("alert").filter(has_text="Tệp có lỗi")
    expect(problem).to_contain_text("Dòng 3:")
    expect(problem).to_contain_text("Chưa ghi gì vào hệ thống")
    expect(problem).not_to_contain_text("Dòng 2:")
    expect(page.get_by_role("button", name="Nhập dữ liệu")).to_have_count(0)
    assert view.count("market") == markets_before
    assert view.sql("SELECT COUNT(*) FROM market WHERE code LIKE 'E2E-%'") == [(0,)]

    page.get_by_label("Tệp CSV", exact=True).set_input_files(str(fixed))
    page.get_by_role("button", name="Kiểm tra tệp").click()
    checked = page.get_by_role("status").filter(has_text="Tệp hợp lệ")
    expect(checked).to_contain_text("2 dòng: 2 thêm mới, 0 cập nhật.")
    assert view.count("market") == markets_before  # the dry run wrote nothing
    page.get_by_role("button", name="Nhập dữ liệu").click()
    expect(page.get_by_role("status").filter(has_text="Đã nhập xong.")).to_contain_text(
        "2 dòng: 2 thêm mới, 0 cập nhật.")
    assert view.count("market") == markets_before + 2
    assert view.sql("SELECT name, lat, market_class FROM market WHERE code = 'E2E-002'") == [
        ("Chợ Thử Nghiệm Hai", 21.032, "2")]

    page.get_by_role("link", name="Danh sách chợ").first.click()
    page.get_by_label("Tìm theo tên hoặc mã chợ").fill("thu nghiem")
    expect(page.get_by_role("status").filter(has_text="chợ")).to_have_text("2 chợ")
    page.get_by_role("link", name="Chợ Thử Nghiệm Hai").click()

    # Edit it: a bad latitude is refused at its field, then the market is closed as of today.
    page.get_by_role("heading", name="Chợ Thử Nghiệm Hai").wait_for()
    page.get_by_role("textbox", name="Vĩ độ", exact=True).fill("91")
    page.get_by_role("button", name="Lưu thay đổi").click()
    expect(desk.field_error("Vĩ độ")).to_have_text("Vĩ độ phải từ -90 đến 90.")
    page.get_by_role("textbox", name="Vĩ độ", exact=True).fill("21.032")
    page.get_by_role("button", name="Đóng cửa chợ").click()
    expect(page.get_by_role("status").filter(has_text="Đã lưu thay đổi.")).to_be_visible()
    assert "Đóng cửa Chợ Thử Nghiệm Hai từ ngày" in desk.dialogs[-1]
    today = datetime.now(HANOI).date().isoformat()
    assert view.sql("SELECT lat, closed_on FROM market WHERE code = 'E2E-002'") == [
        (21.032, today)]
    page.get_by_role("link", name="Danh sách chợ").click()
    page.get_by_label("Hoạt động").select_option(label="Đã đóng cửa")
    shown = datetime.fromisoformat(today).strftime("%d/%m/%Y")
    expect(page.get_by_role("listitem").filter(has_text="E2E-002")).to_contain_text(
        f"Đóng cửa từ {shown}")


def test_an_org_units_csv_is_checked_then_imported_and_shows_in_the_tree(
    desk, server, view, tmp_path
):
    units_before = view.count("org_unit")
    header = "code,name,level,parent_code,valid_from,valid_to\n"
    bad = tmp_path / "don-vi-loi.csv"
    bad.write_text(header + "HN-BD-05,Phường Thử Nghiệm,ward,HN-XX,2025-07-01,\n", "utf-8")
    fixed = tmp_path / "don-vi.csv"
    fixed.write_text(header + "HN-BD-05,Phường Thử Nghiệm,ward,HN-BD,2025-07-01,\n", "utf-8")

    desk.login("/admin/org-units")
    page = desk.page
    page.get_by_role("heading", name="Đơn vị hành chính").wait_for()
    page.get_by_role("link", name="Nhập đơn vị từ tệp CSV").click()
    expect(page.get_by_role("main")).to_contain_text(header.strip())
    page.get_by_label("Tệp CSV", exact=True).set_input_files(str(bad))
    page.get_by_role("button", name="Kiểm tra tệp").click()
    expect(page.get_by_role("alert").filter(has_text="Tệp có lỗi")).to_contain_text("Dòng 2:")
    assert view.count("org_unit") == units_before

    page.get_by_label("Tệp CSV", exact=True).set_input_files(str(fixed))
    page.get_by_role("button", name="Kiểm tra tệp").click()
    expect(page.get_by_role("status").filter(has_text="Tệp hợp lệ")).to_contain_text(
        "1 dòng: 1 thêm mới, 0 cập nhật.")
    page.get_by_role("button", name="Nhập dữ liệu").click()
    expect(page.get_by_role("status").filter(has_text="Đã nhập xong.")).to_be_visible()
    assert view.count("org_unit") == units_before + 1

    page.get_by_role("link", name="Danh sách đơn vị").first.click()
    page.get_by_label("Tìm theo tên hoặc mã đơn vị").fill("thu nghiem")
    ward = page.get_by_role("listitem").filter(has_text="HN-BD-05").last
    expect(ward).to_contain_text("Phường Thử Nghiệm")
    expect(ward).to_contain_text("hiệu lực từ 01/07/2025")
    expect(page.get_by_role("group").filter(has_text="Quận Ba Đình").last).to_contain_text(
        "Phường Thử Nghiệm")


# ---------------------------------------------------------------- targets


def test_the_admin_sets_a_target_as_a_percent(desk, server, view):
    desk.login("/admin/targets")
    page = desk.page
    page.get_by_role("heading", name="Chỉ tiêu 4.4").wait_for()
    page.get_by_role("textbox", name="Kỳ", exact=True).fill("2024-Q5")
    page.get_by_label("Chỉ tiêu (%)").fill("120")
    page.get_by_role("button", name="Lưu chỉ tiêu").click()
    expect(desk.field_error("Kỳ")).to_contain_text("2024-Q1")
    expect(desk.field_error("Chỉ tiêu (%)")).to_have_text("Nhập một số từ 0 đến 100.")
    before = view.sql("SELECT period, org_unit_id, target FROM indicator_target ORDER BY period")

    page.get_by_role("textbox", name="Kỳ", exact=True).fill("2024-q2")
    page.get_by_label("Chỉ tiêu (%)").fill("95,5")
    page.get_by_role("button", name="Lưu chỉ tiêu").click()
    expect(page.get_by_role("status").filter(has_text="Đã lưu chỉ tiêu")).to_have_text(
        "Đã lưu chỉ tiêu 2024-Q2 — Toàn thành phố: 95,5%.")
    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="2024-Q2"))
    expect(row).to_contain_text("Toàn thành phố")
    expect(row).to_contain_text("95,5%")
    after = view.sql("SELECT period, org_unit_id, target FROM indicator_target ORDER BY period")
    assert sorted(set(after) - set(before)) == [("2024-Q2", None, 0.955)]


# ---------------------------------------------------------------- device revoke


def test_a_revoked_phone_keeps_its_unsent_visit_and_sends_it_once_after_signing_in(
    desk, browser, server, view
):
    market = MARKETS[2]
    phone = new_phone(browser)
    inspector = Inspector(phone.new_page(), server)
    inspector.login_and_load_markets()
    server.stop()  # no signal: the visit waits on the phone
    inspector.record_visit(market, total=30, using=0, files=[])
    inspector.expect_waiting(1)
    ids = {market: inspector.visit_id(market)}
    inspector.page.close()  # the phone goes back in the pocket, its outbox intact
    server.start()

    desk.login("/admin/devices")
    page = desk.page
    page.get_by_role("heading", name="Thiết bị").wait_for()
    card = page.get_by_role("listitem").filter(has_text=f"{INSPECTOR} · Cán bộ kiểm tra")
    expect(card).to_have_count(1)
    expect(card).to_contain_text("Đang dùng")
    card.get_by_role("button", name=re.compile("^Thu hồi")).click()
    expect(page.get_by_role("status").filter(has_text="Đã thu hồi thiết bị")).to_be_visible()
    assert len(desk.dialogs) == 1 and "dữ liệu chưa gửi vẫn được giữ" in desk.dialogs[0]
    assert view.sql(
        "SELECT COUNT(*) FROM device_token JOIN app_user ON app_user.id = device_token.user_id "
        "WHERE app_user.username = ? AND revoked_at IS NOT NULL", INSPECTOR) == [(1,)]
    page.get_by_label("Hiển thị").select_option(label="Đã thu hồi hoặc hết hạn")
    expect(page.get_by_role("listitem").filter(has_text=f"{INSPECTOR} · ")).to_contain_text(
        "Đã thu hồi")

    # The phone comes back: its next sync is refused, the visit stays and waits.
    inspector.page = phone.new_page()
    inspector.page.goto(server.url + "/visits")
    inspector.page.get_by_role("heading", name="Lượt kiểm tra của tôi").wait_for()
    inspector.sync()
    # The sync bar says so, or (when the app's own retry got the 401 before the press) the
    # sign-in screen the press opened: in both, an administrator signed the phone out.
    said = inspector.page.get_by_role("alert").filter(
        has_text="Quản trị viên đã đăng xuất thiết bị này").first
    expect(said).to_contain_text("1 lượt kiểm tra đang chờ", timeout=WAIT_MS)
    assert view.count("visit") == 0
    if inspector.page.get_by_role("heading", name="Lượt kiểm tra của tôi").is_visible():
        inspector.expect_waiting(1)  # the sign-in screen has no sync bar: its text says it
        inspector.expect_cards([market], "Chờ gửi")
        inspector.syncbar.get_by_role("link", name="Đăng nhập lại").click()
    inspector.login(goto=False)
    inspector.page.get_by_role("heading", name="Lượt kiểm tra của tôi").wait_for()
    inspector.expect_waiting(0)
    inspector.expect_cards([market], "Đã gửi")
    assert sorted(view.visits()) == [ids[market]]
    assert view.count("visit") == 1, "sent exactly once"
    assert view.count("applied_mutation") == 1
    phone.close()
