"""A visit the ward officer returns is fixed offline and resubmitted, in a real Chromium against
a real server (DESIGN §6): the phone shows the comment, the edit waits in the outbox while there
is no signal, and the server ends at rev 3, submitted. Helpers: tests/e2e/helpers.py."""

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import (
    MARKETS,
    WARD_OFFICER,
    photos,
)

pytestmark = pytest.mark.e2e

# ---------------------------------------------------------------- 4. a returned visit


RETURN_COMMENT = "Số hộ dùng túi nilon chưa khớp ảnh chụp, đề nghị kiểm tra lại quầy rau."


def test_a_returned_visit_is_fixed_offline_and_resubmitted(inspector, server, view, tmp_path):
    market = MARKETS[0]
    inspector.login_and_load_markets()
    inspector.record_visit(market, total=50, using=4, files=photos(tmp_path, 1))
    inspector.expect_waiting(0)  # online: sent at once
    inspector.expect_cards([market], "Đã gửi")
    visit_id = inspector.visit_id(market)

    # The ward officer returns it with a comment.
    seen = view.visits(WARD_OFFICER)[visit_id]
    assert (seen["rev"], seen["status"]) == (1, "submitted")
    [result] = view.push(WARD_OFFICER, [{
        "id": "7b1e1a52-3f7c-4a0e-9d5e-0c6b1f0a9e01", "type": "review.decide",
        "data": {"visit_id": visit_id, "base_rev": 1, "decision": "return",
                 "comment": RETURN_COMMENT},
    }])
    assert result["status"] == "applied", result
    assert (result["record"]["rev"], result["record"]["status"]) == (2, "returned")

    inspector.sync()
    inspector.expect_cards([market], "Bị trả lại")
    card = inspector.card(market)
    expect(card).to_contain_text(RETURN_COMMENT)
    expect(inspector.page.get_by_role("heading", name="Cần xử lý (1)")).to_be_visible()

    server.stop()
    card.get_by_role("link", name="Sửa và gửi lại").click()
    inspector.page.get_by_role("heading", name="Sửa phiếu kiểm tra").wait_for()
    expect(inspector.page.get_by_role("main")).to_contain_text(RETURN_COMMENT)
    inspector.page.get_by_label("Số hộ sử dụng túi nilon khó phân hủy").fill("0")
    inspector.save("Lưu và gửi lại")
    inspector.expect_cards([market], "Chờ gửi")
    inspector.expect_waiting(1)

    server.start()
    inspector.sync()
    inspector.expect_waiting(0)
    inspector.expect_cards([market], "Đã gửi")

    record = view.visits()[visit_id]
    assert (record["rev"], record["status"]) == (3, "submitted")
    assert record["answers"]["stalls_using_nondegradable"] == 0
    assert record["answers"]["stalls_total"] == 50
    assert record["compliant"] is True
    assert view.count("visit") == 1
