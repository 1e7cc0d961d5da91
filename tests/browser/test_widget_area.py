"""A widget embedded with data-area: the commune's own answer, and its offices with tappable phone numbers
when the assistant has no answer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.browser.conftest import Tab, new_tab
from tests.browser.widget_helpers import SHADOW, ask, host_page, open_widget, serve_host_page

if TYPE_CHECKING:
    from playwright.sync_api import Browser

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture then skips, or fails under REQUIRE_BROWSER=1, with the reason
    pass


def test_an_area_widget_names_the_communes_offices_with_tappable_numbers(tab: Tab, browser: Browser, base_url: str):
    serve_host_page(tab, host_page('data-area="tinh-a-phuong-mot"'))
    page = open_widget(tab, "/host-test")
    reply = ask(page, "Thủ tục xin giấy phép xây dựng nhà ở riêng lẻ cần những gì?")
    assert reply["status"] == "no_answer" and reply["area"]["id"] == "tinh-a-phuong-mot"
    answer = page.locator(".dvc .msg.bot").last
    expect(answer).to_contain_text("Tại Phường Một, bạn có thể liên hệ:")
    expect(answer).to_contain_text("Công an phường Một")
    numbers = page.evaluate(f"() => [...{SHADOW}.querySelectorAll('.msg.bot a[href^=\"tel:\"]')]"
                            ".map(a => [a.textContent, a.getAttribute('href')])")
    assert ["0241 234 5678", "tel:02412345678"] in numbers and ["1900 1234", "tel:19001234"] in numbers

    # the commune's own entry answers there; the same widget without data-area gets the national one
    local = ask(page, "Đăng ký định danh điện tử mức 2 ở đâu?")
    assert local["answer"].startswith("Ở phường Một")
    # another resident's phone (a new browser context: no kept conversation) on a page without data-area
    other = new_tab(browser, base_url)
    try:
        serve_host_page(other, host_page(), path="/host-national")
        national = ask(open_widget(other, "/host-national"), "Đăng ký định danh điện tử mức 2 ở đâu?")
        assert national["area"] is None and national["answer"].startswith("Bạn đăng ký mức 2 trực tiếp")
    finally:
        other.page.context.close()
