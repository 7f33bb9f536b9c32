"""A token revoked while the phone is in the field, in a real Chromium against a real server
(DESIGN §9): the phone keeps its outbox, says an administrator signed it out (not "session
expired", issue #14), fills in the username on the sign-in screen, and then sends.
Helpers: tests/e2e/helpers.py."""

import hashlib
from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import (
    INSPECTOR,
    MARKETS,
    WAIT_MS,
    assert_holds_with_photos,
    photos,
)

pytestmark = pytest.mark.e2e

# ---------------------------------------------------------------- 5. a revoked token


def test_a_revoked_token_keeps_the_outbox_until_the_inspector_logs_in_again(
    inspector, server, view, tmp_path
):
    market = MARKETS[1]
    inspector.login_and_load_markets()
    server.stop()
    inspector.record_visit(market, total=25, using=2, files=photos(tmp_path, 1))
    inspector.expect_waiting(1)

    # An admin signs this phone out while it is in the field.
    token = inspector.idb_meta("token")
    assert token
    revoked = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ")
    view.sql("UPDATE device_token SET revoked_at = ? WHERE token_hash = ?",
             revoked, hashlib.sha256(token.encode()).hexdigest())
    assert view.sql("SELECT COUNT(*) FROM device_token WHERE revoked_at IS NOT NULL") == [(1,)]

    server.start()
    # The server answers 401. (Should an automatic retry get that answer before this press,
    # the press itself opens the login screen: the app knows the session is over.)
    inspector.sync()
    # The sync bar says it, or the sign-in screen the press opened (it has no sync bar).
    said = inspector.page.get_by_role("alert").filter(
        has_text="Quản trị viên đã đăng xuất thiết bị này").first
    expect(said).to_contain_text("1 lượt kiểm tra đang chờ", timeout=WAIT_MS)
    expect(said).not_to_contain_text("hết hạn")
    assert view.count("visit") == 0
    if inspector.page.get_by_role("heading", name="Lượt kiểm tra của tôi").is_visible():
        inspector.expect_waiting(1)
        inspector.expect_cards([market], "Chờ gửi")
        inspector.syncbar.get_by_role("link", name="Đăng nhập lại").click()
    main = inspector.page.get_by_role("main")
    expect(main).to_contain_text(
        "Quản trị viên đã đăng xuất thiết bị này. 1 lượt kiểm tra đang chờ vẫn được giữ trên máy"
    )
    expect(main).not_to_contain_text("hết hạn")
    expect(inspector.page.get_by_label("Tên đăng nhập")).to_have_value(INSPECTOR)
    # Reloading the app (e.g. the next morning) still says why: the reason is kept on the phone.
    inspector.page.reload()
    expect(main).to_contain_text("Quản trị viên đã đăng xuất thiết bị này", timeout=WAIT_MS)
    expect(inspector.page.get_by_label("Tên đăng nhập")).to_have_value(INSPECTOR)
    inspector.login(goto=False)
    inspector.page.get_by_role("heading", name="Lượt kiểm tra của tôi").wait_for()
    inspector.expect_waiting(0)
    inspector.expect_cards([market], "Đã gửi")
    assert_holds_with_photos(view, {market: inspector.visit_id(market)}, photo_count=1)
    assert inspector.idb_meta("token") not in (None, token), "signed in again: a new token"
