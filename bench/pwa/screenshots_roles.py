"""Screenshots of the officers' and the admin's screens, for docs/screenshots/ (run by hand).

    cd pwa && npm run build && cd ..
    .venv/bin/python bench/pwa/screenshots_roles.py [--out docs/screenshots]

Starts a seeded server of its own (a temporary SQLite file, a free port) with the demo's 2023
inspections (`manage.py seed-demo-visits`), drives Debian's Chromium with Playwright and writes:

    review-queue.png    the ward officer `phuong` on a 360×740 phone: the queue of submitted visits
    review-visit.png    a submitted visit, whole: answers, location check, history, decisions
    bulk-approve.png    the bulk approval's summary, open and not confirmed
    city-dashboard.png  the city officer `thanhpho` at a 1280×900 desk: /city?period=2023, full page
    city-report.png     the A4 report of 2023 as printed (print media, 900 wide, full page)
    admin-users.png     the admin `quantri` at a 1280×900 desk: the users
    admin-import.png    a markets CSV with one bad line, checked (dry run): the line's error

So that the visit page has a history to show, the city officer first reopens one of the demo's
decided visits of Quận Hai Bà Trưng (decided, then reopened: back in `phuong`'s queue).

Device scale factor 1 keeps the files small. The screens are driven as the browser tests drive
them (tests/e2e/test_review_flow.py, test_city_dashboard.py, test_admin_screens.py).
"""

import argparse
import sys
import tempfile
import uuid
from pathlib import Path
from urllib.parse import quote

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT))

from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.e2e.live_server import LiveServer  # noqa: E402
from tests.e2e.helpers import (  # noqa: E402
    PASSWORD,
    WAIT_MS,
    ServerView,
    new_phone,
)

WARD_OFFICER, CITY_OFFICER, ADMIN = "phuong", "thanhpho", "quantri"
PERIOD = "2023"
DESK = {"viewport": {"width": 1280, "height": 900}, "device_scale_factor": 1, "locale": "vi-VN",
        "timezone_id": "Asia/Ho_Chi_Minh"}
REOPEN_REASON = "Ban quản lý chợ gửi thêm ảnh quầy hàng; đề nghị phường xem xét lại."
REPORT_VIEWPORT = {"width": 900, "height": 1270}  # about A4's proportions
# A markets CSV whose third line has a latitude of 95 (as in test_admin_screens.py).
IMPORT_CSV = (
    "code,name,org_unit_code,address,lat,lon,market_class,opened_on,closed_on\n"
    "DEMO-901,Chợ Thử Nghiệm Một,HN-BD-04,1 phố Kim Mã,21.031,105.823,3,2020-01-01,\n"
    "DEMO-902,Chợ Thử Nghiệm Hai,HN-BD-04,2 phố Kim Mã,95,105.824,2,2020-01-01,\n"
)


def settle(page: Page) -> None:
    """No toast over the screen, nothing focused, caret hidden: a calm picture."""
    page.locator("#toast").wait_for(state="hidden", timeout=WAIT_MS)
    page.evaluate("() => document.activeElement?.blur()")


def wait_until_synced(page: Page) -> None:
    """The first pull is over (it runs after sign-in): no progress bar in the picture."""
    expect(page.get_by_role("button", name="Đồng bộ ngay")).to_be_enabled(timeout=WAIT_MS)
    expect(page.locator(".syncbar__last")).to_contain_text("Đồng bộ lần cuối", timeout=WAIT_MS)


def shoot(page: Page, out: Path, name: str, *, full_page: bool = False,
          tall: bool = False) -> None:
    """`tall`: the whole page on a viewport as tall as it (unlike `full_page`, the fixed tab
    bar stays at the bottom instead of over the middle of the page)."""
    settle(page)
    path = out / name
    viewport = page.viewport_size
    if tall:
        height = page.evaluate("() => document.documentElement.scrollHeight")
        page.set_viewport_size({"width": viewport["width"], "height": height})
        page.evaluate("() => window.scrollTo(0, 0)")
    page.screenshot(path=str(path), caret="hide", animations="disabled", full_page=full_page)
    if tall:
        page.set_viewport_size(viewport)
    shown = path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path
    print(f"{shown}  {path.stat().st_size // 1024} KB")


def sign_in(page: Page, server: LiveServer, username: str, next_path: str) -> None:
    """Open a screen by its URL through the sign-in page, as a link in an e-mail would."""
    page.goto(f"{server.url}/login?next={quote(next_path, safe='')}")
    page.get_by_role("heading", name="Đăng nhập").wait_for()
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


