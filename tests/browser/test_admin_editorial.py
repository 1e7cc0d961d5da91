"""The editors' loop in headless Chromium: draft from a group, preview, save, publish, questions now answered."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from app.main import create_app
from app.settings import Settings
from tests.browser.conftest import Tab, new_tab, save_screenshot, serve_in_thread, sign_in_admin
from tests.editorial.helpers import ANSWER, EDITOR, GROUP, PUBLISHER, editorial_settings

if TYPE_CHECKING:
    from playwright.sync_api import Browser


@pytest.fixture()
def desk_server(tmp_path: Path) -> Iterator[tuple[str, Settings]]:
    """A real server with named editors over a temp copy of the small base, residents' questions asked."""
    settings = editorial_settings(tmp_path)
    app = create_app(settings)
    with serve_in_thread(app) as url:
        for question in GROUP:
            httpx.post(f"{url}/api/chat", json={"question": question}, timeout=30).raise_for_status()
        app.state.assistant.writer.flush(timeout=10)
        yield url, settings


@pytest.fixture()
def desk_tab(browser: Browser, desk_server: tuple[str, Settings]) -> Iterator[Tab]:
    """A desktop tab on the editors' server."""
    t = new_tab(browser, desk_server[0])
    yield t
    t.page.context.close()


def test_an_editor_drafts_from_a_group_and_a_publisher_publishes_it(desk_tab: Tab,
                                                                    desk_server: tuple[str, Settings]):
    page = desk_tab.page
    page.goto(f"{desk_tab.base_url}/admin")
    sign_in_admin(desk_tab.page, EDITOR)
    group = page.locator("#groups > li", has_text=GROUP[0])
    group.wait_for()
    asked = group.locator("ul li").all_inner_texts()
    group.get_by_role("button", name="Soạn mục mới từ nhóm này").click()
    page.wait_for_selector("#editor:not([hidden])")
    assert page.input_value("#f-question") == asked[0]
    page.fill("#f-phrasings", page.input_value("#f-phrasings") + "\nmiễn lệ phí căn cước\nphí làm CCCD lần đầu")
    page.fill("#f-answer", ANSWER)
    page.select_option("#f-sources", ["qd-06-2022"])
    page.fill("#f-topics", "can-cuoc")
    entry_id = page.input_value("#f-id")

    page.click("#preview")
    page.wait_for_selector("#preview-table:not([hidden])", timeout=60_000)
    rows = page.locator("#preview-table tbody tr")
    assert rows.count() == len(asked)
    for i in range(rows.count()):
        cells = rows.nth(i).locator("td")
        assert "chưa trả lời được" in cells.nth(1).inner_text()
        assert cells.nth(2).inner_text() == f"trả lời được · {entry_id}"
    page.click("#save")
    page.wait_for_selector("#editor-status:has-text('Đã lưu bản nháp')")
    # an editor sees the draft but no button to publish it
    draft = page.locator("#drafts > li", has_text=entry_id)
    draft.wait_for()
    assert draft.get_by_role("button", name="Đăng").count() == 0

    sign_in_admin(desk_tab.page, PUBLISHER)
    page.wait_for_selector("#who:has-text('publisher')")
    draft = page.locator("#drafts > li", has_text=entry_id)
    draft.get_by_role("button", name="Đăng").wait_for()  # the list as drawn for a publisher
    draft.get_by_role("button", name="Xem khác biệt").click()
    page.wait_for_selector(f"#drafts pre:has-text('{ANSWER}')")
    draft.get_by_role("button", name="Đăng").click()
    page.wait_for_selector("#publish-status:has-text('Đã đăng')", timeout=120_000)
    published = page.locator("#published li")
    assert published.count() == len(asked)
    assert all(t.endswith(f"trả lời được · {entry_id}") and "chưa" not in t for t in published.all_inner_texts())
    page.wait_for_selector(f"#audit tbody tr:has-text('đăng'):has-text('{entry_id}')")
    save_screenshot(page, "admin-editorial.png")
    assert desk_tab.errors == [] and desk_tab.foreign_requests() == []
    written = desk_server[1].knowledge_dir / "faq" / "editor-drafts.yaml"
    assert f"- id: {entry_id}" in written.read_text(encoding="utf-8")
