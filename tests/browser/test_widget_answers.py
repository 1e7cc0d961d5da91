"""Answers that read and act like answers: lists, bold, tappable links and phone numbers, clean copies, sharing."""

from __future__ import annotations

import re

from tests.browser.conftest import Tab
from tests.browser.widget_helpers import (
    XSS,
    ask,
    clipboard_text,
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

STEPS = (
    "Bạn làm theo các bước <b>sau</b> [1]:\n"
    "1. Mở **VNeID** và đăng nhập.\n"
    "2. Vào dichvucong.gov.vn, chọn \"Nộp hồ sơ\".\n"
    "3. Gọi tổng đài 1900 0368 hoặc 0912 345 678 nếu cần.\n"
    "- Khẩn cấp: gọi 113.\n"
    "- Hướng dẫn: https://vneid.gov.vn/huong-dan.\n"
    "• Thư: hotro@dichvucong.gov.vn\n"
    f"Số căn cước 001234567890, lệ phí 180.000 đồng, Điều 113, ngày 01.07.2025. {XSS}"
)
CITATION = {"n": 1, "id": "qd", "kind": "source", "title": "Quyết định số 06/QĐ-TTg", "snippet": "",
            "url": None, "publisher": "Thủ tướng Chính phủ", "published": "2022-01-06", "source_kind": "decision",
            "status": "superseded", "superseded_by": "qd-2", "superseded_by_title": "Quyết định số 99/QĐ-TTg",
            "retrieved": None}


def grant_clipboard(tab: Tab) -> None:
    tab.page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=tab.base_url)


def test_answer_markup_becomes_lists_bold_and_links_built_as_nodes_never_html(tab: Tab):
    route_reply(tab.page, fake_reply(STEPS, citations=[CITATION]))
    page = open_widget(tab)
    send_question(page, "làm sao nộp hồ sơ")
    text = page.locator(".msg.bot:not(.greeting) .msg-text")
    expect(text.locator("ol > li")).to_have_count(3)
    expect(text.locator("ul > li")).to_have_count(3)
    expect(text.locator("ol > li").first).to_have_text("Mở VNeID và đăng nhập.")
    expect(text.locator("strong")).to_have_text("VNeID")
    expect(text.locator("p").first).to_contain_text("Bạn làm theo các bước <b>sau</b>")
    expect(text.locator("p").last).to_contain_text(XSS)
    portal = text.get_by_role("link", name="dichvucong.gov.vn", exact=True)
    expect(portal).to_have_attribute("href", "https://dichvucong.gov.vn/")
    expect(portal).to_have_attribute("target", "_blank")
    expect(portal).to_have_attribute("rel", "noopener noreferrer")
    expect(portal).to_have_accessible_description("(mở trong thẻ mới)")
    # the full stop after an address is not part of the link
    expect(text.get_by_role("link", name="https://vneid.gov.vn/huong-dan", exact=True)).to_have_attribute(
        "href", "https://vneid.gov.vn/huong-dan")
    expect(text.get_by_role("link", name="hotro@dichvucong.gov.vn")).to_have_attribute(
        "href", "mailto:hotro@dichvucong.gov.vn")
    tel = text.locator("a[href^='tel:']")
    expect(tel).to_have_count(3)
    assert [tel.nth(i).get_attribute("href") for i in range(3)] == ["tel:19000368", "tel:0912345678", "tel:113"]
    expect(tel.first).to_have_text("1900 0368")
    # an ID-card number, an amount, an article number and a date stay text
    expect(page.locator(".cite .legal.old")).to_have_text("Đã được thay thế bởi Quyết định số 99/QĐ-TTg")
    expect(page.get_by_role("button", name="Nguồn 1: Quyết định số 06/QĐ-TTg")).to_be_visible()
    assert shadow_count(page, "img, b, script") == 0
    assert not tab.dialogs and not tab.errors and not tab.foreign_requests()


