"""The hand-off module is a content-named file the widget names, cached for good and outside its budget."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings

GZIP = {"Accept-Encoding": "gzip"}


def test_the_widget_names_the_handoff_module_which_is_served_immutable():
    client = TestClient(create_app(Settings()))
    bundle = client.get("/widget.js").text
    path = re.search(r'HANDOFF="(static/widget-handoff\.[0-9a-f]{16}\.js)"', bundle)
    assert path and "Gửi câu hỏi cho tổ công nghệ số" in bundle
    # the form's texts travel in the module, not in the widget every resident downloads
    assert "Chỉ điền nếu bạn muốn được gọi" not in bundle
    module = client.get("/" + path.group(1), headers=GZIP)
    assert module.status_code == 200 and "immutable" in module.headers["cache-control"]
    assert "window.__dvcHandoff" in module.text and "Chỉ điền nếu bạn muốn được gọi" in module.text
    assert client.get("/static/widget-handoff.0000000000000000.js").status_code == 404
    english = re.search(r'STRINGS_EN="([^"]+)"', bundle)
    assert english and "Send the question to the local digital team" in client.get("/" + english.group(1)).text


def test_the_help_desk_page_has_the_tickets_section_and_its_script():
    client = TestClient(create_app(Settings()))
    page = client.get("/helpdesk").text
    assert 'id="tickets"' in page and "Câu hỏi người dân gửi" in page
    assert client.get("/static/helpdesk-tickets.js").status_code == 200
