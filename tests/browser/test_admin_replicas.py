"""The editors' loop across two replicas that share PostgreSQL, the knowledge files and the index volume, as
a province runs it: residents ask on one replica, an editor drafts on the other, a publisher publishes on the
first, and the second serves the new entry without a restart."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from app.main import create_app
from app.settings import Settings
from tests.browser.conftest import new_tab, serve_in_thread, sign_in_admin
from tests.editorial.helpers import ANSWER, EDITOR, GROUP, PUBLISHER, editorial_settings
from tests.services import postgres_schema

if TYPE_CHECKING:
    from playwright.sync_api import Browser


@pytest.fixture()
def pg_url() -> Iterator[str]:
    """A throwaway PostgreSQL schema, dropped afterwards."""
    with postgres_schema("replicas", "two replicas sharing a database") as url:
        yield url


@pytest.fixture()
def replicas(tmp_path: Path, pg_url: str) -> Iterator[tuple[str, str]]:
    """Two servers over one database, one knowledge directory and one index directory."""
    # each replica watches the shared index's manifest, as in a deployment
    settings: Settings = editorial_settings(tmp_path).model_copy(
        update={"database_url": pg_url, "manifest_poll_seconds": 0.5})
    first, second = create_app(settings), create_app(settings)
    with serve_in_thread(first) as url_a, serve_in_thread(second) as url_b:
        for question in GROUP:
            httpx.post(f"{url_a}/api/chat", json={"question": question}, timeout=30).raise_for_status()
        first.state.assistant.writer.flush(timeout=10)
        yield url_a, url_b


def test_a_draft_made_on_one_replica_is_published_on_the_other_and_served_by_both(
        browser: Browser, replicas: tuple[str, str]):
    url_a, url_b = replicas
    tab = new_tab(browser, url_b)
    page = tab.page
    # the editor works on replica B, which never saw the residents' questions itself
    page.goto(f"{url_b}/admin")
    sign_in_admin(page, EDITOR)
    group = page.locator("#groups > li", has_text=GROUP[0])
    group.wait_for()
    asked = group.locator("ul li").all_inner_texts()
    group.get_by_role("button", name="Soạn mục mới từ nhóm này").click()
    page.wait_for_selector("#editor:not([hidden])")
    page.fill("#f-phrasings", page.input_value("#f-phrasings") + "\nmiễn lệ phí căn cước\nphí làm CCCD lần đầu")
    page.fill("#f-answer", ANSWER)
    page.select_option("#f-sources", ["qd-06-2022"])
    page.fill("#f-topics", "can-cuoc")
    entry_id = page.input_value("#f-id")
    page.click("#preview")
    page.wait_for_selector("#preview-table:not([hidden])", timeout=60_000)
    page.click("#save")
    page.wait_for_selector("#editor-status:has-text('Đã lưu bản nháp')")

    # the publisher publishes on replica A
    page.goto(f"{url_a}/admin")
    sign_in_admin(page, PUBLISHER)
    draft = page.locator("#drafts > li", has_text=entry_id)
    draft.get_by_role("button", name="Đăng").click()
    page.wait_for_selector("#publish-status:has-text('Đã đăng')", timeout=180_000)
    published = page.locator("#published li")
    assert published.count() == len(asked)
    assert all(t.endswith(f"trả lời được · {entry_id}") for t in published.all_inner_texts())
    version = httpx.post(f"{url_a}/api/chat", json={"question": GROUP[0]}, timeout=30).json()["kb_version"]

    # replica B picks up the new index generation from the shared volume, without a restart
    deadline = time.monotonic() + 60
    while True:
        reply = httpx.post(f"{url_b}/api/chat", json={"question": GROUP[1]}, timeout=30).json()
        if reply["kb_version"] == version or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert reply["kb_version"] == version
    for question in asked:
        reply = httpx.post(f"{url_b}/api/chat", json={"question": question}, timeout=30).json()
        assert reply["status"] == "answered" and reply["answer"].startswith(ANSWER.rstrip(".")), question
    # both replicas read one audit log
    page.goto(f"{url_b}/admin")
    sign_in_admin(page, EDITOR)
    page.wait_for_selector(f"#audit tbody tr:has-text('đăng'):has-text('{entry_id}')")
    assert tab.errors == []
    page.context.close()
