"""Helpers shared by the widget's browser tests: opening it, asking, fake replies, and axe-core."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tests.browser.conftest import Tab

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture then skips, or fails under REQUIRE_BROWSER=1, with the reason
    pass

if TYPE_CHECKING:
    from playwright.sync_api import Page, Route

XSS = "<img src=x onerror=alert(1)>"
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
SHADOW = "document.querySelector('[data-dvc-widget]').shadowRoot"
# every ARIA role that makes a live region, besides an explicit aria-live
LIVE_REGIONS = "[aria-live], [role=log], [role=status], [role=alert], [role=marquee], [role=timer]"


def open_widget(tab: Tab, path: str = "/") -> Page:
    """Load a host page and open the panel with the bubble."""
    page = tab.page
    page.goto(tab.base_url + path)
    page.get_by_role("button", name="Mở hộp hỏi đáp dịch vụ công").click()
    expect(page.get_by_role("dialog", name="Hỏi đáp dịch vụ công số")).to_be_visible()
    return page


def ask(page: Page, question: str) -> dict:
    """Type a question, press Enter, and return the /api/chat response body."""
    page.get_by_label("Câu hỏi của bạn").fill(question)
    with page.expect_response("**/api/chat") as response:
        page.get_by_label("Câu hỏi của bạn").press("Enter")
    body: dict = response.value.json()
    return body


def serve_host_page(tab: Tab, html: str, path: str = "/host-test", origin: str | None = None) -> None:
    """Serve a host page (from the service's origin unless another is given) that embeds the widget."""
    tab.page.route((origin or tab.base_url) + path, lambda route: route.fulfill(
        status=200, content_type="text/html; charset=utf-8", body=html))


def host_page(attributes: str = "", src: str = "/widget.js") -> str:
    """A minimal host page embedding the widget with the given script attributes."""
    return (f'<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Phường</title></head><body>'
            f'<main><h1>Trang của phường</h1></main><script src="{src}" {attributes} defer></script></body></html>')


def shadow_count(page: Page, selector: str) -> int:
    """How many elements match inside the widget's shadow root."""
    count: int = page.evaluate(f"s => {SHADOW}.querySelectorAll(s).length", selector)
    return count


def fake_reply(answer: str, **fields: Any) -> dict:
    """A /api/chat body as the service shapes it, with the given answer."""
    reply = {"answer": answer, "status": "answered", "answer_type": "faq", "confidence": 0.9, "related_id": None,
             "citations": [], "suggestions": [], "session_id": "s1.sig", "message_id": "m1", "kb_version": "v"}
    reply.update(fields)
    return reply


def route_reply(page: Page, reply: dict) -> None:
    """Answer every question with this reply instead of the service."""
    def fulfil(route: Route) -> None:
        if route.request.method != "POST":
            route.continue_()
            return
        route.fulfill(status=200, content_type="application/json", body=json.dumps(reply))

    page.route("**/api/chat", fulfil)


def send_question(page: Page, question: str) -> None:
    """Type a question and press Enter without waiting for any reply."""
    page.get_by_label("Câu hỏi của bạn").fill(question)
    page.get_by_label("Câu hỏi của bạn").press("Enter")


def axe_violations(page: Page) -> list[str]:
    """axe-core's violations on the page, the widget's shadow root included (the tab must bypass the page CSP)."""
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    found: list[str] = page.evaluate("""async () => {
        const result = await axe.run(document, {resultTypes: ['violations']});
        return result.violations.flatMap(v => v.nodes.map(
            n => `${v.id} (${v.impact}): ${n.target.join(' ')}: ${n.failureSummary}`));
    }""")
    return found


def clipboard_text(page: Page) -> str:
    """What the page's clipboard holds (the context must grant clipboard-read)."""
    text: str = page.evaluate("navigator.clipboard.readText()")
    return text
