"""The ward officer's review in a real Chromium against a real server (DESIGN §1, §6).

Two phones (browser contexts): the inspector (`kiemtra`) and the ward officer (`phuong`) of the
same ward. Visits for the officer to clear in bulk are made through the sync API, by an
inspector created for the test, so the queue under test holds exactly them whatever the demo
seed holds.

The helpers here (Officer, make_visits, …) are also used by test_officer_offline.py.
"""

import csv
import io
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import requests
from playwright.sync_api import expect

from tests.e2e.helpers import (
    CITY_OFFICER,
    HTTP_TIMEOUT,
    MARKETS,
    PASSWORD,
    WAIT_MS,
    WARD_OFFICER,
    Inspector,
    ServerView,
    new_phone,
    photos,
    shot,
)

pytestmark = pytest.mark.e2e

DISTRICT = "00256"  # Phường Hai Bà Trưng: kiemtra's and phuong's ward since 1 July 2025
FORM_VERSION = "2023.1"
TEST_INSPECTOR = "kiemtra_e2e"
RETURN_COMMENT = "Ảnh quầy rau chưa rõ, đề nghị đếm lại số hộ dùng túi nilon."


class Officer(Inspector):
    """What an officer does in the review screens, through roles and visible text."""

    def login_to_queue(self, username: str = WARD_OFFICER) -> None:
        self.login(username)
        self.page.get_by_role("heading", name="Duyệt lượt kiểm tra").wait_for()

    def open_queue(self, query: str = "") -> None:
        """Opens the queue by its URL (a full page load: from the service worker when offline)."""
        self.page.goto(f"{self.server.url}/review{query}")
        self.page.get_by_role("heading", name="Duyệt lượt kiểm tra").wait_for()

    def card(self, visit_id: str):
        return self.page.locator(f"li.review-card[data-id='{visit_id}']")

    def open_visit(self, visit_id: str) -> None:
        card = self.card(visit_id)
        card.wait_for(timeout=WAIT_MS)
        card.get_by_role("link").click()
        self.page.get_by_role("heading", name="Xem xét lượt kiểm tra").wait_for()

    def decide(self, button: str, comment: str | None = None, label: str = "Nhận xét") -> None:
        """Presses a decision button on the visit page; the app goes back to the queue."""
        if comment is not None:
            self.page.get_by_label(label, exact=True).fill(comment)
        self.page.get_by_role("button", name=button, exact=True).click()
        self.page.get_by_role("heading", name="Duyệt lượt kiểm tra").wait_for()

    def wait_until_synced(self) -> None:
        """Everything sent and a pull done after it (the status line says "Đã gửi hết")."""
        self.expect_waiting(0)
        expect(self.syncbar.get_by_role("button", name="Đồng bộ ngay")).to_be_enabled(
            timeout=WAIT_MS)


def pull_markets(view: ServerView, username: str) -> list[dict]:
    """The markets `username` can see (with coordinates), by a full pull."""
    headers = {"Authorization": f"Bearer {view.token(username)}"}
    markets, cursor = {}, None
    while True:
        params = {"limit": 500, **({"cursor": cursor} if cursor else {})}
        response = requests.get(f"{view.server.url}/api/v1/sync/pull", params=params,
                                headers=headers, timeout=HTTP_TIMEOUT)
        assert response.status_code == 200, response.text
        body = response.json()
        for change in body["changes"]:
            if change["entity"] == "market" and change["op"] == "upsert":
                markets[change["id"]] = change["data"]
        cursor = body["cursor"]
        if not body["has_more"]:
            break
    return sorted((m for m in markets.values() if m["lat"] is not None), key=lambda m: m["code"])


def new_inspector(view: ServerView, username: str = TEST_INSPECTOR) -> int:
    """An inspector of the officers' district made for this test → their user id."""
    view.server.manage("create-user", username, "--role", "inspector", "--org-unit", DISTRICT,
                       "--password", PASSWORD, "--display-name", "Cán bộ kiểm tra E2E")
    response = requests.get(f"{view.server.url}/api/v1/me", timeout=HTTP_TIMEOUT,
                            headers={"Authorization": f"Bearer {view.token(username)}"})
    assert response.status_code == 200, response.text
    return response.json()["id"]


