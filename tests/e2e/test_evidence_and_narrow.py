"""Issue #14 in a real Chromium: the evidence visit a city official opens from the dashboard
names its inspector and leads back to where the official was; the dashboard reads on a 360 px
phone without sideways scrolling. (The versions after a resubmission: test_review_flow.py.)"""

import re
import time

import pytest
from playwright.sync_api import Page, expect

from server.core.periods import local_today
from tests.e2e.helpers import PHONE, shot
from tests.e2e.test_city_dashboard import (
    DESK,
    DISTRICT_CODE,
    PERIOD,
    WAIT_MS,
    WARD_A,
    Api,
    make_data_set,
    sign_in,
)

pytestmark = pytest.mark.e2e

KIEMTRA = "Nguyễn Văn Kiểm (cán bộ kiểm tra, demo)"


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the page scrolls sideways: {width}"


# The dashboard draws itself again when the sign-in's first sync ends (the pickers may offer
# more units then), replacing its nodes. A locator action that resolves an element and acts on
# it in two steps can find it detached in between, so these look and act in one step in the page.
def scroll_to(page: Page, selector: str) -> None:
    page.locator(selector).first.wait_for()
    page.eval_on_selector(selector, "el => el.scrollIntoView({block: 'center'})")


def box_and_label(page: Page, selector: str) -> dict:
    """Where the first element matching `selector` is on screen, and its ::before label."""
    return page.eval_on_selector(selector, """el => {
        const r = el.getBoundingClientRect();
        return {x: r.x, width: r.width, top: r.top, bottom: r.bottom,
                label: getComputedStyle(el, '::before').content};
    }""")


@pytest.fixture
def api(server):
    return Api(server)


@pytest.fixture
def desk(browser):
    context = browser.new_context(**DESK)
    yield context.new_page()
    context.close()


@pytest.fixture
def narrow(browser):
    context = browser.new_context(**PHONE)
    yield context.new_page()
    context.close()


def test_evidence_visit_names_its_inspector_and_goes_back_to_the_dashboard(server, api, desk):
    used = make_data_set(api)
    page = desk
    sign_in(page, server)
    district = api.get("/indicator", period=PERIOD, org_unit=DISTRICT_CODE)
    ward = next(r for r in district["breakdown"] if r["org_unit"]["code"] == WARD_A)
    dashboard = f"/city?period={PERIOD}&org_unit={ward['org_unit']['id']}"
    page.goto(server.url + dashboard)
    row = page.locator(f".markets-table tr[data-market='{used['non_compliant']['id']}']")
    row.get_by_role("link", name="Xem lượt kiểm tra").click()

    page.get_by_role("heading", name="Xem xét lượt kiểm tra").wait_for()
    main = page.get_by_role("main")
    inspector = main.locator("dt", has_text="Cán bộ kiểm tra").locator(
        "xpath=following-sibling::dd[1]")
    expect(inspector).to_have_text(KIEMTRA, timeout=WAIT_MS)
    expect(main).not_to_contain_text("Cán bộ #")
    expect(main).to_contain_text("Không đạt")  # the dashboard's word, on the review screen too
    versions = main.locator("ol.review-versions li")
    expect(versions).to_have_count(1, timeout=WAIT_MS)
    expect(versions.first).to_contain_text(f"Gửi lần đầu — {KIEMTRA}")
    back = main.locator("a[data-back]")
    expect(back).to_have_text("Về bảng theo dõi chỉ tiêu")
    shot(page, "evidence-visit.png")
    back.click()
    expect(page).to_have_url(server.url + dashboard)
    expect(page.locator(".markets-table").first).to_be_visible()

    # From the map the way back is the map, with its period and unit.
    page.goto(f"{server.url}/city/map?period={PERIOD}&org_unit={ward['org_unit']['id']}")
    point = page.locator(f"[data-market='{used['non_compliant']['code']}']")
    point.wait_for(timeout=WAIT_MS)
    point.dispatch_event("click")
    page.get_by_role("heading", name="Xem xét lượt kiểm tra").wait_for(timeout=WAIT_MS)
    expect(page.locator("a[data-back]")).to_have_text("Về bản đồ")
    page.locator("a[data-back]").click()
    expect(page).to_have_url(re.compile(
        rf"/city/map\?period={PERIOD}&org_unit={ward['org_unit']['id']}$"))


