"""Assistive technology and readability: axe-core in every state, focus, live region, text size, targets."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from tests.browser.conftest import Tab, new_tab
from tests.browser.widget_helpers import (
    LIVE_REGIONS,
    SHADOW,
    ask,
    axe_violations,
    fake_reply,
    open_widget,
    route_reply,
    send_question,
    shadow_count,
)

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture then skips, or fails under REQUIRE_BROWSER=1, with the reason
    pass

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

MARKUP = ("Các bước [1]:\n1. Mở **VNeID**.\n2. Vào dichvucong.gov.vn.\n- Gọi 1900 0368.\n- Hỏi công an xã [2].")
CITATIONS = [
    {"n": 1, "id": "a", "kind": "source", "title": "Nghị định số 59/2022/NĐ-CP", "snippet": "Định danh điện tử.",
     "url": "https://vanban.chinhphu.vn/", "publisher": "Chính phủ", "published": "2022-09-05",
     "source_kind": "decree", "status": "superseded", "superseded_by": "nd-69",
     "superseded_by_title": "Nghị định số 69/2024/NĐ-CP", "retrieved": "2026-11-22"},
    {"n": 2, "id": "b", "kind": "source", "title": "Luật Căn cước 2023", "snippet": "", "url": None,
     "publisher": "Quốc hội", "published": "2023-11-27", "source_kind": "law", "status": "in_force",
     "superseded_by": None, "superseded_by_title": None, "retrieved": None},
]
ACTIVE_IN_PANEL = f"() => document.activeElement?.matches('[data-dvc-widget]') && " \
                  f"{SHADOW}.querySelector('.panel').contains({SHADOW}.activeElement)"


@pytest.fixture()
def axe_tab(browser: Browser, base_url: str) -> Iterator[Tab]:
    """A desktop tab that lets axe-core in past the demo page's CSP."""
    t = new_tab(browser, base_url, bypass_csp=True)
    yield t
    t.page.context.close()


@pytest.fixture()
def axe_phone(browser: Browser, base_url: str) -> Iterator[Tab]:
    """A 360 x 740 phone tab that lets axe-core in."""
    t = new_tab(browser, base_url, width=360, height=740, is_mobile=True, has_touch=True, bypass_csp=True)
    yield t
    t.page.context.close()


def largest_text(page: Page) -> None:
    larger = page.get_by_role("button", name="Tăng cỡ chữ")
    while larger.get_attribute("aria-disabled") != "true":
        larger.click()


def check(page: Page, state: str, found: dict[str, list[str]]) -> None:
    violations = axe_violations(page)
    if violations:
        found[state] = violations


def walk_states(page: Page, tab: Tab) -> dict[str, list[str]]:
    """Take the widget through every state it has, running axe-core in each."""
    found: dict[str, list[str]] = {}
    page.goto(tab.base_url + "/")
    check(page, "closed", found)
    page.get_by_role("button", name="Mở hộp hỏi đáp dịch vụ công").click()
    check(page, "greeting", found)
    ask(page, "Đề án 06 là gì?")
    check(page, "answered", found)
    ask(page, "Số tổng đài hỗ trợ định danh điện tử là số nào?")
    ask(page, "Công thức nấu phở bò ngon nhất")
    check(page, "partial and no answer", found)
    page.get_by_role("button", name="Hữu ích", exact=True).first.click()
    page.get_by_role("button", name="Sao chép câu trả lời kèm nguồn").first.click()
    expect(page.locator(".fb-status").first).to_have_text("Cảm ơn bạn đã góp ý.")
    check(page, "voted and copied", found)
    route_reply(page, fake_reply(MARKUP, citations=CITATIONS))
    send_question(page, "các bước")
    expect(page.locator(".msg-text ol")).to_have_count(1)
    check(page, "lists, links, legal status", found)
    page.unroute("**/api/chat")
    page.route("**/api/chat", lambda route: None if route.request.method == "POST" else route.continue_())
    send_question(page, "đang chờ")
    expect(page.get_by_role("button", name="Hủy câu hỏi đang gửi")).to_be_visible()
    check(page, "waiting", found)
    page.get_by_role("button", name="Hủy câu hỏi đang gửi").click()
    page.unroute("**/api/chat")
    page.route("**/api/chat", lambda route: route.fulfill(status=503, body="{}"))
    send_question(page, "lỗi")
    expect(page.locator(".msg.error")).to_be_visible()
    check(page, "error", found)
    page.unroute("**/api/chat")
    page.get_by_role("button", name="Xóa lịch sử").click()
    check(page, "confirm clearing", found)
    return found