def test_copying_the_answer_text_leaves_the_citation_numbers_out(tab: Tab):
    grant_clipboard(tab)
    page = open_widget(tab)
    body = ask(page, "Đề án 06 là gì?")
    assert re.search(r"\[1\]", body["answer"])
    answer = page.locator(".msg.bot:not(.greeting) .msg-text")
    expect(answer.get_by_role("button", name="Nguồn 1: Quyết định số 06/QĐ-TTg")).to_be_visible()
    page.get_by_label("Câu hỏi của bạn").blur()
    answer.evaluate("e => { const r = document.createRange(); r.selectNodeContents(e);"
                    " getSelection().removeAllRanges(); getSelection().addRange(r); }")
    page.keyboard.press("ControlOrMeta+C")
    copied = clipboard_text(page)
    expected = re.sub(r"\s*\[\d+\]", "", body["answer"])
    assert " ".join(copied.split()) == " ".join(expected.split())
    assert not re.search(r"\d\s*$", copied)


def test_copy_button_copies_the_question_answer_and_sources_as_plain_text(tab: Tab):
    grant_clipboard(tab)
    page = open_widget(tab)
    body = ask(page, "Địa chỉ Cổng Dịch vụ công quốc gia là gì?")
    page.get_by_role("button", name="Sao chép câu trả lời kèm nguồn").click()
    expect(page.locator(".acts-status")).to_have_text("Đã sao chép câu trả lời kèm nguồn.")
    expect(page.locator("[aria-live]")).to_have_text("Đã sao chép câu trả lời kèm nguồn.")
    assert clipboard_text(page) == (
        "Hỏi: Địa chỉ Cổng Dịch vụ công quốc gia là gì?\n"
        f"Trả lời: {body['answer']}\n\n"
        "Nguồn:\n[1] Cổng Dịch vụ công quốc gia — https://dichvucong.gov.vn/")


def test_share_opens_the_web_share_sheet_with_the_answer_and_its_sources(tab: Tab):
    tab.page.add_init_script("""Object.defineProperty(navigator, 'share', {configurable: true,
        value: data => { window.__shared = data; return Promise.resolve(); }});""")
    page = open_widget(tab)
    body = ask(page, "Đề án 06 là gì?")
    page.get_by_role("button", name="Chia sẻ câu trả lời kèm nguồn").click()
    page.wait_for_function("() => window.__shared")
    shared = page.evaluate("window.__shared")
    assert shared["title"] == "Hỏi đáp dịch vụ công số"
    assert shared["text"].startswith(f"Hỏi: Đề án 06 là gì?\nTrả lời: {body['answer']}\n\nNguồn:\n[1] ")
    assert "Quyết định số 06/QĐ-TTg (Thủ tướng Chính phủ, 06/01/2022, Đang có hiệu lực)" in shared["text"]


def test_share_without_the_web_share_api_copies_and_says_where_to_paste(tab: Tab):
    grant_clipboard(tab)
    tab.page.add_init_script("delete Navigator.prototype.share; delete navigator.share;")
    page = open_widget(tab)
    ask(page, "Địa chỉ Cổng Dịch vụ công quốc gia là gì?")
    assert page.evaluate("typeof navigator.share") == "undefined"
    page.get_by_role("button", name="Chia sẻ câu trả lời kèm nguồn").click()
    expect(page.locator(".acts-status")).to_contain_text("bạn dán vào Zalo")
    assert "[1] Cổng Dịch vụ công quốc gia — https://dichvucong.gov.vn/" in clipboard_text(page)


def test_each_message_carries_its_own_language(tab: Tab):
    page = open_widget(tab)
    english = ask(page, "What is Project 06?")
    assert english["answer"].startswith("Project 06")
    expect(page.locator(".msg.user").last).to_have_attribute("lang", "en")
    expect(page.locator(".msg.bot").last).to_have_attribute("lang", "en")
    ask(page, "Đề án 06 là gì?")
    expect(page.locator(".msg.bot").last).to_have_attribute("lang", "vi")
    expect(page.locator(".dvc")).to_have_attribute("lang", "vi")
