"""The help-desk search page in headless Chromium."""

from __future__ import annotations

import json
import re

from tests.browser.conftest import Tab

# navigator.clipboard.writeText records what it was given (window.copied) instead of touching the system clipboard
STUB_CLIPBOARD = """
window.copied = [];
Object.defineProperty(navigator, "clipboard", {configurable: true, value: {
  writeText: function (text) { window.copied.push(text); return Promise.resolve(); }}});
"""
# no Clipboard API (a plain-HTTP intranet page): the page falls back to a textarea and execCommand("copy")
NO_CLIPBOARD = """
window.copied = [];
Object.defineProperty(navigator, "clipboard", {configurable: true, value: undefined});
document.execCommand = function (command) {
  var area = document.querySelector("textarea");
  if (command !== "copy" || !area || area.selectionEnd - area.selectionStart !== area.value.length) return false;
  window.copied.push(area.value);
  return true;
};
"""


def fake_search(tab: Tab, hits: list[dict[str, object]], query: str = "q") -> None:
    """Answer every search with these hits."""
    body = {"query": query, "hits": hits, "relevant": sum(1 for h in hits if h.get("relevant", True)),
            "kb_version": "v"}
    tab.page.route("**/api/search**", lambda route: route.fulfill(
        status=200, content_type="application/json", body=json.dumps(body)))


def search(tab: Tab, text: str) -> None:
    """Open the help desk and search for `text` with the keyboard."""
    tab.page.goto(tab.base_url + "/helpdesk")
    box = tab.page.get_by_label("Câu hỏi hoặc từ khoá")
    box.fill(text)
    with tab.page.expect_response("**/api/search**"):
        box.press("Enter")

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture then skips, or fails under REQUIRE_BROWSER=1, with the reason
    pass


def test_search_shows_ranked_hits_and_copies_answer_with_sources(tab: Tab):
    page = tab.page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=tab.base_url)
    page.goto(tab.base_url + "/helpdesk")
    page.get_by_label("Câu hỏi hoặc từ khoá").fill("địa chỉ cổng dịch vụ công")
    with page.expect_response("**/api/search**") as response:
        page.get_by_label("Câu hỏi hoặc từ khoá").press("Enter")
    # the resident's words travel in the body, never in a URL a proxy would log
    request = response.value.request
    assert request.method == "POST" and request.url == tab.base_url + "/api/search"
    assert request.post_data_json == {"query": "địa chỉ cổng dịch vụ công", "k": 5}
    first = page.locator(".hit").first
    expect(first).to_contain_text("Địa chỉ Cổng Dịch vụ công quốc gia là gì?")
    expect(first.locator(".badge")).to_have_text("Hỏi đáp")
    expect(first.locator(".sources a")).to_have_attribute("href", "https://dichvucong.gov.vn/")
    expect(page.get_by_role("status").first).to_contain_text("Tìm thấy 1 kết quả phù hợp")

    first.get_by_role("button", name="Sao chép kết quả 1 kèm nguồn").click()
    expect(first.locator(".copied")).to_have_text("Đã sao chép")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert "Địa chỉ là dichvucong.gov.vn." in copied
    assert "Nguồn:\n[1] Cổng Dịch vụ công quốc gia — https://dichvucong.gov.vn/" in copied

    page.keyboard.press("Tab")  # keyboard reaches the results' controls
    # the page remembers the search in the fragment, which the browser never sends to a server
    assert "/helpdesk#q=" in page.url and "?" not in page.url


def test_source_shows_its_date_and_legal_status(tab: Tab):
    page = tab.page
    page.goto(tab.base_url + "/helpdesk#q=" + "Đề án 06 là gì")
    first = page.locator(".hit").first
    expect(first).to_contain_text("06/01/2022")
    expect(first.locator(".in-force")).to_have_text("đang có hiệu lực")


def test_a_link_from_before_the_fragment_still_opens_and_moves_the_words_out_of_the_query(tab: Tab):
    page = tab.page
    page.goto(tab.base_url + "/helpdesk?q=" + "Đề án 06 là gì")
    expect(page.locator(".hit").first).to_contain_text("Đề án 06")
    assert "/helpdesk#q=" in page.url and "?" not in page.url