def make_visits(view: ServerView, username: str, markets: list[dict], count: int, *,
                far: frozenset = frozenset(), non_compliant: frozenset = frozenset()) -> list[str]:
    """`count` submitted visits by `username` through the sync API, newest first; visit i is
    ~1.1 km off its market when i in `far`, non-compliant when i in `non_compliant`."""
    now = datetime.now(UTC).replace(microsecond=0)
    mutations = []
    for i in range(count):
        market = markets[i % len(markets)]
        using = 2 if i in non_compliant else 0
        mutations.append({"id": str(uuid.uuid4()), "type": "visit.upsert", "data": {
            "id": str(uuid.uuid4()), "base_rev": None, "market_id": market["id"],
            "form_version": FORM_VERSION, "observed_at": (now - timedelta(minutes=i)).isoformat(),
            "answers": {"stalls_total": 30 + i, "stalls_using_nondegradable": using,
                        "alternatives": ["paper_bag"], "signage_present": True,
                        "outreach_held": False},
            "location": {"lat": market["lat"] + (0.01 if i in far else 0.0001),
                         "lon": market["lon"], "accuracy_m": 8},
            "attachments": [],
        }})
    results = view.push(username, mutations)
    assert [r["status"] for r in results] == ["applied"] * count, results
    return [r["record"]["id"] for r in results]


def decisions_of(view: ServerView, visit_id: str) -> list[tuple]:
    return view.sql("SELECT decision, comment FROM review_decision WHERE visit_id = ? ORDER BY id",
                    visit_id)


# ---------------------------------------------------------------- fixtures


@pytest.fixture
def view(server):
    return ServerView(server)


@pytest.fixture
def inspector(browser, server):
    context = new_phone(browser)
    yield Inspector(context.new_page(), server)
    context.close()


@pytest.fixture
def officer(browser, server):
    context = new_phone(browser)
    yield Officer(context.new_page(), server)
    context.close()


# ---------------------------------------------------------------- 1. return, fix, approve


