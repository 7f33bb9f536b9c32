"""The ward officer clearing the queue with no signal, in a real Chromium (DESIGN §5.1, §6).

"No signal" is the server being down (see test_inspector_offline.py). A decision made offline
waits in the phone's outbox, survives a reload, and reaches the server exactly once when it is
back; a decision someone else made first comes back as a conflict, shown plainly; a revoked
phone keeps its decisions until the officer signs in again.

"Someone else decided first" is made by the city officer on a second server process over the
same database (another port), while the phone's server is down: the phone cannot see it happen,
so the conflict does not depend on timing.
"""

import hashlib
import uuid
from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import (
    CITY_OFFICER,
    WAIT_MS,
    WARD_OFFICER,
    ServerView,
    new_phone,
)
from tests.e2e.live_server import LiveServer
from tests.e2e.test_review_flow import (
    TEST_INSPECTOR,
    Officer,
    decisions_of,
    make_visits,
    new_inspector,
    pull_markets,
)

pytestmark = pytest.mark.e2e

CITY_COMMENT = "Ảnh chụp không phải chợ này, đề nghị kiểm tra lại."


@pytest.fixture
def view(server):
    return ServerView(server)


@pytest.fixture
def officer(browser, server):
    context = new_phone(browser)
    yield Officer(context.new_page(), server)
    context.close()


def queue_offline_ready(officer: Officer, view: ServerView, count: int) -> tuple[int, list[str]]:
    """`count` visits of a new inspector, pulled to the officer's phone, which is then ready to
    work offline with the queue filtered to them → (inspector id, visit ids newest first)."""
    inspector_id = new_inspector(view)
    ids = make_visits(view, TEST_INSPECTOR, pull_markets(view, TEST_INSPECTOR)[:3], count)
    officer.login_to_queue()
    officer.card(ids[0]).wait_for(timeout=WAIT_MS)
    officer.wait_until_offline_ready()
    officer.open_queue(f"?inspector={inspector_id}")
    expect(officer.page.locator("li.review-card")).to_have_count(count, timeout=WAIT_MS)
    return inspector_id, ids


def reviews_by(view: ServerView, username: str) -> int:
    return view.sql(
        "SELECT COUNT(*) FROM review_decision d JOIN app_user u ON u.id = d.reviewer_id"
        " WHERE u.username = ?", username)[0][0]