def reopen_a_decided_visit(server: LiveServer) -> str:
    """One of kiemtra2's decided visits (Quận Hai Bà Trưng; a rejected one if there is one),
    reopened by the city officer."""
    view = ServerView(server)
    [(visit_id, rev)] = view.sql(
        "SELECT v.id, v.rev FROM visit v JOIN app_user u ON u.id = v.inspector_id"
        " WHERE u.username = 'kiemtra2' AND v.status IN ('rejected', 'approved')"
        " ORDER BY v.status = 'rejected' DESC, v.observed_at DESC LIMIT 1")
    [result] = view.push(CITY_OFFICER, [{
        "id": str(uuid.uuid4()), "type": "review.decide",
        "data": {"visit_id": visit_id, "base_rev": rev, "decision": "reopen",
                 "comment": REOPEN_REASON},
    }])
    assert result["status"] == "applied", result
    return visit_id


def ward_officer(browser, server: LiveServer, out: Path, visit_id: str) -> None:
    context = new_phone(browser, device_scale_factor=1, timezone_id="Asia/Ho_Chi_Minh")
    page = context.new_page()
    sign_in(page, server, WARD_OFFICER, "/review")
    page.get_by_role("heading", name="Duyệt lượt kiểm tra").wait_for()
    cards = page.locator("li.review-card")
    cards.first.wait_for(timeout=WAIT_MS)  # drawn from the phone's copy after the first pull
    wait_until_synced(page)
    shoot(page, out, "review-queue.png")

    page.goto(f"{server.url}/review/visits/{visit_id}")
    page.get_by_role("heading", name="Xem xét lượt kiểm tra").wait_for()
    main = page.get_by_role("main")
    expect(main.get_by_role("button", name="Duyệt", exact=True)).to_be_visible(timeout=WAIT_MS)
    expect(main.locator("ol.review-history")).to_contain_text(REOPEN_REASON, timeout=WAIT_MS)
    shoot(page, out, "review-visit.png", tall=True)

    page.goto(f"{server.url}/review")
    cards.first.wait_for(timeout=WAIT_MS)
    page.get_by_role("button", name="Duyệt tất cả").click()
    summary = page.get_by_role("group", name="Xác nhận duyệt hàng loạt")
    expect(summary).to_contain_text("lượt kiểm tra")
    # Just below the sticky sync bar, so the whole panel and the start of the list show.
    summary.evaluate("(el) => window.scrollTo(0, el.getBoundingClientRect().top + scrollY"
                     " - document.getElementById('syncbar').offsetHeight - 12)")
    shoot(page, out, "bulk-approve.png")  # not confirmed: nothing is decided
    context.close()


def city_officer(browser, server: LiveServer, out: Path) -> None:
    context = browser.new_context(**DESK)
    page = context.new_page()
    sign_in(page, server, CITY_OFFICER, f"/city?period={PERIOD}")
    page.locator(".kpi__value").wait_for(timeout=WAIT_MS)
    page.locator(".trend__bar").first.wait_for(timeout=WAIT_MS)
    page.locator("table.breakdown tbody tr").first.wait_for(timeout=WAIT_MS)
    wait_until_synced(page)
    shoot(page, out, "city-dashboard.png", tall=True)

    page.set_viewport_size(REPORT_VIEWPORT)
    page.goto(f"{server.url}/city/report?period={PERIOD}")
    page.get_by_role("heading", name="Báo cáo kết quả thực hiện chỉ tiêu 4.4").wait_for(
        timeout=WAIT_MS)
    page.locator(".report-figures").wait_for(timeout=WAIT_MS)
    page.emulate_media(media="print")
    shoot(page, out, "city-report.png", full_page=True)
    context.close()


def admin(browser, server: LiveServer, out: Path, work: Path) -> None:
    context = browser.new_context(**DESK)
    page = context.new_page()
    sign_in(page, server, ADMIN, "/admin/users")
    page.get_by_role("heading", name="Người dùng").wait_for()
    page.get_by_role("link", name="Nguyễn Văn Kiểm (cán bộ kiểm tra, demo)").wait_for(
        timeout=WAIT_MS)
    wait_until_synced(page)
    shoot(page, out, "admin-users.png")

    csv_file = work / "cho-moi.csv"
    csv_file.write_text(IMPORT_CSV, encoding="utf-8")
    page.goto(f"{server.url}/admin/markets/import")
    page.get_by_role("heading", name="Nhập chợ từ tệp CSV").wait_for()
    page.get_by_label("Tệp CSV", exact=True).set_input_files(str(csv_file))
    page.get_by_role("button", name="Kiểm tra tệp").click()
    expect(page.get_by_role("alert").filter(has_text="Tệp có lỗi")).to_contain_text(
        "Dòng 3:", timeout=WAIT_MS)
    shoot(page, out, "admin-import.png", tall=True)
    context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory(prefix="cho-xanh-shots-") as tmp:
        work = Path(tmp)
        server = LiveServer(work).prepare()
        print(server.manage("seed-demo-visits").strip())
        server.start()
        try:
            reopened = reopen_a_decided_visit(server)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, "--lang=vi-VN"]
                )
                ward_officer(browser, server, out, reopened)
                city_officer(browser, server, out)
                admin(browser, server, out, work)
                browser.close()
        finally:
            server.stop()


if __name__ == "__main__":
    main()
