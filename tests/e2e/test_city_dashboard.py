"""The city official's dashboard for target 4.4, in a real Chromium against a real server.

A small known data set goes in through the API as the field would make it (the inspector
`kiemtra` pushes 2023 visits to markets that were then in two wards of Quận Hai Bà Trưng and
are today in Phường Hai Bà Trưng, the ward officer `phuong` approves some), then `thanhpho`
reads the dashboard: every figure on the screen must equal the API's /indicator answer to the
digit, the drill-down goes district → ward → market → visit, the
CSV download carries the same numbers, and the A4 report prints without the app's chrome.
"""

import csv
import io
import re
import uuid
from urllib.parse import quote

import openpyxl
import pytest
import requests
from playwright.sync_api import Page, expect

from server.core.periods import local_today
from server.demo.seed import wards_2023
from tests.e2e.live_server import LiveServer

pytestmark = pytest.mark.e2e

PASSWORD = "ChoXanh@2023"
PERIOD = "2023"
DISTRICT_CODE = "HN-HBT"  # Quận Hai Bà Trưng (until 30/6/2025), the 2023 home of kiemtra's markets
WARD_A, WARD_B = "HN-HBT-01", "HN-HBT-02"  # Phường Bạch Đằng, Phường Lê Đại Hành (2023)
OWN_WARD = "00256"  # Phường Hai Bà Trưng, since 1/7/2025 kiemtra's and phuong's ward
TIMEOUT = 20
WAIT_MS = 20_000
DESK = {"viewport": {"width": 1280, "height": 900}, "locale": "vi-VN", "timezone_id": "UTC",
        "accept_downloads": True}


def vi_percent(value: float | None) -> str:
    """The dashboard's percentage: vi-VN, at most two decimals, as in the CSV ("87,5%")."""
    if value is None:
        return "—"
    text = f"{value * 100:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") + "%"


def vi_count(value: int) -> str:
    return f"{value:,}".replace(",", ".")


class Api:
    """The server through its HTTP API, as any demo user."""

    def __init__(self, server: LiveServer):
        self.url = server.url + "/api/v1"
        self.tokens: dict[str, str] = {}

    def headers(self, username: str) -> dict:
        if username not in self.tokens:
            response = requests.post(
                f"{self.url}/auth/token", timeout=TIMEOUT,
                json={"username": username, "password": PASSWORD, "device_id": f"e2e-{username}"},
            )
            assert response.status_code == 201, response.text
            self.tokens[username] = response.json()["token"]
        return {"Authorization": f"Bearer {self.tokens[username]}"}

    def get(self, path: str, username: str = "thanhpho", **params) -> dict:
        response = requests.get(self.url + path, params=params, headers=self.headers(username),
                                timeout=TIMEOUT)
        assert response.status_code == 200, response.text
        return response.json()

    def push(self, username: str, *mutations: dict) -> list[dict]:
        response = requests.post(
            f"{self.url}/sync/push", headers=self.headers(username), timeout=TIMEOUT,
            json={"device_id": f"e2e-{username}", "mutations": list(mutations)},
        )
        assert response.status_code == 200, response.text
        results = response.json()["results"]
        assert all(r["status"] == "applied" for r in results), results
        return results


def visit(market_id: int, using: int, day: str) -> dict:
    return {
        "id": str(uuid.uuid4()), "type": "visit.upsert",
        "data": {
            "id": str(uuid.uuid4()), "base_rev": None, "market_id": market_id,
            "form_version": "2023.1", "observed_at": f"{day}T08:30:00+07:00",
            "answers": {"stalls_total": 40, "stalls_using_nondegradable": using,
                        "alternatives": ["paper_bag"], "signage_present": True,
                        "outreach_held": True, "notes": "Kiểm tra e2e"},
            "location": None, "attachments": [],
        },
    }


def approve(record: dict) -> dict:
    return {"id": str(uuid.uuid4()), "type": "review.decide",
            "data": {"visit_id": record["id"], "base_rev": record["rev"], "decision": "approve",
                     "comment": None}}