def test_axe_finds_no_violation_in_any_state_at_default_and_largest_text(axe_tab: Tab):
    page = axe_tab.page
    found = walk_states(page, axe_tab)
    page.get_by_role("button", name="Xóa", exact=True).click()
    largest_text(page)
    page.get_by_role("button", name="Đóng hộp hỏi đáp").click()
    found.update({f"largest text, {state}": v for state, v in walk_states(page, axe_tab).items()})
    assert not found, json.dumps(found, ensure_ascii=False, indent=1)


def test_axe_finds_no_violation_on_a_phone_at_the_largest_text(axe_phone: Tab):
    page = open_widget(axe_phone)
    largest_text(page)
    ask(page, "Đề án 06 là gì?")
    expect(page.locator(".panel")).to_have_attribute("aria-modal", "true")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.locator(".log").evaluate("e => e.scrollWidth <= e.clientWidth")
    violations = axe_violations(page)
    assert not violations, "\n".join(violations)


def test_focus_stays_in_the_panel_on_a_phone_and_returns_to_the_bubble(phone_tab: Tab):
    page = open_widget(phone_tab)
    ask(page, "Đề án 06 là gì?")
    panel = page.locator(".panel")
    expect(panel).to_have_attribute("aria-modal", "true")
    stops = set()
    for _ in range(40):
        page.keyboard.press("Tab")
        assert page.evaluate(ACTIVE_IN_PANEL), "Tab left the panel"
        stops.add(page.evaluate(f"() => {SHADOW}.activeElement.outerHTML.slice(0, 60)"))
    assert len(stops) > 8  # it went round every control, not stuck on one
    page.get_by_role("button", name="Giảm cỡ chữ").focus()
    page.keyboard.press("Shift+Tab")
    assert page.evaluate(ACTIVE_IN_PANEL)
    expect(page.get_by_role("button", name="Gửi câu hỏi")).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_be_hidden()
    expect(page.get_by_role("button", name="Mở hộp hỏi đáp dịch vụ công")).to_be_focused()


def test_desktop_panel_is_not_modal(tab: Tab):
    page = open_widget(tab)
    expect(page.locator(".panel")).not_to_have_attribute("aria-modal", "true")


def test_answers_reach_exactly_one_live_region(tab: Tab):
    page = open_widget(tab)
    ask(page, "Đề án 06 là gì?")
    page.get_by_role("button", name="Hữu ích", exact=True).click()
    expect(page.locator(".fb-status")).to_have_text("Cảm ơn bạn đã góp ý.")
    page.route("**/api/chat", lambda route: route.fulfill(status=503, body="{}"))
    send_question(page, "lỗi")
    expect(page.locator(".msg.error")).to_be_visible()
    assert shadow_count(page, LIVE_REGIONS) == 1
    assert page.evaluate(f"document.querySelectorAll('{LIVE_REGIONS}').length") == 0


def test_text_size_steps_scale_everything_and_persist(tab: Tab):
    page = open_widget(tab)
    box = page.get_by_label("Câu hỏi của bạn")
    assert box.evaluate("e => getComputedStyle(e).fontSize") == "16px"
    smaller = page.get_by_role("button", name="Giảm cỡ chữ")
    expect(smaller).to_have_attribute("aria-disabled", "true")
    page.get_by_role("button", name="Tăng cỡ chữ").click()
    page.get_by_role("button", name="Tăng cỡ chữ").click()
    expect(page.locator("[aria-live]")).to_have_text("Cỡ chữ 140%")
    assert box.evaluate("e => getComputedStyle(e).fontSize") == "22.4px"
    ask(page, "Đề án 06 là gì?")
    # citations and the footer grow with the rest (they were fixed 14 px and 12 px)
    assert page.locator(".cite").first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)") > 19
    assert page.locator(".foot").evaluate("e => parseFloat(getComputedStyle(e).fontSize)") > 18
    page.reload()
    assert page.get_by_label("Câu hỏi của bạn").evaluate("e => getComputedStyle(e).fontSize") == "22.4px"
    other = page.context.new_page()
    other.goto(tab.base_url + "/")
    other.get_by_role("button", name="Mở hộp hỏi đáp dịch vụ công").click()
    assert other.get_by_label("Câu hỏi của bạn").evaluate("e => getComputedStyle(e).fontSize") == "22.4px"