def test_the_dashboard_reads_at_360_px_without_sideways_scrolling(server, api, narrow):
    make_data_set(api)
    page = narrow
    this_year = str(local_today().year)
    # The ward officer's own dashboard, this year.
    sign_in(page, server, "phuong", f"/city?period={this_year}")
    expect(page.locator(".kpi__value")).to_be_visible(timeout=WAIT_MS)
    no_sideways_scroll(page)
    pending = page.locator("[data-count='not_assessed'] [data-count='pending_review']")
    expect(pending).to_contain_text("trong đó chờ duyệt")  # part of "Chưa đánh giá"
    scroll_to(page, "[data-count='markets_total']")
    shot(page, "city-dashboard-360-ward.png", full_page=False)

    # The month table, opened: a card per month, its share compliant on screen.
    page.get_by_text("Xem số liệu dạng bảng").click()
    month = page.locator(".trend__table tbody tr").first
    expect(month).to_be_visible()
    labels = month.locator("td").evaluate_all(
        "tds => tds.map((td) => getComputedStyle(td, '::before').content)")
    assert '"Tỷ lệ đạt lũy kế"' in labels, labels  # each figure says what it is
    # The month's three figures sit over the year to date's three, measure by measure.
    lefts = page.eval_on_selector(".trend__table tbody tr", """tr => Object.fromEntries(
        [...tr.querySelectorAll('td')].map((td) => [td.dataset.label,
                                                    Math.round(td.getBoundingClientRect().left)]))""")
    for month_label, ytd_label in (("Đạt", "Đạt (lũy kế)"),
                                   ("Tỷ lệ đạt trong tháng", "Tỷ lệ đạt lũy kế"),
                                   ("Độ bao phủ trong tháng", "Độ bao phủ lũy kế")):
        assert lefts[month_label] == lefts[ytd_label], lefts
    no_sideways_scroll(page)

    # A sync ending draws the dashboard again; the table the official opened stays open.
    drawn = page.locator("details.trend__table").element_handle()
    page.locator("#syncbar").get_by_role("button", name="Đồng bộ ngay").click()
    deadline = time.monotonic() + WAIT_MS / 1000
    while drawn.evaluate("el => el.isConnected"):
        assert time.monotonic() < deadline, "the sync's end did not draw the dashboard again"
        page.wait_for_timeout(100)
    expect(page.locator(".trend__table tbody tr").first).to_be_visible()

    # On a desk screen the same table's eight columns fit: no column hidden past a scrollbar.
    page.set_viewport_size({"width": 1280, "height": 900})
    widths = page.eval_on_selector(".trend__table .table-wrap",
                                   "el => [el.scrollWidth, el.clientWidth]")
    assert widths[0] <= widths[1], f"the month table scrolls sideways at 1280 px: {widths}"


def test_a_district_at_360_px_shows_each_unit_as_a_card(server, api, narrow):
    make_data_set(api)
    page = narrow
    sign_in(page, server, "thanhpho", f"/city?period={PERIOD}&org_unit={DISTRICT_CODE}")
    cards = page.locator("table.breakdown tbody tr")
    expect(cards.first).to_be_visible(timeout=WAIT_MS)
    no_sideways_scroll(page)
    value = "table.breakdown tbody tr [data-col='value']"
    scroll_to(page, value)
    box = box_and_label(page, value)
    assert box["x"] >= 0 and box["x"] + box["width"] <= 360, box
    assert box["top"] >= 0 and box["bottom"] <= page.viewport_size["height"], box
    assert "Tỷ lệ đạt" in box["label"]
    # The chart's month labels keep a readable size (at least 11 px on screen).
    months = "svg.trend__svg text.trend__axis"
    expect(page.locator(months).last).to_be_visible()
    height = page.eval_on_selector_all(
        months, "els => els[els.length - 1].getBoundingClientRect().height")
    assert height >= 11, height
    no_sideways_scroll(page)
    scroll_to(page, "table.breakdown tbody tr")
    page.evaluate("window.scrollBy(0, -120)")
    shot(page, "city-dashboard-360.png", full_page=False)