def make_data_set(api: Api) -> dict:
    """Ward A: one compliant and one non-compliant market, both approved; ward B: one compliant
    approved, one visit still waiting for review. → {role: market (with its "visit_id")}.

    The visits are observed at the end of December, so they are their markets' latest in 2023
    even on a database that holds the demo's own 2023 inspections.

    The markets are found through the inspector's pull, not the indicator: the indicator's first
    answer for a period is a snapshot, and the data set must be in place before it is taken."""
    markets, cursor = [], None
    while True:
        body = api.get("/sync/pull", "kiemtra", limit=500, **({"cursor": cursor} if cursor else {}))
        for change in body["changes"]:
            if change["entity"] == "market" and change["op"] != "delete":
                markets.append(change["data"])
        cursor = body["cursor"]
        if not body["has_more"]:
            break
    # Pull gives today's unit; the 2023 ward is the demo's (kept in market_assignment).
    ward_of = wards_2023()
    in_ward = {code: sorted((m for m in markets if ward_of.get(m["code"]) == code),
                            key=lambda m: m["id"])[:2] for code in (WARD_A, WARD_B)}
    ward_a, ward_b = in_ward[WARD_A], in_ward[WARD_B]
    assert len(ward_a) == 2 and len(ward_b) == 2, "the demo has markets in both wards"
    plan = [(ward_a[0], 0, True), (ward_a[1], 7, True), (ward_b[0], 0, True), (ward_b[1], 3, False)]
    results = api.push("kiemtra", *[visit(m["id"], using, f"2023-12-{28 + i}")
                                    for i, (m, using, _) in enumerate(plan)])
    for (market, _, _), result in zip(plan, results, strict=True):
        market["visit_id"] = result["record"]["id"]
    api.push("phuong", *[approve(r["record"]) for r, (_, _, ok) in zip(results, plan, strict=True)
                         if ok])
    return {
        "compliant": ward_a[0], "non_compliant": ward_a[1], "compliant_b": ward_b[0],
        "pending": ward_b[1],
    }


# ---------------------------------------------------------------- the browser


def sign_in(page: Page, server: LiveServer, username: str = "thanhpho",
            next_path: str = "/city") -> None:
    page.goto(f"{server.url}/login?next={quote(next_path, safe='')}")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.locator(".kpi__value, [role=alert]").first.wait_for(timeout=WAIT_MS)


def expect_figures(page: Page, figures: dict) -> None:
    """The big number, the sentence and the five counts say what the API says."""
    expect(page.locator(".kpi__value")).to_have_text(vi_percent(figures["value"]), timeout=WAIT_MS)
    sentence = (f"{vi_count(figures['compliant'])}/{vi_count(figures['markets_total'])} chợ đạt "
                f"({vi_percent(figures['value'])}) — mục tiêu {vi_percent(figures['target'])}")
    expect(page.locator(".kpi__sentence")).to_have_text(sentence)
    for key in ("markets_total", "compliant", "non_compliant", "not_assessed", "pending_review"):
        # .first: "Chưa đánh giá" holds its own number, then "trong đó chờ duyệt"'s.
        expect(page.locator(f"[data-count='{key}'] .tile__number").first).to_have_text(
            vi_count(figures[key]))


def expect_breakdown_row(page: Page, row: dict) -> None:
    tr = page.locator(f"table.breakdown tr[data-unit='{row['org_unit']['id']}']")
    for key in ("markets_total", "compliant", "non_compliant", "not_assessed", "pending_review"):
        expect(tr.locator(f"[data-col='{key}']")).to_have_text(vi_count(row[key]))
    expect(tr.locator("[data-col='value']")).to_have_text(vi_percent(row["value"]))
    expect(tr.locator("[data-col='coverage']")).to_have_text(vi_percent(row["coverage"]))


@pytest.fixture
def api(server):
    return Api(server)


@pytest.fixture
def desk(browser):
    """A desk browser; at the end, no page of the test broke the server's CSP."""
    context = browser.new_context(**DESK)
    page = context.new_page()
    violations = []
    page.on("console", lambda m: violations.append(m.text)
            if "Content Security Policy" in m.text else None)
    yield page
    context.close()
    assert violations == []