def test_hostile_search_results_are_shown_as_text(tab: Tab):
    xss = "<img src=x onerror=alert(1)>"
    source = {"n": 1, "id": "s", "kind": "source", "title": xss, "snippet": xss, "url": "javascript:alert(1)",
              "publisher": xss, "published": None}
    hit = {"rank": 1, "id": "h", "kind": "faq", "title": xss, "text": xss + " khác", "answer": xss, "score": 0.9,
           "dense": 0.8, "lexical": 0.5, "sources": [source], "relevant": True}
    near = {**hit, "rank": 2, "title": "<b>gần</b>" + xss, "relevant": False, "score": "<i>x</i>"}
    tab.page.add_init_script(STUB_CLIPBOARD)
    fake_search(tab, [hit, near], query=xss)
    page = tab.page
    page.goto(tab.base_url + "/helpdesk")
    page.get_by_label("Câu hỏi hoặc từ khoá").fill(xss)
    page.get_by_role("button", name="Tìm", exact=True).click()
    expect(page.locator("#results .hit h2")).to_contain_text(xss)
    page.locator("#nearby > summary").click()
    expect(page.locator("#nearby .hit h2")).to_contain_text("<b>gần</b>" + xss)
    page.locator("#nearby .scores summary").click()
    expect(page.locator("#nearby .scores")).to_contain_text("Điểm —")
    expect(page.locator("#results .scores")).to_contain_text("Khớp với cách hỏi: " + xss + " khác")
    page.get_by_role("button", name="Sao chép cho Zalo kết quả 1").click()
    expect(page.locator("#results .copied")).to_have_text("Đã sao chép")
    # the short form is text, and a javascript: address is left out of it
    assert page.evaluate("window.copied") == [f"{xss}\n\n{xss}\n\nNguồn:\n- {xss}"]
    page.wait_for_timeout(200)
    assert page.evaluate("document.querySelectorAll('img, b, i, .sources a').length") == 0
    assert not tab.dialogs and not tab.foreign_requests() and not tab.errors


def test_search_failure_is_explained_in_vietnamese(tab: Tab):
    tab.page.route("**/api/search**", lambda route: route.abort("internetdisconnected"))
    page = tab.page
    page.goto(tab.base_url + "/helpdesk")
    page.get_by_label("Câu hỏi hoặc từ khoá").fill("vneid")
    page.get_by_role("button", name="Tìm", exact=True).click()
    expect(page.locator("#status")).to_contain_text("Không kết nối được tới máy chủ")


def test_off_topic_search_says_no_relevant_result_and_keeps_the_nearest_collapsed(tab: Tab):
    search(tab, "giá vàng hôm nay")
    page = tab.page
    expect(page.locator("#status")).to_contain_text("Không tìm thấy kết quả phù hợp cho “giá vàng hôm nay”")
    expect(page.locator("#results .hit")).to_have_count(0)
    nearby = page.locator("#nearby")
    expect(nearby.locator("#nearby-title")).to_have_text("Kết quả gần nhất nhưng có thể không liên quan (5)")
    expect(nearby.locator(".hit").first).to_be_hidden()
    nearby.locator("#nearby-title").focus()
    page.keyboard.press("Enter")  # the section opens from the keyboard
    expect(nearby.locator(".hit")).to_have_count(5)
    expect(nearby.locator(".hit").first).to_be_visible()
    assert not tab.errors


def test_in_domain_search_shows_relevant_hits_first(tab: Tab):
    search(tab, "đăng ký định danh điện tử mức 2")
    page = tab.page
    relevant = page.locator("#results .hit h2")
    expect(relevant.first).to_contain_text("Tài khoản định danh điện tử mức 2 đăng ký ở đâu?")
    expect(page.locator("#status")).to_contain_text(f"Tìm thấy {relevant.count()} kết quả phù hợp")
    # the rest of the five wait, collapsed, below the relevant ones
    others = page.locator("#nearby .hit")
    assert relevant.count() >= 1 and relevant.count() + others.count() == 5
    if others.count():
        expect(page.locator("#status")).to_contain_text("có thể không liên quan được thu gọn bên dưới")
        expect(others.first).to_be_hidden()
        relevant_box = page.locator("#results").bounding_box()
        nearby_box = page.locator("#nearby").bounding_box()
        assert relevant_box and nearby_box and relevant_box["y"] < nearby_box["y"]


