"""Each role's screens are a chunk of their own (issue #15, a first load that fits 3G): an
inspector's phone downloads no review, city or admin code, and a ward officer, a city officer or
an admin who signed in online opens their screens offline after a reload, from the service
worker's caches alone (the browser's HTTP cache is emptied first, so it cannot stand in)."""

import json
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import CITY_OFFICER, PASSWORD, WAIT_MS, WARD_OFFICER, new_phone
from tests.e2e.live_server import REPO_ROOT

pytestmark = pytest.mark.e2e

DIST = REPO_ROOT / "pwa" / "dist"


def feature_files() -> dict[str, set[str]]:
    """feature → the URLs of its files, as the build tagged them in sw.js's precache manifest."""
    text = (DIST / "sw.js").read_text(encoding="utf-8")
    start = text.index('[{"revision"')
    entries, _ = json.JSONDecoder().raw_decode(text[start:])
    files: dict[str, set[str]] = {}
    for entry in entries:
        for feature in entry.get("features", []):
            files.setdefault(feature, set()).add("/" + entry["url"])
    return files


def sign_in(page, server, username: str) -> None:
    page.goto(server.url + "/")
    page.get_by_role("heading", name="Đăng nhập").wait_for()
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


def ready_offline(page) -> None:
    """The app says it is ready offline: the worker is in control and this role's screens are
    in its caches."""
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=WAIT_MS)
    expect(page.locator("#offline-ready")).to_have_attribute("data-state", "ready",
                                                             timeout=WAIT_MS)


def cached_paths(page) -> set[str]:
    return set(page.evaluate("""async () => {
        const paths = [];
        for (const name of await caches.keys()) {
            for (const request of await (await caches.open(name)).keys()) {
                paths.push(new URL(request.url).pathname);
            }
        }
        return paths;
    }"""))


def loaded_paths(page) -> set[str]:
    return {re.sub(r"^https?://[^/]+", "", url) for url in page.evaluate(
        "() => performance.getEntriesByType('resource').map((e) => e.name.split('?')[0])")}


def test_an_inspector_downloads_no_other_roles_code(browser, server):
    files = feature_files()
    assert set(files) == {"review", "city", "admin"}
    others = set().union(*files.values())
    assert any(path.endswith(".geojson") for path in files["city"])  # the map's boundaries

    context = new_phone(browser)
    page = context.new_page()
    try:
        sign_in(page, server, "kiemtra")
        page.get_by_role("heading", name="Chọn chợ").wait_for(timeout=WAIT_MS)
        ready_offline(page)
        assert not others & loaded_paths(page)
        cached = cached_paths(page)
        assert "/index.html" in cached and any("/inspector-" in path for path in cached)
        assert not others & cached
    finally:
        context.close()


# Who reviews: shared_schema/review.json; who reads the figures: features/city/routes.js.
@pytest.mark.parametrize(("username", "home", "features", "then"), [
    (WARD_OFFICER, "Duyệt lượt kiểm tra", {"review", "city"}, ("Chỉ tiêu 4.4", "Chỉ tiêu 4.4")),
    (CITY_OFFICER, "Chỉ tiêu 4.4", {"review", "city"}, ("Duyệt", "Duyệt lượt kiểm tra")),
    ("quantri", "Người dùng", {"review", "city", "admin"}, ("Chỉ tiêu 4.4", "Chỉ tiêu 4.4")),
])
def test_an_officer_signed_in_online_opens_their_screens_offline_after_a_reload(
        browser, server, username, home, features, then):
    files = feature_files()
    context = new_phone(browser)
    page = context.new_page()
    try:
        sign_in(page, server, username)
        page.get_by_role("heading", name=home, level=2).wait_for(timeout=WAIT_MS)
        ready_offline(page)
        cached = cached_paths(page)
        for feature in features:
            assert files[feature] <= cached, feature
        for feature in {"review", "city", "admin"} - features:
            assert not files[feature] & cached, feature

        server.stop()  # no signal, and nothing left in the browser's HTTP cache
        context.new_cdp_session(page).send("Network.clearBrowserCache")
        page.reload()
        expect(page.get_by_role("heading", name=home, level=2)).to_be_visible(timeout=WAIT_MS)
        if then:
            tab, heading = then
            page.locator("#tabs").get_by_role("link", name=tab).click()
            expect(page.get_by_role("heading", name=heading, level=2)).to_be_visible(
                timeout=WAIT_MS)
        expect(page.get_by_role("alert").filter(has_text="chưa có trên máy")).to_have_count(0)
    finally:
        context.close()
        server.start()
