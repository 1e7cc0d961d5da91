"""Hand-off in real Chromium: a resident sends an unanswered question to the local team from the widget, a team
member answers it on the help-desk page, and the resident sees the reply after a reload and closes the ticket."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.index.embedder import load_embedder
from app.index.store import build_index
from app.knowledge.loader import load_knowledge
from app.main import create_app
from app.settings import Settings
from tests.areas_fixture import write_areas
from tests.browser.conftest import Tab, new_tab, save_screenshot, serve_in_thread
from tests.browser.widget_helpers import SHADOW, ask, axe_violations, host_page, open_widget, serve_host_page
from tests.conftest import write_small_kb

try:
    from playwright.sync_api import Browser, Locator, Page, expect
except ImportError:  # the browser fixture then skips, or fails under REQUIRE_BROWSER=1, with the reason
    pass

EDITOR = "editor-token-for-handoff-0123"
UNCOVERED = "Thủ tục đăng ký kết hôn với người nước ngoài cần giấy tờ gì?"
CONTACT = "0987 654 321"
REPLY = "Anh chị nộp hồ sơ tại UBND tỉnh, mang hộ chiếu và giấy xác nhận tình trạng hôn nhân."


@pytest.fixture(scope="module")
def handoff_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server with an editor's token, over the small knowledge base."""
    root = tmp_path_factory.mktemp("handoff-browser")
    kb = write_areas(write_small_kb(root))
    settings = Settings(knowledge_dir=kb, index_dir=root / "index", data_dir=root / "var", rate_limit="10000/minute",
                        admin_tokens=[f"minh:editor:{EDITOR}"], manifest_poll_seconds=0)
    build_index(load_knowledge(kb), load_embedder(settings.embedder), settings.index_dir)
    with serve_in_thread(create_app(settings)) as url:
        yield url


@pytest.fixture()
def resident(browser: Browser, handoff_url: str) -> Iterator[Tab]:
    t = new_tab(browser, handoff_url, bypass_csp=True)
    yield t
    t.page.context.close()


@pytest.fixture()
def team(browser: Browser, handoff_url: str) -> Iterator[Tab]:
    t = new_tab(browser, handoff_url)
    yield t
    t.page.context.close()


def shown(page: Page, text: str) -> Locator:
    """The text where the widget shows it: the screen-reader live region repeats announced words 50 ms later."""
    return page.get_by_text(text).and_(page.locator(":not([aria-live])"))


def test_handoff_reply_in_help_desk_then_resident_sees_it_after_reload(resident: Tab, team: Tab, tmp_path: Path):
    page = open_widget(resident)
    body = ask(page, UNCOVERED)
    assert body["status"] in ("no_answer", "partial")
    # the form is a module fetched only when asked for
    assert not [u for u in resident.requests if "widget-handoff" in u]
    page.get_by_role("button", name="Gửi câu hỏi cho tổ công nghệ số").click()
    form = page.get_by_role("form", name="Gửi câu hỏi cho tổ công nghệ số")
    expect(form).to_be_visible()
    question = page.get_by_label("Câu hỏi gửi tổ")
    expect(question).to_be_focused()
    expect(question).to_have_value(UNCOVERED)
    contact = page.get_by_label("Số điện thoại hoặc email để tổ liên hệ lại (không bắt buộc)")
    # the contact field says plainly what the number is for and when it goes
    expect(page.get_by_text(re.compile(r"chỉ dùng để trả lời bạn.*tự xóa sau 30 ngày"))).to_be_visible()
    assert not axe_violations(page)
    contact.fill(CONTACT)
    with page.expect_response("**/api/handoff") as sent:
        page.get_by_role("button", name="Gửi cho tổ").click()
    code = sent.value.json()["code"]
    spoken = f"{code[:4]} {code[4:]}"
    done = shown(page, f"Mã yêu cầu của bạn là {spoken}")
    expect(done).to_be_focused()
    expect(page.get_by_text("Đang chờ tổ công nghệ số trả lời.")).to_be_visible()
    save_screenshot(page, "handoff-sent.png")

    desk = team.page
    desk.goto(team.base_url + "/helpdesk")
    desk.get_by_text("Câu hỏi người dân gửi (cần mã biên tập viên)").click()
    desk.get_by_label("Mã tổ viên (mã biên tập viên hoặc người duyệt)").fill(EDITOR)
    desk.get_by_label("Mã tổ viên (mã biên tập viên hoặc người duyệt)").press("Enter")
    ticket = desk.get_by_role("listitem", name=f"Yêu cầu {spoken}")
    expect(ticket).to_be_visible()
    expect(ticket.get_by_text(CONTACT)).to_be_visible()
    ticket.get_by_label("Trả lời người dân").fill(REPLY)
    ticket.get_by_role("button", name="Gửi trả lời").click()
    expect(desk.get_by_role("status").filter(has_text=f"Đã gửi trả lời cho yêu cầu {spoken}.")).to_be_visible()
    # answered tickets leave the list of open ones
    expect(desk.get_by_role("listitem", name=f"Yêu cầu {spoken}")).to_have_count(0)
    save_screenshot(desk, "handoff-helpdesk.png")

    # the panel was open in this tab, so it opens again by itself after the reload
    page.reload()
    expect(page.get_by_text("Tổ công nghệ số đã trả lời:")).to_be_visible()
    expect(page.get_by_text(REPLY)).to_be_visible()
    save_screenshot(page, "handoff-reply.png")
    with page.expect_response("**/api/handoff/close"):
        page.get_by_role("button", name=f"Đóng yêu cầu {spoken} (xóa cả thông tin liên hệ)").click()
    expect(shown(page, f"Đã đóng yêu cầu {spoken}.")).to_be_focused()
    kept = page.evaluate("() => Object.keys(localStorage).filter(k => k.endsWith(':handoff'))")
    assert kept == []
    page.reload()
    expect(page.get_by_role("dialog", name="Hỏi đáp dịch vụ công số")).to_be_visible()
    assert page.evaluate(f"() => {SHADOW}.querySelectorAll('.ho-band').length") == 0
    assert not resident.errors and not team.errors and not resident.foreign_requests()


