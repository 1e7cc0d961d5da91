"""The OpenAPI pages in headless Chromium: they render from the app's own files under its CSP."""

from __future__ import annotations

from tests.browser.conftest import Tab

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture then skips, or fails under REQUIRE_BROWSER=1, with the reason
    pass


def _console_errors(tab: Tab) -> list[str]:
    errors: list[str] = []
    tab.page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    return errors


def test_swagger_ui_renders_the_operations_with_no_csp_violation(tab: Tab):
    console = _console_errors(tab)
    tab.page.goto(tab.base_url + "/docs")
    expect(tab.page.locator(".opblock-summary-path", has_text="/api/chat")).to_be_visible()
    assert tab.errors == [] and console == []
    assert tab.foreign_requests() == []


def test_redoc_renders_the_operations_and_searches_them(tab: Tab):
    console = _console_errors(tab)
    tab.page.goto(tab.base_url + "/redoc")
    expect(tab.page.get_by_role("menuitem", name="chat", exact=True)).to_be_visible()
    expect(tab.page.get_by_text("/api/chat", exact=True).first).to_be_attached()
    # the search runs in Redoc's blob: worker, which the page's CSP allows (and nothing else of the kind)
    tab.page.get_by_placeholder("Search...").fill("feedback")
    expect(tab.page.locator("[data-role='search:results'] li").filter(has_text="Feedback")).not_to_have_count(0)
    assert tab.errors == []
    # the one thing refused is the Redocly logo Redoc would fetch from its CDN for the "API docs by" link
    assert [e for e in console if "Content Security Policy" in e and "img-src" not in e] == []
