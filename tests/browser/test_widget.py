"""The embeddable widget in headless Chromium, against a real server over the small knowledge base."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from tests.browser.conftest import Tab, new_tab, save_screenshot
from tests.browser.widget_helpers import XSS, ask, open_widget, serve_host_page, shadow_count

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture then skips, or fails under REQUIRE_BROWSER=1, with the reason
    pass

if TYPE_CHECKING:
    from playwright.sync_api import Route

HOSTILE_HOST = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>Hostile host</title>
<style>
* { display: block !important; color: transparent !important; font-size: 2px !important; }
button, textarea, div { width: 3px !important; height: 3px !important; position: static !important; }
</style></head>
<body><p>Trang của phường</p><script src="/widget.js" defer></script></body></html>"""


def test_cited_answer_shows_the_source_title_publisher_date_and_legal_status(tab: Tab):
    page = open_widget(tab)
    body = ask(page, "Đề án 06 là gì?")
    assert body["status"] == "answered"
    expect(page.locator(".msg.bot .msg-text").last).to_contain_text("Đề án 06 là đề án")
    cite = page.locator(".cite").first
    expect(cite).to_contain_text("Quyết định số 06/QĐ-TTg")
    expect(cite).to_contain_text("Thủ tướng Chính phủ")
    expect(cite.locator(".cite-meta")).to_contain_text("Ngày: 06/01/2022")
    # a decision in force is said to be in force, however old it is
    expect(cite.locator(".legal.in-force")).to_have_text("Đang có hiệu lực")
    assert shadow_count(page, ".legal.old") == 0
    expect(page.get_by_role("button", name="Nguồn 1: Quyết định số 06/QĐ-TTg")).to_be_visible()
    page.wait_for_timeout(200)
    save_screenshot(page, "widget-desktop.png")
    assert not tab.errors


def test_citation_with_a_url_links_out_safely(tab: Tab):
    page = open_widget(tab)
    ask(page, "Địa chỉ Cổng Dịch vụ công quốc gia là gì?")
    link = page.locator("a.cite-title").first
    expect(link).to_have_attribute("href", "https://dichvucong.gov.vn/")
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("rel", "noopener noreferrer")


def test_suggestion_button_asks_it(tab: Tab):
    page = open_widget(tab)
    body = ask(page, "Công thức nấu phở bò ngon nhất")
    assert body["status"] == "no_answer" and body["suggestions"]
    answer = page.locator(".msg.noanswer")
    expect(answer).to_contain_text("Tổ công nghệ số cộng đồng")
    expect(answer.locator(".noanswer-label")).to_be_visible()
    suggestion = body["suggestions"][0]
    with page.expect_request("**/api/chat") as request:
        answer.get_by_role("button", name=suggestion).click()
    assert request.value.post_data_json["question"] == suggestion
    expect(page.locator(".msg.user").last).to_have_text(f"Bạn hỏi: {suggestion}")
    expect(page.locator(".msg.bot:not(.greeting)")).to_have_count(2)


def test_partial_answer_is_labelled_and_offers_the_nearest_entry(tab: Tab):
    page = open_widget(tab)
    body = ask(page, "Số tổng đài hỗ trợ định danh điện tử là số nào?")
    assert body["status"] == "partial"
    answer = page.locator(".msg.partial")
    expect(answer.locator(".noanswer-label")).to_have_text(
        "Trả lời một phần: tôi chưa có thông tin về chi tiết bạn hỏi")
    expect(answer.locator(".sugg-title")).to_have_text("Nội dung gần nhất tôi có")
    expect(answer.get_by_role("button", name=body["suggestions"][0])).to_be_visible()
    assert shadow_count(page, ".msg.partial .cite") == 0
    assert not tab.errors


def test_starter_question_is_asked_with_one_click(tab: Tab):
    page = open_widget(tab)
    with page.expect_response("**/api/chat"):
        page.get_by_role("button", name="Đề án 06 là gì?").click()
    expect(page.locator(".cite-title").first).to_contain_text("Quyết định số 06/QĐ-TTg")
    expect(page.locator(".greeting .chips")).to_have_count(0)


def test_thumbs_up_is_sent_with_the_message_id(tab: Tab):
    page = open_widget(tab)
    body = ask(page, "Đề án 06 là gì?")
    with page.expect_response("**/api/feedback") as response:
        page.get_by_role("button", name="Hữu ích", exact=True).click()
    assert response.value.status == 204
    assert response.value.request.post_data_json == {"message_id": body["message_id"], "helpful": True}
    expect(page.get_by_role("button", name="Hữu ích", exact=True)).to_have_attribute("aria-pressed", "true")
    expect(page.locator(".fb-status")).to_have_text("Cảm ơn bạn đã góp ý.")