def test_decisions_made_offline_survive_a_reload_and_reach_the_server_once(officer, server, view):
    inspector_id, (v1, v2, v3) = queue_offline_ready(officer, view, 3)
    server.stop()  # no signal from here on

    # Meanwhile the city officer returns v3 through another server on the same database.
    elsewhere = LiveServer(server.workdir).start()
    try:
        [result] = ServerView(elsewhere).push(CITY_OFFICER, [{
            "id": str(uuid.uuid4()), "type": "review.decide",
            "data": {"visit_id": v3, "base_rev": 1, "decision": "return", "comment": CITY_COMMENT},
        }])
        assert result["status"] == "applied", result
    finally:
        elsewhere.stop()

    officer.open_visit(v1)
    officer.decide("Duyệt")
    officer.open_visit(v2)
    officer.decide("Trả lại", "Thiếu ảnh quầy thịt")
    officer.open_visit(v3)  # still "awaiting review" on this phone
    officer.decide("Duyệt")
    officer.expect_waiting(3)
    expect(officer.page.locator("li.review-card")).to_have_count(0)  # cleared from the queue

    officer.page.reload()  # the app opens from the service worker, the outbox is intact
    officer.page.get_by_role("heading", name="Duyệt lượt kiểm tra").wait_for()
    officer.expect_waiting(3)
    officer.open_queue(f"?inspector={inspector_id}&status=waiting")
    expect(officer.page.locator("li.review-card")).to_have_count(3)
    expect(officer.card(v1)).to_contain_text("Chờ gửi: Duyệt")
    expect(officer.card(v2)).to_contain_text("Chờ gửi: Trả lại")
    assert decisions_of(view, v1) == decisions_of(view, v2) == []

    server.start()
    officer.sync()
    officer.wait_until_synced()
    records = view.visits(WARD_OFFICER)
    assert (records[v1]["status"], records[v1]["rev"]) == ("approved", 2)
    assert (records[v2]["status"], records[v2]["rev"]) == ("returned", 2)
    assert (records[v3]["status"], records[v3]["rev"]) == ("returned", 2)  # the city's decision
    assert decisions_of(view, v1) == [("approve", None)]
    assert decisions_of(view, v2) == [("return", "Thiếu ảnh quầy thịt")]
    assert decisions_of(view, v3) == [("return", CITY_COMMENT)]
    officer.sync()  # another round sends nothing again
    officer.wait_until_synced()
    assert reviews_by(view, WARD_OFFICER) == 2, "each offline decision applied exactly once"

    # The conflict, plainly: who won and what they decided; the phone shows the server's copy.
    officer.open_queue(f"?inspector={inspector_id}&status=all")
    card = officer.card(v3)
    expect(card).to_contain_text("Người khác đã quyết định trước", timeout=WAIT_MS)
    expect(card).to_contain_text("Bị trả lại")  # the status, worded as everywhere
    officer.open_visit(v3)
    main = officer.page.get_by_role("main")
    expect(main).to_contain_text("Quyết định “Duyệt” của bạn không được áp dụng. "
                                 "Trên máy chủ: Đã trả lại lúc")
    expect(main).to_contain_text(CITY_COMMENT)
    expect(main).to_contain_text("Đã trả lại cho cán bộ kiểm tra")  # no approve button any more
    expect(main.get_by_role("button", name="Duyệt", exact=True)).to_have_count(0)
    main.get_by_role("button", name="Đã hiểu").click()
    expect(main).not_to_contain_text("Người khác đã quyết định trước")


def test_a_revoked_officer_keeps_queued_decisions_until_signing_in_again(officer, server, view):
    _, (v1, v2) = queue_offline_ready(officer, view, 2)
    server.stop()
    officer.open_visit(v1)
    officer.decide("Duyệt")
    officer.open_visit(v2)
    officer.decide("Từ chối", "Sai chợ")
    officer.expect_waiting(2)

    # An admin signs this phone out while the officer is away from the office.
    token = officer.idb_meta("token")
    assert token
    revoked = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ")
    view.sql("UPDATE device_token SET revoked_at = ? WHERE token_hash = ?",
             revoked, hashlib.sha256(token.encode()).hexdigest())

    server.start()
    officer.sync()  # 401: the token is forgotten, the decisions stay
    # The sync bar says it, or the sign-in screen the press opened (it has no sync bar).
    said = officer.page.get_by_role("alert").filter(
        has_text="Quản trị viên đã đăng xuất thiết bị này").first
    expect(said).to_contain_text("2 lượt kiểm tra đang chờ", timeout=WAIT_MS)
    assert decisions_of(view, v1) == decisions_of(view, v2) == []
    if officer.page.get_by_role("heading", name="Duyệt lượt kiểm tra").is_visible():
        officer.expect_waiting(2)
        officer.syncbar.get_by_role("link", name="Đăng nhập lại").click()
    expect(officer.page.get_by_role("main")).to_contain_text(
        "Quản trị viên đã đăng xuất thiết bị này. 2 lượt kiểm tra đang chờ vẫn được giữ trên máy")
    expect(officer.page.get_by_label("Tên đăng nhập")).to_have_value(WARD_OFFICER)
    officer.login(WARD_OFFICER, goto=False)
    officer.page.get_by_role("heading", name="Duyệt lượt kiểm tra").wait_for()
    officer.wait_until_synced()
    assert decisions_of(view, v1) == [("approve", None)]
    assert decisions_of(view, v2) == [("reject", "Sai chợ")]
    assert officer.idb_meta("token") not in (None, token), "signed in again: a new token"