def test_scores_and_matched_phrasing_wait_behind_a_details_toggle(tab: Tab):
    search(tab, "làm VNeID mức 2 chỗ nào")
    page = tab.page
    first = page.locator("#results .hit").first
    expect(first).to_contain_text("Tài khoản định danh điện tử mức 2 đăng ký ở đâu?")
    shown = page.locator("main").inner_text()
    assert "Điểm 0." not in shown and "Khớp với" not in shown and "ngữ nghĩa" not in shown
    toggle = first.get_by_text("Chi tiết điểm")
    expect(first.locator(".scores p").first).to_be_hidden()
    toggle.click()
    expect(first.locator(".scores p").first).to_be_visible()
    scores = re.compile(r"^Điểm 0\.\d{3} · ngữ nghĩa [01]\.\d{3} · từ khoá [01]\.\d{3}$")
    expect(first.locator(".scores p").first).to_have_text(scores)
    expect(first.locator(".phrasing")).to_contain_text("Khớp với cách hỏi: làm VNeID mức 2 chỗ nào")


def test_print_hides_the_form_and_buttons_and_writes_out_source_addresses(tab: Tab):
    search(tab, "địa chỉ cổng dịch vụ công")
    page = tab.page
    first = page.locator("#results .hit").first
    expect(first).to_contain_text("Địa chỉ là dichvucong.gov.vn.")
    expect(page.locator("#search-form")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator("#search-form")).to_be_hidden()
    expect(page.locator("#nearby")).to_be_hidden()
    for button in page.get_by_role("button").all():
        expect(button).to_be_hidden()
    expect(first.locator(".scores")).to_be_hidden()
    expect(first.locator(".hit-text")).to_be_visible()
    link = first.locator(".sources a")
    expect(link).to_be_visible()
    after = link.evaluate("a => getComputedStyle(a, '::after').content")
    assert after == '" (https://dichvucong.gov.vn/)"'
    page.emulate_media(media="screen")
    expect(page.locator("#search-form")).to_be_visible()


def test_copy_for_zalo_gives_the_short_form_with_source_links(tab: Tab):
    tab.page.add_init_script(STUB_CLIPBOARD)
    search(tab, "địa chỉ cổng dịch vụ công")
    page = tab.page
    first = page.locator("#results .hit").first
    button = first.get_by_role("button", name="Sao chép cho Zalo kết quả 1")
    expect(button).to_have_text("Sao chép cho Zalo")
    button.click()
    expect(first.locator(".copied")).to_have_text("Đã sao chép")
    assert page.evaluate("window.copied") == [
        "Địa chỉ Cổng Dịch vụ công quốc gia là gì?\n\nĐịa chỉ là dichvucong.gov.vn.\n\n"
        "Nguồn:\n- Cổng Dịch vụ công quốc gia: https://dichvucong.gov.vn/"]


def test_copy_for_zalo_cuts_a_long_answer_and_works_without_the_clipboard_api(tab: Tab):
    sentence = "Bước {}: mang căn cước đến công an xã, phường và làm theo hướng dẫn của cán bộ tiếp nhận. "
    answer = "".join(sentence.format(i) for i in range(1, 30))
    sources = [{"n": 1, "id": "a", "kind": "source", "title": "Cổng Dịch vụ công quốc gia", "snippet": "",
                "url": "https://dichvucong.gov.vn", "publisher": None, "published": None},
               {"n": 2, "id": "b", "kind": "source", "title": "Quyết định số 06/QĐ-TTg", "snippet": "",
                "url": None, "publisher": None, "published": None}]
    hit = {"rank": 1, "id": "h", "kind": "faq", "title": "Làm gì?", "text": "Làm gì?", "answer": answer,
           "score": 0.9, "dense": 0.9, "lexical": 0.5, "sources": sources, "relevant": True}
    tab.page.add_init_script(NO_CLIPBOARD)
    fake_search(tab, [hit])
    search(tab, "làm gì")
    page = tab.page
    button = page.get_by_role("button", name="Sao chép cho Zalo kết quả 1")
    button.click()
    expect(page.locator(".copied")).to_have_text("Đã sao chép")
    expect(button).to_be_focused()  # the fallback's textarea does not steal the keyboard focus
    (copied,) = page.evaluate("window.copied")
    title, short, sources_block = copied.split("\n\n")
    assert title == "Làm gì?"
    assert len(short) <= 500 and short.endswith("tiếp nhận. …") and short.startswith("Bước 1: ")
    assert sources_block == ("Nguồn:\n- Cổng Dịch vụ công quốc gia: https://dichvucong.gov.vn/\n"
                             "- Quyết định số 06/QĐ-TTg")
    assert page.evaluate("document.querySelectorAll('textarea').length") == 0