def test_follow_up_reuses_the_session_and_reload_keeps_the_conversation(tab: Tab):
    page = open_widget(tab)
    first = ask(page, "Đăng ký định danh điện tử mức 1 thế nào?")
    assert first["session_id"]
    with page.expect_request("**/api/chat") as request:
        follow = ask(page, "còn mức 2 thì sao?")
    assert request.value.post_data_json["session_id"] == first["session_id"]
    assert "công an xã" in follow["answer"]
    expect(page.locator(".msg.bot .msg-text").last).to_contain_text("công an xã")

    page.reload()
    expect(page.get_by_role("dialog")).to_be_visible()
    expect(page.locator(".msg.user")).to_have_count(2)
    expect(page.locator(".msg.user").first).to_contain_text("Đăng ký định danh điện tử mức 1 thế nào?")
    expect(page.locator(".msg.bot .msg-text").last).to_contain_text("công an xã")
    with page.expect_request("**/api/chat") as request:
        ask(page, "Đề án 06 là gì?")
    assert request.value.post_data_json["session_id"] == first["session_id"]


def test_keyboard_only_use(tab: Tab):
    page = tab.page
    page.goto(tab.base_url + "/")
    on_bubble = ("() => { const h = document.querySelector('[data-dvc-widget]');"
                 " return document.activeElement === h && h.shadowRoot.activeElement.classList.contains('bubble'); }")
    for _ in range(15):
        page.keyboard.press("Tab")
        if page.evaluate(on_bubble):
            break
    assert page.evaluate(on_bubble), "Tab never reached the chat bubble"
    page.keyboard.press("Enter")
    expect(page.get_by_role("dialog")).to_be_visible()
    expect(page.get_by_label("Câu hỏi của bạn")).to_be_focused()
    page.keyboard.type("Đề án 06 là gì?")
    with page.expect_response("**/api/chat"):
        page.keyboard.press("Enter")
    expect(page.locator(".cite")).to_have_count(1)
    for _ in range(20):  # Shift+Tab back from the input through the bar, suggestions, feedback and actions
        page.keyboard.press("Shift+Tab")
        if page.evaluate("() => document.querySelector('[data-dvc-widget]').shadowRoot.activeElement"
                         ".classList.contains('cite')"):
            break
    expect(page.locator(".cite").first).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_be_hidden()
    assert page.evaluate(on_bubble), "focus did not return to the bubble"
    expect(page.get_by_role("button", name="Mở hộp hỏi đáp dịch vụ công")).to_have_attribute("aria-expanded", "false")


def test_enter_while_composing_with_an_input_method_does_not_send(tab: Tab):
    page = open_widget(tab)
    box = page.get_by_label("Câu hỏi của bạn")
    box.fill("Đề án 06 là g")
    box.dispatch_event("compositionstart", {"data": ""})
    box.press("Enter")
    box.dispatch_event("compositionend", {"data": "ì"})
    page.wait_for_timeout(300)
    assert not any("/api/chat" in u for u in tab.requests)
    expect(page.locator(".msg.user")).to_have_count(0)


def test_widget_survives_hostile_host_css(tab: Tab):
    serve_host_page(tab, HOSTILE_HOST)
    page = open_widget(tab, "/host-test")
    bubble_box = page.locator(".panel").bounding_box()
    assert bubble_box and bubble_box["width"] >= 300 and bubble_box["height"] >= 300
    box = page.get_by_label("Câu hỏi của bạn")
    assert box.evaluate("e => getComputedStyle(e).fontSize") == "16px"
    ask(page, "Đề án 06 là gì?")
    title = page.locator(".cite-title").first
    expect(title).to_contain_text("Quyết định số 06/QĐ-TTg")
    assert title.evaluate("e => getComputedStyle(e).color") != "rgba(0, 0, 0, 0)"
    assert title.evaluate("e => parseFloat(getComputedStyle(e).fontSize)") >= 12
    assert not tab.foreign_requests()


def test_question_with_html_is_shown_as_text(tab: Tab):
    page = open_widget(tab)
    ask(page, XSS)
    expect(page.locator(".msg.user")).to_have_text(f"Bạn hỏi: {XSS}")
    page.wait_for_timeout(200)
    assert shadow_count(page, "img") == 0
    assert not tab.dialogs and not tab.foreign_requests()


def test_hostile_api_response_cannot_run_script_or_link_to_javascript(tab: Tab):
    reply = {
        "answer": f"Câu trả lời {XSS} [1] <a href='javascript:alert(2)'>bấm</a>", "status": "answered",
        "answer_type": "faq", "confidence": 0.9,
        "citations": [{"n": 1, "id": "x", "kind": "source", "title": f"Nguồn {XSS}", "snippet": XSS,
                       "url": "javascript:alert(1)", "publisher": XSS, "published": "2025-13-99"}],
        "suggestions": [XSS], "session_id": "s1", "message_id": "m1", "kb_version": "v",
    }
    tab.page.route("**/api/chat", lambda route: route.fulfill(
        status=200, content_type="application/json", body=json.dumps(reply)))
    page = open_widget(tab)
    page.get_by_label("Câu hỏi của bạn").fill("xin chào")
    page.get_by_label("Câu hỏi của bạn").press("Enter")
    title = page.locator(".cite-title")
    expect(title).to_have_text(f"Nguồn {XSS}")
    assert title.evaluate("e => e.tagName") == "SPAN"
    title.click()
    page.get_by_role("button", name=XSS, exact=True).hover()
    page.wait_for_timeout(300)
    assert shadow_count(page, "img") == 0 and shadow_count(page, "a") == 0
    assert page.evaluate("document.querySelectorAll('img').length") == 0
    assert not tab.dialogs and not tab.foreign_requests() and not tab.errors


