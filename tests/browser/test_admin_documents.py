"""Adding a document on the admin page in headless Chromium: upload a decree, see what was read, preview the
answer citing its khoản, and publish it; residents then get that answer."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from app.main import create_app
from app.settings import Settings
from tests.browser.conftest import Tab, new_tab, save_screenshot, serve_in_thread, sign_in_admin
from tests.editorial.helpers import EDITOR, PUBLISHER, VIEWER, editorial_settings
from tests.editorial.uploads import DECREE_QUESTION, write_decree_docx
from tests.ingest.documents import DECREE_NUMBER

if TYPE_CHECKING:
    from playwright.sync_api import Browser


@pytest.fixture()
def desk_server(tmp_path: Path) -> Iterator[tuple[str, Settings]]:
    """A real server with named editors over a temp copy of the small base."""
    settings = editorial_settings(tmp_path)
    with serve_in_thread(create_app(settings)) as url:
        yield url, settings


@pytest.fixture()
def desk_tab(browser: Browser, desk_server: tuple[str, Settings]) -> Iterator[Tab]:
    """A desktop tab on the editors' server."""
    t = new_tab(browser, desk_server[0])
    yield t
    t.page.context.close()


def test_an_editor_adds_a_decree_by_file_and_a_publisher_publishes_it(desk_tab: Tab, tmp_path: Path,
                                                                      desk_server: tuple[str, Settings]):
    page = desk_tab.page
    page.goto(f"{desk_tab.base_url}/admin")
    sign_in_admin(desk_tab.page, VIEWER, "viewer")
    assert page.locator("#documents").is_hidden()  # viewers read, they do not add documents

    sign_in_admin(desk_tab.page, EDITOR, "editor")
    page.wait_for_selector("#documents:not([hidden])")
    page.set_input_files("#doc-file", str(write_decree_docx(tmp_path / "nghi-dinh-69.docx")))
    page.select_option("#doc-status", "in_force")
    page.fill("#doc-topics", "vneid")
    page.click("#doc-upload")
    page.wait_for_selector("#doc-result:not([hidden])", timeout=60_000)
    assert "Đã lưu bản nháp" in page.inner_text("#doc-status-line")
    number = page.locator("#doc-fields tbody tr", has_text="Số hiệu").locator("td")
    assert number.all_inner_texts() == [DECREE_NUMBER, "đọc từ tệp"]
    status = page.locator("#doc-fields tbody tr", has_text="Hiệu lực").locator("td")
    assert status.all_inner_texts() == ["còn hiệu lực", "do bạn nhập"]
    assert page.input_value("#doc-questions").startswith(f"Điều 1 Nghị định {DECREE_NUMBER} quy định gì")
    draft = page.locator("#drafts > li", has_text="Thêm tài liệu nghi-dinh-69")
    draft.wait_for()

    page.fill("#doc-questions", DECREE_QUESTION)
    page.click("#doc-preview")
    page.wait_for_selector("#doc-preview-table:not([hidden])", timeout=60_000)
    cells = page.locator("#doc-preview-table tbody tr").first.locator("td")
    assert cells.nth(2).inner_text() == "trả lời được · nghi-dinh-69"
    assert cells.nth(3).inner_text() == f"Điều 12 khoản 2, Nghị định {DECREE_NUMBER} (còn hiệu lực)"
    save_screenshot(page, "admin-documents.png")

    sign_in_admin(desk_tab.page, PUBLISHER, "publisher")
    draft = page.locator("#drafts > li", has_text="Thêm tài liệu nghi-dinh-69")
    draft.get_by_role("button", name="Đăng").wait_for()
    # the reviewer previews the pending document with the questions saved with it (the suggested ones)
    draft.get_by_role("button", name="Xem trước câu trả lời").click()
    draft.locator("table:not([hidden]) tbody tr").first.wait_for(timeout=60_000)
    rows = draft.locator("table tbody tr")
    assert rows.count() == 6 and "Điều 1 Nghị định" in rows.first.locator("td").first.inner_text()
    draft.get_by_role("button", name="Xem khác biệt").click()
    page.wait_for_selector("#drafts pre:has-text('origin: nghi-dinh-69.docx')")
    draft.get_by_role("button", name="Đăng").click()
    page.wait_for_selector("#publish-status:has-text('Đã đăng nghi-dinh-69')", timeout=120_000)
    page.wait_for_selector("#audit tbody tr:has-text('đăng'):has-text('nghi-dinh-69')")
    assert desk_tab.errors == [] and desk_tab.foreign_requests() == []

    chat = httpx.post(f"{desk_tab.base_url}/api/chat", json={"question": DECREE_QUESTION}, timeout=30).json()
    assert chat["status"] == "answered"
    assert (chat["citations"][0]["title"], chat["citations"][0]["status"]) == (
        f"Điều 12 khoản 2, Nghị định {DECREE_NUMBER}", "in_force")
    assert (desk_server[1].knowledge_dir / "articles" / "nghi-dinh-69.md").exists()