def test_the_officer_returns_the_inspector_fixes_the_officer_approves_and_it_locks(
    inspector, officer, server, view, tmp_path
):
    market = MARKETS[0]
    inspector.login_and_load_markets()
    inspector.record_visit(market, total=50, using=4, files=photos(tmp_path, 1))
    inspector.expect_waiting(0)
    inspector.expect_cards([market], "Đã gửi")
    visit_id = inspector.visit_id(market)

    # The officer's queue (their district's visits, pulled to the phone) lists it.
    officer.login_to_queue()
    card = officer.card(visit_id)
    expect(card).to_contain_text("Chờ duyệt", timeout=WAIT_MS)
    expect(card).to_contain_text(market)
    expect(card).to_contain_text("Không đạt")  # 4 stalls still use the bags
    # Drawn as a card with its status edge, though the officer's phone loads no inspector code.
    edge = card.evaluate(
        "li => [getComputedStyle(li).borderLeftWidth, getComputedStyle(li).paddingTop]")
    assert edge == ["6px", "12px"], edge
    officer.open_visit(visit_id)
    main = officer.page.get_by_role("main")
    for text in ("Số hộ kinh doanh được kiểm tra", "50", "Số hộ sử dụng túi nilon khó phân hủy",
                 "Túi giấy", "Cách chợ", "Độ chính xác ±15 m", "Chưa có quyết định nào."):
        expect(main).to_contain_text(text, timeout=WAIT_MS)
    expect(officer.page.locator(".market-card")).to_have_css("border-radius", "10px")
    photo = officer.page.get_by_role("img", name="Ảnh 1 của lượt kiểm tra")
    expect(photo).to_be_visible(timeout=WAIT_MS)  # fetched with the token, shown from a blob
    assert photo.evaluate("img => img.naturalWidth") > 0

    officer.page.get_by_role("button", name="Trả lại", exact=True).click()
    expect(main.get_by_text("Cần nhập nhận xét khi trả lại.")).to_be_visible()
    assert view.visits(WARD_OFFICER)[visit_id]["status"] == "submitted"
    officer.decide("Trả lại", RETURN_COMMENT)
    officer.wait_until_synced()
    record = view.visits(WARD_OFFICER)[visit_id]
    assert (record["status"], record["rev"]) == ("returned", 2)
    assert record["review"]["comment"] == RETURN_COMMENT

    # The inspector sees the comment, fixes the visit and sends it again.
    inspector.sync()
    inspector.expect_cards([market], "Bị trả lại")
    expect(inspector.card(market)).to_contain_text(RETURN_COMMENT)
    # …with who wrote it and when (the reviewer's name came with the inspector's pull).
    expect(inspector.card(market)).to_contain_text(
        "Trần Thị Phương (cán bộ phường, demo) trả lại lúc")
    inspector.card(market).evaluate("li => li.scrollIntoView({block: 'center'})")
    shot(inspector.page, "visits-returned-by.png", full_page=False)
    inspector.card(market).get_by_role("link", name="Sửa và gửi lại").click()
    inspector.page.get_by_role("heading", name="Sửa phiếu kiểm tra").wait_for()
    inspector.page.get_by_label("Số hộ sử dụng túi nilon khó phân hủy").fill("0")
    inspector.save("Lưu và gửi lại")
    inspector.expect_waiting(0)
    inspector.expect_cards([market], "Đã gửi")

    # Back in the officer's queue: the history shows the return, the officer approves.
    officer.sync()
    card = officer.card(visit_id)
    expect(card).to_contain_text("Đạt", timeout=WAIT_MS)
    expect(card).not_to_contain_text("Không đạt")
    officer.open_visit(visit_id)
    # What changed since the return: the versions, and the changed answer marked with its
    # old value; "Máy chủ nhận lúc" is the new version's time, flagged as new.
    versions = main.locator("ol.review-versions li")
    expect(versions).to_have_count(2, timeout=WAIT_MS)
    expect(versions.nth(0)).to_contain_text("Gửi lần đầu — Nguyễn Văn Kiểm")
    expect(versions.nth(1)).to_contain_text("Sửa, gửi lại — Nguyễn Văn Kiểm")
    expect(versions.nth(1)).to_contain_text("Đã sửa: Số hộ sử dụng túi nilon khó phân hủy")
    changed = main.locator("dd[data-changed='stalls_using_nondegradable']")
    expect(changed).to_contain_text("Đã sửa từ lần quyết định trước")
    expect(changed).to_contain_text("Trước: 4")
    expect(main.locator("dd[data-changed]")).to_have_count(1)  # nothing else was changed
    expect(main.locator("[data-new-version]")).to_have_text("Có phiên bản mới sau quyết định trước")
    expect(officer.page.locator("#toast")).to_be_hidden(timeout=WAIT_MS)  # a clear picture
    changed.evaluate("dd => dd.scrollIntoView({block: 'center'})")
    shot(officer.page, "review-changed-since.png", full_page=False)
    versions.nth(1).evaluate("li => li.scrollIntoView({block: 'center'})")
    shot(officer.page, "review-versions.png", full_page=False)
    expect(main).to_contain_text("Lịch sử quyết định")
    history = main.locator("ol.review-history")
    expect(history).to_contain_text("Đã trả lại", timeout=WAIT_MS)
    expect(history).to_contain_text(RETURN_COMMENT)
    officer.decide("Duyệt")
    officer.wait_until_synced()
    record = view.visits()[visit_id]
    assert (record["status"], record["rev"], record["compliant"]) == ("approved", 4, True)
    assert decisions_of(view, visit_id) == [("return", RETURN_COMMENT), ("approve", None)]

    # The inspector sees it approved and can no longer change it.
    inspector.sync()
    inspector.expect_cards([market], "Đã duyệt")
    expect(inspector.card(market)).to_contain_text("Đã khóa")
    expect(inspector.card(market).get_by_role("link", name="Sửa")).to_have_count(0)

    # The audit CSV, fetched with the token and saved as a file.
    officer.open_queue()
    with officer.page.expect_download(timeout=WAIT_MS) as download:
        officer.page.get_by_role("button", name="Tải nhật ký duyệt (CSV)").click()
    text = download.value.path().read_bytes().decode("utf-8-sig")
    rows = [r for r in csv.DictReader(io.StringIO(text)) if r["Mã lượt kiểm tra"] == visit_id]
    assert [(r["Quyết định"], r["Nhận xét"], r["Người quyết định (tài khoản)"])
            for r in rows] == [("Trả lại", RETURN_COMMENT, WARD_OFFICER),
                               ("Duyệt", "", WARD_OFFICER)]
    assert download.value.suggested_filename.endswith(".csv")


# ---------------------------------------------------------------- 2. bulk approval