def test_phone_width_panel_fills_the_screen_without_horizontal_scroll(phone_tab: Tab):
    page = open_widget(phone_tab)
    ask(page, "Đề án 06 là gì?")
    expect(page.locator(".cite").first).to_be_visible()
    panel = page.locator(".panel").bounding_box()
    assert panel and panel["x"] == 0 and panel["width"] == 360
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.locator(".log").evaluate("e => e.scrollWidth <= e.clientWidth")
    page.wait_for_timeout(200)
    save_screenshot(page, "widget-phone.png")


def test_zoom_200_percent_keeps_the_panel_usable(browser, base_url):
    t = new_tab(browser, base_url, width=640, height=400)  # 1280 x 800 at 200 % zoom
    try:
        page = open_widget(t)
        ask(page, "Đề án 06 là gì?")
        panel = page.locator(".panel").bounding_box()
        assert panel and panel["x"] >= 0 and panel["x"] + panel["width"] <= 640 and panel["height"] <= 400
        expect(page.get_by_label("Câu hỏi của bạn")).to_be_in_viewport()
        expect(page.get_by_role("button", name="Đóng hộp hỏi đáp")).to_be_in_viewport()
    finally:
        t.page.context.close()


@pytest.mark.parametrize(("failure", "message"), [
    ("offline", "Thiết bị của bạn đang không có mạng"),
    ("dropped", "Kết nối tới máy chủ bị gián đoạn giữa chừng"),
    ("unreachable", "Chưa kết nối được tới máy chủ hỏi đáp. Nếu các trang khác vẫn mở được thì máy chủ đang "
                    "gián đoạn, không phải do bạn"),
    ("429", "đợi 7 giây"),
    ("503", "Hệ thống đang bận hoặc đang bảo trì, không phải do bạn"),
    ("500", "Máy chủ đang gặp lỗi, không phải do bạn"),
])
def test_failure_shows_a_friendly_message_keeps_the_question_and_retry_works(tab: Tab, failure: str, message: str):
    page = open_widget(tab)

    def fail(route: Route) -> None:
        if failure == "unreachable" or (failure == "dropped" and route.request.method == "POST"):
            route.abort("connectionreset")  # "dropped": the question fails, the server still answers a probe
        elif failure == "dropped":
            route.continue_()
        else:
            route.fulfill(status=int(failure), headers={"Retry-After": "7"}, content_type="application/json",
                          body=json.dumps({"detail": "Quá nhiều yêu cầu / Too many requests"}))

    if failure == "offline":
        page.context.set_offline(True)
    else:
        page.route("**/api/chat", fail)
    page.get_by_label("Câu hỏi của bạn").fill("Đề án 06 là gì?")
    page.get_by_label("Câu hỏi của bạn").press("Enter")
    error = page.locator(".msg.error")
    expect(error).to_contain_text(message)
    expect(error).to_contain_text("Câu hỏi của bạn vẫn còn trong ô nhập.")
    # said once, through the widget's one live region
    expect(page.locator("[aria-live]")).to_contain_text(message)
    expect(page.get_by_label("Câu hỏi của bạn")).to_have_value("Đề án 06 là gì?")
    expect(page.locator(".msg.user")).to_have_count(0)
    expect(page.get_by_role("button", name="Gửi câu hỏi")).to_be_enabled()

    page.context.set_offline(False)
    page.unroute("**/api/chat")
    with page.expect_response("**/api/chat"):
        page.get_by_role("button", name="Thử lại").click()
    expect(page.locator(".cite-title").first).to_contain_text("Quyết định số 06/QĐ-TTg")
    expect(page.locator(".msg.error")).to_have_count(0)
    expect(page.get_by_label("Câu hỏi của bạn")).to_have_value("")


def test_english_ui_with_data_lang_en(tab: Tab):
    serve_host_page(tab, '<!doctype html><html lang="en"><body><h1>Host</h1>'
                         '<script src="/widget.js" data-lang="en" data-position="bottom-left" '
                         'data-title="Ward help" defer></script></body></html>')
    page = tab.page
    page.goto(tab.base_url + "/host-test")
    page.get_by_role("button", name="Open the public services help chat").click()
    expect(page.get_by_role("dialog", name="Ward help")).to_be_visible()
    expect(page.get_by_label("Your question")).to_have_attribute("placeholder", "Type a question…")
    expect(page.get_by_role("button", name="Send question")).to_be_visible()
    panel = page.locator(".panel").bounding_box()
    assert panel and panel["x"] < 100