def test_dashboard_drill_down_download_and_report_match_the_api(server, api, desk, tmp_path):
    used = make_data_set(api)
    city = api.get("/indicator", period=PERIOD)
    statuses = {m["market"]["id"]: (m["status"], m["visit_id"]) for m in api.get(
        "/indicator/markets", period=PERIOD, org_unit=DISTRICT_CODE)["markets"]}
    for role, status in (("compliant", "compliant"), ("non_compliant", "non_compliant"),
                         ("compliant_b", "compliant")):
        assert statuses[used[role]["id"]] == (status, used[role]["visit_id"]), role
    page = desk
    sign_in(page, server)

    # The city: the figures and the district's breakdown row equal the API's.
    page.goto(f"{server.url}/city?period={PERIOD}")
    expect_figures(page, city)
    expect(page.locator(".city-badge")).to_contain_text("Số liệu tạm tính")
    district_row = next(r for r in city["breakdown"] if r["org_unit"]["code"] == DISTRICT_CODE)
    expect_breakdown_row(page, district_row)
    # The non-compliant list names the market, with its evidence.
    bad = page.locator(".markets-table tr[data-status='non_compliant']")
    expect(bad).to_have_count(1)
    expect(bad).to_contain_text(used["non_compliant"]["name"])

    # Sorting by compliance puts the district with compliant markets first.
    page.get_by_role("button", name="Tỷ lệ đạt").click()
    expect(page.locator("table.breakdown tbody tr").first).to_have_attribute(
        "data-unit", str(district_row["org_unit"]["id"]))

    # District → its wards (a click on the row drills in).
    district_id = district_row["org_unit"]["id"]
    page.locator(f"table.breakdown tr[data-unit='{district_id}'] td").first.click()
    expect(page).to_have_url(f"{server.url}/city?period={PERIOD}&org_unit={district_id}")
    district = api.get("/indicator", period=PERIOD, org_unit=district_row["org_unit"]["id"])
    expect_figures(page, district)
    ward_row = next(r for r in district["breakdown"] if r["org_unit"]["code"] == WARD_A)
    expect_breakdown_row(page, ward_row)

    # → the ward (by its link), whose figures are the ward's.
    page.get_by_role("link", name=ward_row["org_unit"]["name"], exact=True).click()
    ward = api.get("/indicator", period=PERIOD, org_unit=ward_row["org_unit"]["id"])
    expect_figures(page, ward)
    assert ward["compliant"] >= 1 and ward["non_compliant"] >= 1

    # → the ward's compliant markets → the market's evidence visit.
    page.locator("[data-count='compliant'] a").click()
    expect(page.get_by_role("heading", name="Danh sách chợ")).to_be_visible()
    listed = api.get("/indicator/markets", period=PERIOD, org_unit=ward_row["org_unit"]["id"],
                     status="compliant")["markets"]
    row = page.locator(f".markets-table tr[data-market='{used['compliant']['id']}']")
    expect(page.locator(".markets-table tbody tr")).to_have_count(len(listed))
    evidence = next(m for m in listed if m["market"]["id"] == used["compliant"]["id"])
    expect(row).to_contain_text("Trần Thị Phương")  # the reviewer
    expect(row).to_contain_text("08:30 28/12/2023")  # observed at, Hanoi time
    link = row.get_by_role("link", name="Xem lượt kiểm tra")
    expect(link).to_have_attribute(  # with the way back to this list
        "href", re.compile(rf"^/review/visits/{evidence['visit_id']}\?from=%2Fcity%2Fmarkets"))
    # The visit behind the figure: observed by kiemtra, approved by phuong (its review page, with
    # the photos, is the review screens' /review/visits/:id).
    assert evidence["visit_id"] == used["compliant"]["visit_id"]
    record = api.get(f"/visits/{evidence['visit_id']}")
    assert record["market"]["id"] == used["compliant"]["id"]
    assert [(h["event"], h.get("decision"), h["by"]["username"]) for h in record["history"]] == [
        ("submit", None, "kiemtra"), ("decision", "approve", "phuong")]

    # The CSV of the district: saved under the server's name, with the API's numbers.
    page.goto(f"{server.url}/city?period={PERIOD}&org_unit={district_row['org_unit']['id']}")
    expect_figures(page, district)
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Tải CSV").click()
    download = download_info.value
    assert download.suggested_filename == f"chi-tieu-4.4_{PERIOD}_{DISTRICT_CODE}.csv"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 with BOM, so Excel shows Vietnamese"
    server_csv = requests.get(
        f"{api.url}/reports/compliance.csv", params={"period": PERIOD, "org_unit": DISTRICT_CODE},
        headers=api.headers("thanhpho"), timeout=TIMEOUT)
    assert raw == server_csv.content, "the browser saved exactly the server's file"
    # One row for the district, then one per ward: each equal to the API's figures.
    table = csv.DictReader(io.StringIO(raw.decode("utf-8-sig")))
    by_code = {row["Mã đơn vị"]: row for row in table}
    expected = {r["org_unit"]["code"]: r for r in district["breakdown"]}
    expected[DISTRICT_CODE] = district
    assert sorted(by_code) == sorted(expected)
    columns = {"markets_total": "Tổng số chợ", "compliant": "Đạt",
               "non_compliant": "Không đạt", "not_assessed": "Chưa đánh giá",
               "pending_review": "Trong đó chờ duyệt"}
    for code, figures in expected.items():
        for key, column in columns.items():
            assert int(by_code[code][column]) == figures[key], (code, key)
        assert by_code[code]["Tỷ lệ đạt (%)"] == f"{figures['value'] * 100:.2f}", code

    # The XLSX: the same figures on its summary sheet.
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Tải Excel (XLSX)").click()
    download = download_info.value
    assert download.suggested_filename == f"chi-tieu-4.4_{PERIOD}_{DISTRICT_CODE}.xlsx"
    download.save_as(tmp_path / download.suggested_filename)
    book = openpyxl.load_workbook(tmp_path / download.suggested_filename)
    summary = {row[0]: row[1] for row in book["Tổng hợp"].iter_rows(min_row=2, values_only=True)}
    for key, column in columns.items():
        assert summary[column] == district[key], key
    assert summary["Tỷ lệ đạt"] == pytest.approx(district["value"])

    # The A4 report: its title, its figures, and no app chrome when printed.
    page.get_by_role("link", name="Báo cáo in (A4)").click()
    title = page.get_by_role("heading", name="Báo cáo kết quả thực hiện chỉ tiêu 4.4")
    expect(title).to_have_text("Báo cáo kết quả thực hiện chỉ tiêu 4.4")
    figures = page.locator(".report-figures")
    for key in ("markets_total", "compliant", "non_compliant", "not_assessed", "pending_review"):
        expect(figures.locator(f"[data-figure='{key}'] td")).to_have_text(vi_count(district[key]))
    for key in ("value", "target", "coverage"):
        expect(figures.locator(f"[data-figure='{key}'] td")).to_have_text(vi_percent(district[key]))
    expect(page.locator(".report")).to_contain_text("NGƯỜI LẬP BIỂU")
    expect(page.locator(".report")).to_contain_text("Quận Hai Bà Trưng")
    expect(page.locator(".report-markets").first).to_contain_text(
        used["non_compliant"]["name"])
    print_button = page.get_by_role("button", name="In báo cáo")
    for chrome in (".topbar", "#tabs", "#syncbar", print_button):
        target = page.locator(chrome) if isinstance(chrome, str) else chrome
        expect(target).to_be_visible()
    page.emulate_media(media="print")
    for chrome in (".topbar", "#tabs", "#syncbar", ".about"):
        expect(page.locator(chrome)).to_be_hidden()
    expect(print_button).to_be_hidden()
    expect(title).to_be_visible()
    expect(figures).to_be_visible()
    # Printed, the page is A4 (the report's @page rule; Chromium's default would be Letter).
    pdf = page.pdf(prefer_css_page_size=True)
    boxes = {tuple(float(x) for x in box.split()) for box in
             re.findall(rb"/MediaBox\s*\[([^\]]*)\]", pdf)}
    assert boxes and all(abs(w - 595.3) < 1 and abs(h - 841.9) < 1 for _, _, w, h in boxes), boxes
    page.emulate_media(media="screen")
    # On a phone the report's wide tables scroll in their boxes; the page never scrolls sideways.
    page.set_viewport_size({"width": 360, "height": 740})
    expect(page.locator(".report-breakdown")).to_be_attached()
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"the report scrolls the page sideways at 360 px: {widths}"


