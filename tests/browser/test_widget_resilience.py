"""Never stuck and never blaming the resident: timeouts with retry, cancel, and a site refused by CORS."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

import pytest

from tests.browser.conftest import Tab
from tests.browser.widget_helpers import host_page, send_question, serve_host_page

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture then skips, or fails under REQUIRE_BROWSER=1, with the reason
    pass

if TYPE_CHECKING:
    from playwright.sync_api import Page, Route


def hang_questions(page: Page) -> list[Route]:
    """Hold every question without ever answering it; returns the held requests."""
    held: list[Route] = []
    page.route("**/api/chat", lambda route: held.append(route) if route.request.method == "POST"
               else route.continue_())
    return held


def open_on(tab: Tab, attributes: str) -> Page:
    serve_host_page(tab, host_page(attributes))
    page = tab.page
    page.goto(tab.base_url + "/host-test")
    page.get_by_role("button", name="Mở hộp hỏi đáp dịch vụ công").click()
    return page


def test_a_question_that_never_returns_offers_retry_within_the_timeout(tab: Tab):
    page = open_on(tab, 'data-timeout="1.5"')
    held = hang_questions(page)
    started = time.monotonic()
    send_question(page, "Đề án 06 là gì?")
    # the live region repeats the same words for screen readers 50 ms later, so look in the conversation
    expect(page.get_by_role("region", name="Cuộc trò chuyện").get_by_text("Đang tìm câu trả lời…")).to_be_visible()
    expect(page.get_by_role("button", name="Gửi câu hỏi")).to_be_disabled()
    error = page.locator(".msg.error")
    expect(error).to_contain_text("Máy chủ chưa trả lời sau 1.5 giây", timeout=5000)
    assert time.monotonic() - started < 5
    assert len(held) == 1
    expect(page.get_by_text("Đang tìm câu trả lời…")).to_have_count(0)
    expect(page.get_by_role("button", name="Gửi câu hỏi")).to_be_enabled()
    expect(page.get_by_label("Câu hỏi của bạn")).to_have_value("Đề án 06 là gì?")

    page.unroute("**/api/chat")
    with page.expect_response("**/api/chat"):
        error.get_by_role("button", name="Thử lại").click()
    expect(page.locator(".cite-title").first).to_contain_text("Quyết định số 06/QĐ-TTg")


def test_cancel_stops_waiting_and_gives_the_question_back(tab: Tab):
    page = open_on(tab, "")
    hang_questions(page)
    send_question(page, "Đề án 06 là gì?")
    page.get_by_role("button", name="Hủy câu hỏi đang gửi").click()
    expect(page.get_by_text("Đang tìm câu trả lời…")).to_have_count(0)
    expect(page.locator(".msg.user")).to_have_count(0)
    expect(page.locator(".msg.error")).to_have_count(0)
    expect(page.get_by_label("Câu hỏi của bạn")).to_have_value("Đề án 06 là gì?")
    expect(page.get_by_label("Câu hỏi của bạn")).to_be_focused()
    expect(page.get_by_role("button", name="Gửi câu hỏi")).to_be_enabled()
    expect(page.locator("[aria-live]")).to_have_text("Đã hủy. Câu hỏi của bạn vẫn còn trong ô nhập.")


def test_a_site_missing_from_allowed_origins_is_told_apart_from_the_network(
        tab: Tab, caplog: pytest.LogCaptureFixture):
    # the same server under another name is another origin, and ALLOWED_ORIGINS is empty in these tests
    site = tab.base_url.replace("127.0.0.1", "localhost")
    serve_host_page(tab, host_page(src=tab.base_url + "/widget.js"), path="/ward", origin=site)
    page = tab.page
    # Chromium asks before a page it got from Playwright's router (not from a loopback address) calls one
    page.context.grant_permissions(["local-network-access"], origin=site)
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if m.type == "warning" else None)
    caplog.set_level(logging.WARNING, logger="app.cors")
    page.goto(site + "/ward")
    page.get_by_role("button", name="Mở hộp hỏi đáp dịch vụ công").click()
    for _ in range(2):
        send_question(page, "Đề án 06 là gì?")
        error = page.locator(".msg.error")
        expect(error).to_contain_text("Trang web này chưa được cài đặt để dùng máy chủ hỏi đáp")
        expect(error).to_contain_text("không phải do mạng của bạn")
        expect(error).not_to_contain_text("kiểm tra mạng")
        expect(error.get_by_role("link", name="Hỏi trên trang của dịch vụ")).to_have_attribute(
            "href", tab.base_url + "/")
    assert any(f"refuses calls from {site}: add this origin to ALLOWED_ORIGINS" in c for c in console)
    # the server names the refused origin and the setting to change, once however often the site calls
    warnings = [r.getMessage() for r in caplog.records if r.name == "app.cors"]
    assert len(warnings) == 1, warnings
    assert site in warnings[0] and "ALLOWED_ORIGINS" in warnings[0]
