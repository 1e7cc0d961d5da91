"""Browser fixtures: a real uvicorn server over the small knowledge base, and headless Debian Chromium.

Without playwright or /usr/bin/chromium the browser tests skip, unless REQUIRE_BROWSER=1 (CI) makes them fail.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import uvicorn
from fastapi import FastAPI

from app.index.embedder import load_embedder
from app.index.store import build_index
from app.knowledge.loader import load_knowledge
from app.main import create_app
from app.settings import ROOT, Settings
from tests.areas_fixture import write_areas
from tests.conftest import write_small_kb

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"


def _browser_missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (run `make install-browser`)"
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (apt-get install -y chromium)"
    return None


@pytest.fixture(scope="session")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real uvicorn server on a free loopback port, over the small knowledge base and its index."""
    root = tmp_path_factory.mktemp("browser")
    kb = write_areas(write_small_kb(root))
    # one browser sends every question from one address: the per-client limit is not under test here
    settings = Settings(knowledge_dir=kb, index_dir=root / "index", data_dir=root / "var", rate_limit="10000/minute")
    build_index(load_knowledge(kb), load_embedder(settings.embedder), settings.index_dir)
    with serve_in_thread(create_app(settings)) as url:
        yield url


@contextmanager
def serve_in_thread(app: FastAPI) -> Iterator[str]:
    """Serve `app` with uvicorn on a free loopback port in a thread; yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Headless Debian Chromium driven by Playwright."""
    missing = _browser_missing()
    if missing:
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {missing}")
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    pw: Playwright = sync_playwright().start()
    try:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
    finally:
        pw.stop()


@dataclass
class Tab:
    """A page plus what it did that tests check: dialogs opened, requests made, script errors."""

    page: Page
    base_url: str
    dialogs: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def foreign_requests(self) -> list[str]:
        """Requests that left the service's origin."""
        return [u for u in self.requests if not u.startswith(self.base_url + "/") and not u.startswith("data:")]


def new_tab(browser: Browser, base_url: str, width: int = 1280, height: int = 800, **options: Any) -> Tab:
    """Open a fresh context (own sessionStorage) and page that records dialogs, requests and errors."""
    context = browser.new_context(viewport={"width": width, "height": height}, **options)
    context.set_default_timeout(10_000)
    page = context.new_page()
    tab = Tab(page=page, base_url=base_url)
    page.on("dialog", lambda d: (tab.dialogs.append(d.message), d.dismiss()))
    page.on("request", lambda r: tab.requests.append(r.url))
    page.on("pageerror", lambda e: tab.errors.append(str(e)))
    return tab


@pytest.fixture()
def tab(browser: Browser, base_url: str) -> Iterator[Tab]:
    """A desktop-sized tab; closed after the test."""
    t = new_tab(browser, base_url)
    yield t
    t.page.context.close()


@pytest.fixture()
def phone_tab(browser: Browser, base_url: str) -> Iterator[Tab]:
    """A 360 x 740 phone-sized tab."""
    t = new_tab(browser, base_url, width=360, height=740, is_mobile=True, has_touch=True)
    yield t
    t.page.context.close()


def sign_in_admin(page: Page, token: str, role: str | None = None) -> None:
    """Type an admin token into the open /admin page; with `role`, wait until the page says who signed in."""
    page.fill("#token", token)
    page.click("#admin-form button[type=submit]")
    if role:
        page.wait_for_selector(f"#who:has-text('{role}')")


def save_screenshot(page: Page, name: str) -> None:
    """Save to artifacts/screenshots/ (test artifacts; docs/ holds copies chosen for the README)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name))