def test_a_ward_officer_sees_only_their_unit_and_cannot_close_a_period(server, api, desk):
    """phuong (Phường Hai Bà Trưng) opens this year's dashboard: their ward's figures, no "mark
    final"."""
    make_data_set(api)
    page = desk
    this_year = str(local_today().year)
    sign_in(page, server, "phuong", f"/city?period={this_year}")
    own = api.get("/indicator", "phuong", period=this_year)
    assert own["org_unit"]["code"] == OWN_WARD
    expect_figures(page, own)
    expect(page.get_by_role("button", name="Chốt số liệu kỳ này")).to_have_count(0)
    # The unit pickers offer the units in force this year, fixed to the officer's own ward.
    expect(page.locator("#city-district")).to_be_disabled()
    expect(page.locator("#city-district option")).to_have_text([own["org_unit"]["name"]])
    # Another unit's page: the server says no, the screen says why.
    page.goto(f"{server.url}/city?period={this_year}&org_unit=00004")  # Phường Ba Đình
    expect(page.get_by_role("alert")).to_contain_text("không được xem số liệu của đơn vị này")
    # Trying again cannot help; the way back leads to the officer's own ward.
    expect(page.get_by_role("button", name="Thử lại")).to_have_count(0)
    page.get_by_role("link", name="Về số liệu của tôi").click()
    expect_figures(page, own)


