"""The visit form's errors in a real Chromium: pressing "Lưu phiếu" on a form with mistakes
saves nothing, says how many items need fixing, and takes the inspector to the highest one on
the page (not to whichever the checks found first)."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import MARKETS

pytestmark = pytest.mark.e2e


def test_saving_a_form_with_mistakes_goes_to_the_first_one_on_the_page(inspector):
    inspector.login_and_load_markets()
    inspector.open_market(MARKETS[0])
    page = inspector.page
    page.get_by_label("Số hộ kinh doanh được kiểm tra").fill("10")
    page.get_by_label("Số hộ sử dụng túi nilon khó phân hủy").fill("20")  # more than checked
    page.get_by_role("button", name="Lưu phiếu").click()  # the yes/no questions left empty

    expect(page.get_by_text(re.compile(r"Phiếu còn [2-9] mục cần sửa\."))).to_be_visible()
    using = page.get_by_label("Số hộ sử dụng túi nilon khó phân hủy")
    expect(using).to_be_focused()
    message = page.get_by_text("không được lớn hơn “Số hộ kinh doanh được kiểm tra”")
    expect(message).to_be_in_viewport()
    expect(page.get_by_role("heading", name="Phiếu kiểm tra")).to_be_visible()  # not saved
