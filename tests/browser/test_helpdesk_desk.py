"""The desk in headless Chromium: a team member records a help session and flags a hit; an editor sees the
flag in the admin page, opens the entry as an edit draft and resolves the flag."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from app.main import create_app
from tests.browser.conftest import Tab, new_tab, save_screenshot, serve_in_thread
from tests.browser.widget_helpers import axe_violations
from tests.editorial.helpers import EDITOR, VIEWER, editorial_settings

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture then skips, or fails under REQUIRE_BROWSER=1, with the reason
    pass

QUERY = "địa chỉ cổng dịch vụ công"


@pytest.fixture()
def desk_url(tmp_path: Path) -> Iterator[str]:
    """A real server with named team members and editors over a temp copy of the small base."""
    with serve_in_thread(create_app(editorial_settings(tmp_path))) as url:
        yield url


@pytest.fixture()
def desk_tab(browser: Browser, desk_url: str) -> Iterator[Tab]:
    """A desktop tab that lets axe-core in past the page's CSP."""
    t = new_tab(browser, desk_url, bypass_csp=True)
    yield t
    t.page.context.close()


def _sign_in_at_desk(page: Page, token: str) -> None:
    page.get_by_text("Dành cho tổ viên").click()
    page.get_by_label("Mã tổ viên (mã quản trị được cấp cho bạn)").fill(token)
    page.locator("#desk-token-form").get_by_role("button", name="Dùng mã này").click()


def test_a_team_member_records_a_session_and_flags_a_hit_an_editor_resolves_it(desk_tab: Tab):
    page = desk_tab.page
    page.goto(desk_tab.base_url + "/helpdesk")
    # plain search needs no token and shows no desk controls
    page.get_by_label("Câu hỏi hoặc từ khoá").fill(QUERY)
    with page.expect_response("**/api/search**"):
        page.get_by_label("Câu hỏi hoặc từ khoá").press("Enter")
    first = page.locator(".hit").first
    expect(first).to_contain_text("Địa chỉ Cổng Dịch vụ công quốc gia là gì?")
    assert first.get_by_role("button", name="Báo câu trả lời sai: kết quả 1").count() == 0

    _sign_in_at_desk(page, VIEWER)
    expect(page.locator("#desk-who")).to_have_text("Bạn: lan (viewer)")
    # the hits already shown get the desk's controls once signed in
    first.get_by_role("button", name="Ghi vào phiên: kết quả 1").click()
    expect(page.locator("#desk-session-state")).to_contain_text("Phiên số")
    expect(page.locator("#desk-entry")).to_contain_text("dvc-dia-chi")
    page.get_by_label("Đã hướng dẫn đến nơi khác").check()
    page.get_by_label("Ghi chú ngắn (không bắt buộc)").fill("chỉ cách vào cổng, bà đọc sđt 0912345678")
    page.get_by_role("button", name="Ghi lại").click()
    status = page.locator("#desk-status")
    expect(status).to_contain_text("Đã ghi: Cổng Dịch vụ công")
    expect(status).to_contain_text("đã được ẩn")
    page.get_by_label("Chủ đề").select_option(label="Căn cước, CCCD")
    page.get_by_label("Đã giải quyết", exact=True).check()
    page.get_by_role("button", name="Ghi lại").click()
    items = page.locator("#desk-items li")
    expect(items).to_have_count(2)
    assert "[SĐT]" in items.first.inner_text() and "0912345678" not in page.content()
    expect(items.nth(1)).to_contain_text("Căn cước, CCCD · Đã giải quyết")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Kết thúc phiên").click()
    expect(status).to_contain_text("2 việc đã ghi")

    page.get_by_role("button", name="Xem số liệu").click()
    expect(page.locator("#desk-report-status")).to_contain_text("1 người dân được hỗ trợ, 2 việc")
    expect(page.locator("#desk-report-table tbody tr")).to_have_count(2)

    first.get_by_role("button", name="Báo câu trả lời sai: kết quả 1").click()
    page.get_by_label("Vì sao câu trả lời này sai?").fill("Cổng đã có địa chỉ mới")
    page.get_by_role("button", name="Gửi báo sai").click()
    expect(first.locator(".flag-status")).to_have_text("Đã gửi cho biên tập viên. Cảm ơn bạn!")
    expect(first.get_by_role("button", name="Báo câu trả lời sai: kết quả 1")).to_be_disabled()
    save_screenshot(page, "helpdesk-desk.png")
    assert desk_tab.errors == [] and desk_tab.foreign_requests() == []

    page.goto(desk_tab.base_url + "/admin")
    page.fill("#token", EDITOR)
    page.click("#admin-form button[type=submit]")
    flag = page.locator("#flags > li").first
    expect(flag).to_contain_text("Địa chỉ Cổng Dịch vụ công quốc gia là gì? — dvc-dia-chi")
    expect(flag).to_contain_text(f"Câu hỏi đã tra: {QUERY}")
    expect(flag).to_contain_text("Lý do: Cổng đã có địa chỉ mới")
    expect(flag).to_contain_text("Báo bởi lan (viewer)")
    expect(page.locator("#flags-title")).to_have_text("Báo sai từ tổ công nghệ số (1 chờ xử lý)")
    flag.get_by_role("button", name="Mở mục để sửa").click()
    page.wait_for_selector("#editor:not([hidden])")
    assert page.input_value("#f-id") == "dvc-dia-chi"
    assert page.locator("#f-id").get_attribute("readonly") is not None
    expect(page.locator("#f-questions li")).to_have_text([QUERY])
    flag.get_by_role("button", name="Đã sửa xong").click()
    expect(page.locator("#flags-status")).to_contain_text("đã sửa mục")
    expect(page.locator("#flags > li")).to_have_text(["Không có báo sai nào chờ xử lý."])
    expect(page.locator("#audit tbody")).to_contain_text("xử lý báo sai")
    page.select_option("#flags-filter", "resolved")
    expect(page.locator("#flags > li").first).to_contain_text("Đã xử lý bởi minh")
    assert desk_tab.errors == [] and desk_tab.foreign_requests() == []


def test_one_sign_in_serves_both_team_sections(desk_tab: Tab):
    page = desk_tab.page
    page.goto(desk_tab.base_url + "/helpdesk")
    _sign_in_at_desk(page, EDITOR)
    expect(page.locator("#desk-who")).to_contain_text("editor")
    # the tickets section needs no second code: its own field is gone and its list loads with the desk's
    page.get_by_text("Câu hỏi người dân gửi (cần mã biên tập viên)").click()
    expect(page.locator("#tickets-token-form")).to_be_hidden()
    expect(page.locator("#tickets-status")).to_have_text("Không có yêu cầu nào.")
    # signing out at the desk signs the tickets section out too
    page.get_by_role("button", name="Thoát").click()
    expect(page.locator("#tickets-token-form")).to_be_visible()
    expect(page.locator("#tickets-section")).to_be_hidden()
    # a viewer's code typed in the tickets section is refused there with the reason, and its field comes back
    page.get_by_label("Mã tổ viên (mã biên tập viên hoặc người duyệt)").fill(VIEWER)
    page.get_by_label("Mã tổ viên (mã biên tập viên hoặc người duyệt)").press("Enter")
    expect(page.locator("#tickets-status")).to_contain_text("Cần mã biên tập viên hoặc người duyệt")
    expect(page.locator("#tickets-token-form")).to_be_visible()
    assert desk_tab.errors == []
