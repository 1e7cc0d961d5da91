"""The help-desk search page in headless Chromium."""

from __future__ import annotations

import json

from tests.browser.conftest import Tab

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture then skips, or fails under REQUIRE_BROWSER=1, with the reason
    pass


def test_search_shows_ranked_hits_with_scores_and_copies_answer_with_sources(tab: Tab):
    page = tab.page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=tab.base_url)
    page.goto(tab.base_url + "/helpdesk")
    page.get_by_label("Câu hỏi hoặc từ khoá").fill("địa chỉ cổng dịch vụ công")
    with page.expect_response("**/api/search**"):
        page.get_by_label("Câu hỏi hoặc từ khoá").press("Enter")
    first = page.locator(".hit").first
    expect(first).to_contain_text("Địa chỉ Cổng Dịch vụ công quốc gia là gì?")
    expect(first.locator(".badge")).to_have_text("Hỏi đáp")
    expect(first.locator(".scores")).to_contain_text("Điểm 0.")
    expect(first.locator(".sources a")).to_have_attribute("href", "https://dichvucong.gov.vn/")
    expect(page.get_by_role("status").first).to_contain_text("Tìm thấy")

    first.get_by_role("button", name="Sao chép kết quả 1 kèm nguồn").click()
    expect(first.locator(".copied")).to_have_text("Đã sao chép")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert "Địa chỉ là dichvucong.gov.vn." in copied
    assert "Nguồn:\n[1] Cổng Dịch vụ công quốc gia — https://dichvucong.gov.vn/" in copied

    page.keyboard.press("Tab")  # keyboard reaches the results' controls
    assert "/helpdesk?q=" in page.url


def test_source_shows_its_date_and_legal_status(tab: Tab):
    page = tab.page
    page.goto(tab.base_url + "/helpdesk?q=" + "Đề án 06 là gì")
    first = page.locator(".hit").first
    expect(first).to_contain_text("06/01/2022")
    expect(first.locator(".in-force")).to_have_text("đang có hiệu lực")


def test_hostile_search_results_are_shown_as_text(tab: Tab):
    xss = "<img src=x onerror=alert(1)>"
    source = {"n": 1, "id": "s", "kind": "source", "title": xss, "snippet": xss, "url": "javascript:alert(1)",
              "publisher": xss, "published": None}
    hit = {"rank": 1, "id": "h", "kind": "faq", "title": xss, "text": xss, "answer": xss, "score": 0.9,
           "dense": 0.8, "lexical": 0.5, "sources": [source]}
    tab.page.route("**/api/search**", lambda route: route.fulfill(
        status=200, content_type="application/json",
        body=json.dumps({"query": xss, "hits": [hit], "kb_version": "v"})))
    page = tab.page
    page.goto(tab.base_url + "/helpdesk")
    page.get_by_label("Câu hỏi hoặc từ khoá").fill(xss)
    page.get_by_role("button", name="Tìm", exact=True).click()
    expect(page.locator(".hit h2")).to_contain_text(xss)
    page.wait_for_timeout(200)
    assert page.evaluate("document.querySelectorAll('img, .sources a').length") == 0
    assert not tab.dialogs and not tab.foreign_requests() and not tab.errors


def test_search_failure_is_explained_in_vietnamese(tab: Tab):
    tab.page.route("**/api/search**", lambda route: route.abort("internetdisconnected"))
    page = tab.page
    page.goto(tab.base_url + "/helpdesk")
    page.get_by_label("Câu hỏi hoặc từ khoá").fill("vneid")
    page.get_by_role("button", name="Tìm", exact=True).click()
    expect(page.locator("#status")).to_contain_text("Không kết nối được tới máy chủ")