def test_marking_a_period_final_asks_first_and_shows_the_final_badge(server, api, desk):
    make_data_set(api)
    page = desk
    sign_in(page, server)
    page.goto(f"{server.url}/city?period=2023-Q4")
    expect(page.locator(".city-badge")).to_contain_text("Số liệu tạm tính", timeout=WAIT_MS)
    messages = []

    def answer(dialog, accept):
        messages.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda d: answer(d, False))
    page.get_by_role("button", name="Chốt số liệu kỳ này").click()
    assert "giữ nguyên vĩnh viễn" in messages[0]
    assert api.get("/indicator", period="2023-Q4")["final"] is False  # dismissed: nothing sent
    page.once("dialog", lambda d: answer(d, True))
    page.get_by_role("button", name="Chốt số liệu kỳ này").click()
    expect(page.locator(".city-badge")).to_contain_text("Số liệu chính thức", timeout=WAIT_MS)
    assert api.get("/indicator", period="2023-Q4")["final"] is True
    expect(page.get_by_role("button", name="Chốt số liệu kỳ này")).to_have_count(0)


def test_offline_keeps_the_last_loaded_view_and_says_so(server, api, desk):
    make_data_set(api)
    page = desk
    sign_in(page, server)
    page.goto(f"{server.url}/city?period={PERIOD}")
    city = api.get("/indicator", period=PERIOD)
    expect_figures(page, city)
    server.stop()  # no network
    try:
        page.reload()
        kept = page.get_by_role("status").filter(has_text="Không có mạng — đang hiện số liệu")
        expect(kept).to_be_visible(timeout=WAIT_MS)
        expect_figures(page, city)
        # A view never loaded before cannot be shown: the screen says why, plainly.
        page.goto(f"{server.url}/city?period=2023-Q2")
        expect(page.get_by_role("alert")).to_contain_text("Không có mạng", timeout=WAIT_MS)
    finally:
        server.start()
