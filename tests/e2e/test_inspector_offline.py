"""The inspector's day without signal, in a real Chromium against a real server (DESIGN §5, §6).

"No signal" is the server being down: Playwright's offline mode does not cover the service
worker's traffic. Every test restarts the server on the same port and SQLite file, so the phone's
origin (its service worker, IndexedDB and outbox) stays the same across the outage.

What the server holds is read through the API as the city officer (`thanhpho`) or the ward
officer (`phuong`), and, where the API cannot tell (duplicates, what was committed before a
crash), straight from the SQLite file (tests/e2e/helpers.py; fixtures `inspector` and `view` in
conftest.py). Here: visits recorded offline reach the server once each, across a reload and a
crash between commit and answer. The other test_inspector_*.py files: an app update, a returned
visit, a revoked token.
"""

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import (
    FAULT,
    HTTP_TIMEOUT,
    MARKETS,
    WAIT_MS,
    assert_holds_with_photos,
    photos,
    restart,
)

pytestmark = pytest.mark.e2e

# ---------------------------------------------------------------- 1. offline round trip


def test_three_visits_recorded_offline_survive_a_reload_and_reach_the_server(
    inspector, server, view, tmp_path
):
    inspector.login_and_load_markets()
    server.stop()  # no signal from here on

    files = photos(tmp_path, 3)
    for i, market in enumerate(MARKETS):
        inspector.record_visit(market, total=40 + i, using=i, files=[files[i]],
                               notes=f"Ghi offline {i + 1}")
    inspector.expect_cards(MARKETS, "Chờ gửi")
    inspector.expect_waiting(3)

    inspector.page.reload()  # the app opens from the service worker, the outbox is intact
    inspector.page.get_by_role("heading", name="Lượt kiểm tra của tôi").wait_for()
    inspector.expect_cards(MARKETS, "Chờ gửi")
    inspector.expect_waiting(3)
    ids = {market: inspector.visit_id(market) for market in MARKETS}

    server.start()
    inspector.sync()
    inspector.expect_waiting(0)
    inspector.expect_cards(MARKETS, "Đã gửi")

    visits = assert_holds_with_photos(view, ids, photo_count=1)
    for i, market in enumerate(MARKETS):
        answers = visits[ids[market]]["answers"]
        assert (answers["stalls_total"], answers["stalls_using_nondegradable"]) == (40 + i, i)
        assert answers["notes"] == f"Ghi offline {i + 1}"
        assert visits[ids[market]]["compliant"] is (i == 0)


# ---------------------------------------------------------- 2. crash between commit and answer


def test_a_server_killed_between_commit_and_answer_applies_each_visit_once(
    inspector, server, view, tmp_path
):
    inspector.login_and_load_markets()
    server.stop()
    files = photos(tmp_path, 3)
    for i, market in enumerate(MARKETS):
        inspector.record_visit(market, total=30 + i, using=1, files=[files[i]])
    inspector.open_visits()
    inspector.expect_waiting(3)
    ids = {market: inspector.visit_id(market) for market in MARKETS}

    # The server commits the push (all its mutations, one transaction), then dies (SIGKILL)
    # before answering.
    restart(server, **FAULT)
    inspector.sync()
    assert server.process.wait(timeout=HTTP_TIMEOUT) == -9
    assert view.count("visit") == 3, "the push was committed before the crash"
    expect(inspector.syncbar).to_contain_text("Chưa đồng bộ được", timeout=WAIT_MS)
    inspector.expect_waiting(3)  # the phone never got an answer: all three still wait
    inspector.expect_cards(MARKETS, "Chờ gửi")

    restart(server)  # without the fault
    inspector.sync()
    inspector.expect_waiting(0)
    inspector.expect_cards(MARKETS, "Đã gửi")

    visits = assert_holds_with_photos(view, ids, photo_count=1)
    assert all(visit["rev"] == 1 for visit in visits.values())
    assert view.count("applied_mutation") == 3, "each mutation applied exactly once"