def test_widget_follows_the_browsers_default_text_size(browser: Browser, base_url: str):
    # what a resident's large-text setting changes: the default size, here through the CSS `medium` keyword
    t = new_tab(browser, base_url)
    try:
        t.page.add_init_script("""document.addEventListener('DOMContentLoaded', () => {
            const s = document.createElement('style'); s.textContent = 'html { font-size: 20px }';
            document.head.append(s); });""")
        page = open_widget(t)
        # a host page's own root size is not the resident's setting: the widget keeps the browser default
        assert page.get_by_label("Câu hỏi của bạn").evaluate("e => getComputedStyle(e).fontSize") == "16px"
    finally:
        t.page.context.close()
    large = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = large.new_page()
        cdp = large.new_cdp_session(page)
        cdp.send("Page.enable")
        cdp.send("Page.setFontSizes", {"fontSizes": {"standard": 24, "fixed": 20}})
        page.goto(base_url + "/")
        page.get_by_role("button", name="Mở hộp hỏi đáp dịch vụ công").click()
        assert page.get_by_label("Câu hỏi của bạn").evaluate("e => getComputedStyle(e).fontSize") == "24px"
    finally:
        large.close()


def test_touch_targets_are_at_least_44_px(phone_tab: Tab):
    page = open_widget(phone_tab)
    ask(page, "Công thức nấu phở bò ngon nhất")
    ask(page, "Đề án 06 là gì?")
    page.route("**/api/chat", lambda route: route.fulfill(status=503, body="{}"))
    send_question(page, "lỗi")
    expect(page.locator(".msg.error")).to_be_visible()
    small = page.evaluate(f"""() => [...{SHADOW}.querySelectorAll('button, textarea, .msg.error a')]
        .filter(e => e.getClientRects().length && !e.classList.contains('marker'))
        .map(e => [e.getAttribute('aria-label') || e.textContent, e.getBoundingClientRect()])
        .filter(([, r]) => r.width < 44 || r.height < 44)
        .map(([name, r]) => `${{name}}: ${{r.width}}x${{r.height}}`)""")
    assert not small, small
    # a citation marker sits inside a sentence; its tap area reaches 44 x 44 around it
    misses = page.locator(".marker").first.evaluate("""m => {
        m.scrollIntoView({block: 'center', behavior: 'instant'});
        const r = m.getBoundingClientRect(), x = r.left + r.width / 2, y = r.top + r.height / 2;
        return [[-21, -21], [21, -21], [-21, 21], [21, 21]]
            .filter(([dx, dy]) => m.getRootNode().elementFromPoint(x + dx, y + dy) !== m); }""")
    assert not misses, misses


def test_clearing_history_is_confirmed_inside_the_widget(tab: Tab):
    page = open_widget(tab)
    ask(page, "Đề án 06 là gì?")
    # the first header control is the text size, never the destructive action
    assert page.locator(".head button").first.get_attribute("aria-label") == "Giảm cỡ chữ A−"
    expect(page.get_by_text("Lịch sử trò chuyện được lưu trên thiết bị này trong 24 giờ.")).to_be_visible()
    page.get_by_role("button", name="Xóa lịch sử").click()
    confirm = page.get_by_role("group", name="Xóa toàn bộ cuộc trò chuyện trên thiết bị này?")
    expect(confirm).to_be_visible()
    expect(page.get_by_role("button", name="Không xóa")).to_be_focused()
    page.keyboard.press("Escape")
    expect(confirm).to_be_hidden()
    expect(page.get_by_role("button", name="Xóa lịch sử")).to_be_focused()
    expect(page.locator(".msg.user")).to_have_count(1)
    page.get_by_role("button", name="Xóa lịch sử").click()
    page.get_by_role("button", name="Không xóa").click()
    expect(page.locator(".msg.user")).to_have_count(1)
    page.get_by_role("button", name="Xóa lịch sử").click()
    page.get_by_role("button", name="Xóa", exact=True).click()
    expect(page.locator(".msg.user")).to_have_count(0)
    expect(page.locator(".greeting .chips")).to_be_visible()
    expect(page.get_by_label("Câu hỏi của bạn")).to_be_focused()
    expect(page.locator("[aria-live]")).to_have_text("Đã xóa lịch sử trò chuyện.")
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('dvc-widget:http'))") == []
    assert not tab.dialogs