def test_bulk_approve_of_a_filtered_queue_shows_a_summary_then_the_results(
    officer, server, view
):
    inspector_id = new_inspector(view)
    markets = pull_markets(view, TEST_INSPECTOR)[:6]  # Phường Hai Bà Trưng has 5 in the demo
    assert len(markets) >= 4
    ids = make_visits(view, TEST_INSPECTOR, markets, 24, far=frozenset({1, 5}),
                      non_compliant=frozenset({0, 3, 7}))

    officer.login_to_queue()
    officer.card(ids[0]).wait_for(timeout=WAIT_MS)
    # Filtering by inspector (a URL like any other view) leaves exactly this test's visits.
    officer.open_queue(f"?inspector={inspector_id}")
    expect(officer.page.locator("li.review-card")).to_have_count(24, timeout=WAIT_MS)
    expect(officer.page.get_by_role("main")).to_contain_text("24 lượt kiểm tra")
    officer.page.get_by_label("Chỉ lượt ghi cách chợ hơn 500 m").check()
    expect(officer.page.locator("li.review-card")).to_have_count(2)
    assert "far=1" in officer.page.url
    officer.page.get_by_label("Chỉ lượt ghi cách chợ hơn 500 m").uncheck()

    officer.page.get_by_role("button", name="Duyệt tất cả 24 lượt đang lọc").click()
    summary = officer.page.get_by_role("group", name="Xác nhận duyệt hàng loạt")
    for text in ("24 lượt kiểm tra", f"tại {len(markets)} chợ", "của 1 cán bộ kiểm tra",
                 "3 lượt chưa đạt", "2 lượt ghi cách chợ hơn 500 m", "0 lượt không kèm vị trí"):
        expect(summary).to_contain_text(text)
    assert not any(decisions_of(view, i) for i in ids), "nothing is decided before confirming"
    summary.get_by_role("button", name="Duyệt 24 lượt").click()

    result = officer.page.locator("#rq-batch")
    expect(result).to_contain_text("Kết quả duyệt hàng loạt: đã xử lý 24/24", timeout=WAIT_MS)
    expect(result).to_contain_text("Đã duyệt: 24")
    expect(result).to_contain_text("Người khác đã quyết định trước: 0")
    expect(result).to_contain_text("Máy chủ không nhận: 0")
    officer.wait_until_synced()
    expect(officer.page.get_by_role("main")).to_contain_text("Không còn lượt nào chờ duyệt.")

    records = view.visits(WARD_OFFICER)
    assert {records[i]["status"] for i in ids} == {"approved"}
    assert all(decisions_of(view, i) == [("approve", None)] for i in ids)


# ---------------------------------------------------------------- 3. reopen


def test_the_city_officer_reopens_an_approved_visit_with_a_reason(officer, server, view):
    new_inspector(view)
    [visit_id] = make_visits(view, TEST_INSPECTOR, pull_markets(view, TEST_INSPECTOR)[:1], 1)
    [approved] = view.push(WARD_OFFICER, [{
        "id": str(uuid.uuid4()), "type": "review.decide",
        "data": {"visit_id": visit_id, "base_rev": 1, "decision": "approve", "comment": None},
    }])
    assert approved["status"] == "applied", approved

    officer.login(CITY_OFFICER)
    # The first pull (the whole city) is done before the page is opened anew by its link.
    expect(officer.syncbar).to_contain_text("Đồng bộ lần cuối", timeout=WAIT_MS)
    officer.wait_until_synced()
    officer.page.goto(f"{server.url}/review/visits/{visit_id}")  # a link, as from the dashboard
    officer.page.get_by_role("heading", name="Xem xét lượt kiểm tra").wait_for()
    main = officer.page.get_by_role("main")
    reopen = main.get_by_role("button", name="Mở lại", exact=True)
    expect(reopen).to_be_visible(timeout=WAIT_MS)
    expect(main.locator(".market-card")).to_contain_text("Đã duyệt")
    reopen.click()
    expect(main.get_by_text("Cần nhập lý do khi mở lại.")).to_be_visible()
    officer.decide("Mở lại", "Số hộ trong ảnh không khớp, kiểm tra lại.", label="Lý do mở lại")
    officer.wait_until_synced()
    record = view.visits()[visit_id]
    assert (record["status"], record["rev"]) == ("submitted", 3)
    assert decisions_of(view, visit_id) == [
        ("approve", None), ("reopen", "Số hộ trong ảnh không khớp, kiểm tra lại.")]