def test_handoff_form_can_be_cancelled_and_asks_for_a_question(resident: Tab):
    page = open_widget(resident)
    ask(page, UNCOVERED)
    button = page.get_by_role("button", name="Gửi câu hỏi cho tổ công nghệ số")
    button.click()
    page.get_by_label("Câu hỏi gửi tổ").fill("")
    page.get_by_role("button", name="Gửi cho tổ").click()
    expect(page.get_by_text("Bạn nhập câu hỏi trước khi gửi nhé.")).to_be_visible()
    expect(page.get_by_label("Câu hỏi gửi tổ")).to_be_focused()
    page.get_by_role("button", name="Không gửi").click()
    expect(button).to_be_focused()
    assert page.evaluate("() => Object.keys(localStorage).filter(k => k.endsWith(':handoff'))") == []


def test_an_english_embed_offers_the_handoff_in_english(resident: Tab):
    serve_host_page(resident, host_page('data-lang="en"'))
    page = resident.page
    page.goto(resident.base_url + "/host-test")
    page.get_by_role("button", name="Open the public services help chat").click()
    page.get_by_label("Your question").fill(UNCOVERED)
    with page.expect_response("**/api/chat"):
        page.get_by_label("Your question").press("Enter")
    page.get_by_role("button", name="Send the question to the local digital team").click()
    expect(page.get_by_role("form", name="Send the question to the local digital team")).to_be_visible()
    expect(page.get_by_label("Phone or e-mail for the team to contact you (optional)")).to_be_visible()
    expect(page.get_by_text(re.compile(r"used only to answer you.*deleted after 30 days"))).to_be_visible()
    assert not resident.errors


def test_a_communes_team_sees_the_tickets_from_its_area_and_keeps_its_choice(team: Tab):
    for question, area in (("Đổi nơi thường trú trên VNeID ở phường Một thế nào?", "tinh-a-phuong-mot"),
                           ("Câu hỏi gửi từ trang không ghi địa bàn", None)):
        body = {"question": question, **({"area": area} if area else {})}
        httpx.post(f"{team.base_url}/api/handoff", json=body, timeout=30).raise_for_status()
    desk = team.page
    desk.goto(team.base_url + "/helpdesk")
    desk.get_by_text("Câu hỏi người dân gửi (cần mã biên tập viên)").click()
    desk.get_by_label("Mã tổ viên (mã biên tập viên hoặc người duyệt)").fill(EDITOR)
    desk.get_by_label("Mã tổ viên (mã biên tập viên hoặc người duyệt)").press("Enter")
    tickets = desk.locator("#tickets-list > li")
    expect(tickets.filter(has_text="Câu hỏi gửi từ trang không ghi địa bàn")).to_have_count(1)
    desk.get_by_label("Địa bàn").select_option(label="— Phường Một")
    expect(tickets.filter(has_text="Câu hỏi gửi từ trang không ghi địa bàn")).to_have_count(0)
    expect(tickets.filter(has_text="Đổi nơi thường trú trên VNeID ở phường Một thế nào?")).to_have_count(1)
    # the choice is kept on this device: after a reload the list is the commune's again
    desk.reload()
    desk.get_by_text("Câu hỏi người dân gửi (cần mã biên tập viên)").click()
    expect(desk.get_by_label("Địa bàn")).to_have_value("tinh-a-phuong-mot")
    expect(tickets.filter(has_text="Câu hỏi gửi từ trang không ghi địa bàn")).to_have_count(0)
    expect(tickets.filter(has_text="Đổi nơi thường trú trên VNeID ở phường Một thế nào?")).to_have_count(1)
    assert team.errors == []
