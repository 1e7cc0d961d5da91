"""Keeping and passing on a conversation: history on the device, printing, reading aloud, voice input."""

from __future__ import annotations

from tests.browser.conftest import Tab
from tests.browser.widget_helpers import SHADOW, ask, open_widget

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture then skips, or fails under REQUIRE_BROWSER=1, with the reason
    pass

VOICES = """
window.__spoken = []; window.__cancelled = 0;
const fakeSynth = {
  getVoices: () => VOICE_LIST,
  speak: u => window.__spoken.push({text: u.text, lang: u.lang, voice: u.voice && u.voice.name}),
  cancel: () => { window.__cancelled += 1; },
  addEventListener: () => {},
};
Object.defineProperty(window, 'speechSynthesis', {configurable: true, value: fakeSynth});
window.SpeechSynthesisUtterance = class { constructor(text) { this.text = text; } };
"""
RECOGNITION = """
window.__recognitions = [];
window.webkitSpeechRecognition = class {
  start() {
    window.__recognitions.push(this.lang);
    setTimeout(() => {
      this.onresult({results: [[{transcript: 'Đề án 06 '}], [{transcript: 'là gì'}]]});
      this.onend();
    }, 50);
  }
  stop() { this.onend(); }
  abort() { this.onend(); }
};
delete window.SpeechRecognition;
"""


def test_history_survives_a_new_tab_and_keeps_the_session(tab: Tab):
    page = open_widget(tab)
    first = ask(page, "Đăng ký định danh điện tử mức 1 thế nào?")
    expect(page.get_by_text("Lịch sử trò chuyện được lưu trên thiết bị này trong 24 giờ.")).to_be_visible()
    other = page.context.new_page()
    other.goto(tab.base_url + "/")
    # a new tab starts with the panel closed, and finds the conversation when the resident opens it
    expect(other.locator(".panel")).to_be_hidden()
    other.get_by_role("button", name="Mở hộp hỏi đáp dịch vụ công").click()
    expect(other.locator(".msg.user")).to_have_text("Bạn hỏi: Đăng ký định danh điện tử mức 1 thế nào?")
    expect(other.locator(".msg.bot .msg-text").last).to_contain_text("VNeID")
    with other.expect_request("**/api/chat") as request:
        ask(other, "còn mức 2 thì sao?")
    assert request.value.post_data_json["session_id"] == first["session_id"]
    # and the first tab shows what was asked in the second
    expect(page.locator(".msg.user")).to_have_count(2)


def test_history_is_dropped_after_24_hours(tab: Tab):
    page = open_widget(tab)
    ask(page, "Đề án 06 là gì?")
    key = page.evaluate("Object.keys(localStorage).find(k => k.startsWith('dvc-widget:http'))")
    page.evaluate("""k => { const saved = JSON.parse(localStorage.getItem(k));
        saved.savedAt = Date.now() - 24 * 3600 * 1000 - 1000; localStorage.setItem(k, JSON.stringify(saved)); }""",
                  key)
    page.reload()
    expect(page.locator(".msg.user")).to_have_count(0)
    expect(page.locator(".greeting .chips")).to_be_visible()
    assert page.evaluate("k => localStorage.getItem(k)", key) is None


def test_print_lays_out_the_conversation_alone(tab: Tab):
    page = open_widget(tab)
    ask(page, "Địa chỉ Cổng Dịch vụ công quốc gia là gì?")
    page.evaluate("() => { window.print = () => { window.__printed = (window.__printed || 0) + 1; }; }")
    page.get_by_role("button", name="In cuộc trò chuyện").click()
    assert page.evaluate("window.__printed") == 1
    page.emulate_media(media="print")
    assert page.evaluate("getComputedStyle(document.querySelector('main')).display") == "none"
    display = page.evaluate(f"""() => Object.fromEntries(['.log', '.form', '.bar', '.acts', '.bubble', '.print-only']
        .map(s => [s, getComputedStyle({SHADOW}.querySelector(s)).display]))""")
    assert display == {".log": "block", ".form": "none", ".bar": "none", ".acts": "none", ".bubble": "none",
                       ".print-only": "block"}
    expect(page.locator(".print-only")).to_contain_text("In ngày")
    assert "https://dichvucong.gov.vn/" in page.locator("a.cite-title").evaluate(
        "e => getComputedStyle(e, '::after').content")
    page.evaluate("dispatchEvent(new Event('afterprint'))")
    # printing the host page itself leaves the widget out
    assert page.evaluate("getComputedStyle(document.querySelector('main')).display") == "block"
    assert page.evaluate("getComputedStyle(document.querySelector('[data-dvc-widget]')).display") == "none"
    page.emulate_media(media="screen")
    expect(page.locator(".panel")).to_be_visible()


def test_read_aloud_uses_a_vietnamese_voice(tab: Tab):
    tab.page.add_init_script(VOICES.replace(
        "VOICE_LIST", "[{name: 'Giọng Việt', lang: 'vi-VN', localService: true}, {name: 'En', lang: 'en-US'}]"))
    page = open_widget(tab)
    body = ask(page, "Đề án 06 là gì?")
    expect(page.locator(".note")).to_be_hidden()
    page.get_by_role("button", name="Đọc to câu trả lời").click()
    spoken = page.evaluate("window.__spoken")
    assert {s["lang"] for s in spoken} == {"vi-VN"} and {s["voice"] for s in spoken} == {"Giọng Việt"}
    assert " ".join(s["text"] for s in spoken) == body["answer"].replace(" [1]", "").replace("[1]", "")
    stop = page.get_by_role("button", name="Dừng đọc")
    expect(stop).to_have_text("Dừng đọc")
    stop.click()
    assert page.evaluate("window.__cancelled") >= 1
    expect(page.get_by_role("button", name="Đọc to câu trả lời")).to_be_visible()


def test_read_aloud_is_hidden_with_a_note_without_a_vietnamese_voice(tab: Tab):
    tab.page.add_init_script(VOICES.replace("VOICE_LIST", "[{name: 'En', lang: 'en-US'}]"))
    page = open_widget(tab)
    ask(page, "Đề án 06 là gì?")
    expect(page.locator(".act.read")).to_be_hidden()
    expect(page.get_by_text("Thiết bị này chưa có giọng đọc tiếng Việt nên không có nút Đọc.")).to_be_visible()
    # an English answer is read with the English voice
    ask(page, "What is Project 06?")
    expect(page.locator(".act.read").last).to_be_visible()


def test_voice_input_fills_the_box_in_vietnamese_and_sends_nothing(tab: Tab):
    tab.page.add_init_script(RECOGNITION)
    page = open_widget(tab)
    page.get_by_role("button", name="Nói câu hỏi").click()
    expect(page.get_by_label("Câu hỏi của bạn")).to_have_value("Đề án 06 là gì")
    assert page.evaluate("window.__recognitions") == ["vi-VN"]
    expect(page.get_by_label("Câu hỏi của bạn")).to_be_focused()
    page.wait_for_timeout(300)
    assert not any("/api/" in u for u in tab.requests) and not tab.foreign_requests()


def test_voice_input_button_is_absent_where_the_browser_has_no_recognition(tab: Tab):
    tab.page.add_init_script("delete window.webkitSpeechRecognition; delete window.SpeechRecognition;")
    page = open_widget(tab)
    expect(page.locator(".mic")).to_have_count(0)
