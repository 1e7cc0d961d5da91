"""How soon a resident on a cheap phone sees the bubble and a first answer: measured and printed, never asserted.

The profile is a 360 x 740 phone on "Slow 3G" as DevTools and Puppeteer define it (2,000 ms added latency per
request, 50,000 bytes/s down and up) with the CPU slowed 4x, through the Chrome DevTools Protocol.
"""

from __future__ import annotations

import json

import pytest

from app.settings import ROOT

try:
    from playwright.sync_api import Browser
except ImportError:  # the browser fixture then skips, or fails under REQUIRE_BROWSER=1, with the reason
    pass

SLOW_3G = {"offline": False, "latency": 2000, "downloadThroughput": 50_000, "uploadThroughput": 50_000}
BUBBLE_SHOWN = """() => {
    const h = document.querySelector('[data-dvc-widget]');
    const b = h && h.shadowRoot.querySelector('.bubble');
    return b && b.getBoundingClientRect().width > 0 ? performance.now() : 0;
}"""
ANSWER_SHOWN = """() => {
    const h = document.querySelector('[data-dvc-widget]');
    return h.shadowRoot.querySelector('.msg.bot:not(.greeting) .cite') ? performance.now() : 0;
}"""
WIDGET_BYTES = """() => performance.getEntriesByType('resource').filter(e => e.name.endsWith('/widget.js'))
    .map(e => ({transferred: e.transferSize, compressed: e.encodedBodySize, uncompressed: e.decodedBodySize}))[0]"""
REPORT = ROOT / "artifacts" / "widget-phone-profile.json"


def test_phone_profile_time_to_bubble_and_to_first_answer(browser: Browser, base_url: str,
                                                          capsys: pytest.CaptureFixture[str]):
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    context.set_default_timeout(120_000)
    try:
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", SLOW_3G)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})

        page.goto(base_url + "/", wait_until="commit")
        bubble_ms = page.wait_for_function(BUBBLE_SHOWN, polling="raf").json_value()
        widget = page.evaluate(WIDGET_BYTES)
        page.get_by_role("button", name="Mở hộp hỏi đáp dịch vụ công").click()
        asked_at = page.evaluate("performance.now()")
        page.get_by_role("button", name="Đề án 06 là gì?").click()
        answer_ms = page.wait_for_function(ANSWER_SHOWN, polling="raf").json_value() - asked_at

        page.get_by_role("button", name="Đóng hộp hỏi đáp").click()
        page.goto(base_url + "/", wait_until="commit")  # a second page of the same site: the widget is cached
        again_ms = page.wait_for_function(BUBBLE_SHOWN, polling="raf").json_value()
    finally:
        context.close()
    report = {"profile": "360x740, Slow 3G (2000 ms, 50 kB/s), CPU 4x", "bubble_ms": round(bubble_ms),
              "first_answer_ms": round(answer_ms), "bubble_on_next_page_ms": round(again_ms), "widget_js": widget}
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(report, indent=1), encoding="utf-8")
    with capsys.disabled():
        print(f"\nwidget on a phone profile: {json.dumps(report)}")
