"""After one visit the app opens with no network: reload, a new tab, a deep link (issue 2)."""

import pytest

pytestmark = pytest.mark.e2e

SW_CONTROLS_PAGE = "() => navigator.serviceWorker.controller !== null"


def open_once_online(phone, server):
    page = phone.new_page()
    page.goto(server.url + "/")
    page.wait_for_function("() => navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_function(SW_CONTROLS_PAGE)
    return page


def test_app_shell_is_vietnamese_and_reports_the_server(phone, server):
    page = open_once_online(phone, server)
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.title() == "Chợ Xanh"
    assert "túi nilon khó phân hủy" in page.locator("main").inner_text()
    page.get_by_text("Sẵn sàng dùng khi không có mạng").wait_for()


def test_app_opens_offline_after_one_visit(phone, server):
    page = open_once_online(phone, server)
    server.stop()

    page.reload()
    assert page.title() == "Chợ Xanh"
    page.get_by_role("heading", name="Chợ Xanh").wait_for()

    second_tab = phone.new_page()
    second_tab.goto(server.url + "/")
    second_tab.get_by_role("heading", name="Chợ Xanh").wait_for()

    deep_link = phone.new_page()
    deep_link.goto(server.url + "/markets")
    deep_link.get_by_role("heading", name="Chợ Xanh").wait_for()


def test_page_runs_under_the_servers_csp_without_violations(phone, server):
    page = phone.new_page()
    violations = []

    def record_csp_violation(message):
        if "Content Security Policy" in message.text:
            violations.append(message.text)

    page.on("console", record_csp_violation)
    page.goto(server.url + "/")
    page.wait_for_function(SW_CONTROLS_PAGE)
    assert violations == []
