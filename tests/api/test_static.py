"""Static files as a phone on a slow network gets them: gzip, validators, caching, the widget bundle's budget,
and the warning an operator gets when a site missing from ALLOWED_ORIGINS calls the API."""

from __future__ import annotations

import gzip
import logging
import re
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.api.pages import IMMUTABLE, REVALIDATE, STATIC, WIDGET_CACHE
from app.api.static_assets import WIDGET_MODULES, AssetCache, minify_css, minify_js
from app.main import create_app
from app.settings import Settings

# what a phone downloads before the bubble shows: the widget with its stylesheet, gzipped
WIDGET_BUDGET_BYTES = 15_000
GZIP = {"Accept-Encoding": "gzip, deflate, br"}
WARD = "https://phuong.example.gov.vn"


def _client(**settings: object) -> TestClient:
    # pages and static files need no index: the app is built without running its lifespan
    return TestClient(create_app(Settings(**settings)))


@pytest.fixture()
def client() -> TestClient:
    return _client()


def test_widget_is_one_gzipped_script_within_budget_with_its_styles_inside(
        client: TestClient, capsys: pytest.CaptureFixture[str]):
    r = client.get("/widget.js", headers=GZIP)
    assert r.status_code == 200 and r.headers["content-type"] == "text/javascript; charset=utf-8"
    assert r.headers["content-encoding"] == "gzip" and "Accept-Encoding" in r.headers["vary"]
    compressed = int(r.headers["content-length"])
    assert compressed <= WIDGET_BUDGET_BYTES
    # the stylesheet travels inside the script and every module is in it, comments stripped
    assert ".dvc{" in r.text and "adoptedStyleSheets" in r.text
    for name in ("function renderAnswer(", "function shareText(", "function toggleReading(", "function loadHistory(",
                 "function changeTextSize(", "function ask(", "function trapFocus("):
        assert name in r.text
    assert "Widget module" not in r.text
    english_path = re.search(r'STRINGS_EN="([^"]+)"', r.text)
    assert english_path
    english = client.get("/" + english_path.group(1), headers=GZIP)
    with capsys.disabled():
        print(f"\nwidget.js: {len(r.content)} bytes, {compressed} gzipped (budget {WIDGET_BUDGET_BYTES}); "
              f"English texts (data-lang=en only): {english.headers['content-length']} gzipped")


def test_widget_is_cached_briefly_and_revalidated_by_etag(client: TestClient):
    first = client.get("/widget.js", headers=GZIP)
    assert first.headers["cache-control"] == WIDGET_CACHE
    again = client.get("/widget.js", headers={**GZIP, "If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == first.headers["etag"]


def test_a_client_refusing_gzip_gets_the_plain_file(client: TestClient):
    zipped = client.get("/widget.js", headers=GZIP)
    plain = client.get("/widget.js", headers={"Accept-Encoding": "gzip;q=0, identity"})
    assert "content-encoding" not in plain.headers
    assert plain.content == zipped.content  # httpx decoded the gzipped one
    assert int(plain.headers["content-length"]) > int(zipped.headers["content-length"])


def test_english_texts_are_a_content_named_file_cached_for_good(client: TestClient):
    bundle = client.get("/widget.js").text
    path = re.search(r'STRINGS_EN="(static/widget-en\.[0-9a-f]{16}\.js)"', bundle)
    assert path
    r = client.get("/" + path.group(1), headers=GZIP)
    assert r.status_code == 200 and r.headers["cache-control"] == IMMUTABLE
    assert "window.__dvcWidgetStringsEn" in r.text and "Ask by voice" in r.text
    assert client.get("/static/widget-en.0000000000000000.js").status_code == 404
    assert client.get("/static/widget-core.js").status_code == 404  # sources are not served one by one


@pytest.mark.parametrize(("path", "media_type"), [
    ("/", "text/html"), ("/helpdesk", "text/html"), ("/static/site.css", "text/css"),
    ("/static/helpdesk.js", "text/javascript"), ("/widget.css", "text/css"),
])
def test_pages_and_their_files_are_gzipped_and_carry_an_etag(client: TestClient, path: str, media_type: str):
    r = client.get(path, headers=GZIP)
    assert r.status_code == 200 and r.headers["content-encoding"] == "gzip"
    assert r.headers["content-type"] == f"{media_type}; charset=utf-8"
    assert r.headers["cache-control"] in (REVALIDATE, WIDGET_CACHE)
    assert client.get(path, headers={"If-None-Match": r.headers["etag"]}).status_code == 304


def test_a_module_edited_on_disk_is_served_at_the_next_request(tmp_path: Path):
    shutil.copytree(STATIC, tmp_path / "static")
    cache = AssetCache(tmp_path / "static")
    before = cache.widget()
    assert cache.widget() is before  # built once, then kept
    module = tmp_path / "static" / WIDGET_MODULES[-1]
    module.write_text(module.read_text(encoding="utf-8") + "\nvar edited = 1;\n", encoding="utf-8")
    after = cache.widget()
    assert after.etag != before.etag and b"var edited=1;" in after.body
    assert gzip.decompress(after.gzipped) == after.body


def test_minify_js_keeps_strings_regular_expressions_and_line_breaks_that_matter():
    source = ('var a = "/* kept */ // kept";  // dropped\n'
              "var r = /\\/\\/[/*]x/g; /* dropped */\n"
              "var b = a\n(r)\n"
              "var c = x / 2 / y;\n"
              "return a + +b - -c;\n")
    out = minify_js(source)
    assert '"/* kept */ // kept"' in out and "/\\/\\/[/*]x/g" in out and "dropped" not in out
    assert ",b=a\n(r)" in out  # the line break decides how the statement ends: it stays
    assert "\nvar c=x/2/y;" in out and "a+ +b- -c" in out


def test_minify_js_shortens_only_where_the_grammar_reads_the_same():
    source = ('var a = 1;\nvar b = x\n  ? true\n  : {false: 2};\nvar c = 3\nfoo();\nvar d = 4;\n'
              'if (a) var e = 1;\nvar f = "one " +\n  "two";\nvar g = n * "3" + "4";\n'
              'function h() { while (g()); return y.true; }\nfunction k() { z(); }\n')
    out = minify_js(source)
    # the line break after "3" ends the declarations (automatic semicolon insertion): foo() is not one of them
    assert out.startswith('var a=1,b=x?true:{false:2},c=3\nfoo();var d=4;if(a)var e=1;var f="one two",')
    assert 'g=n*"3"+"4";' in out and "while(g());return y.true}" in out and "{z()}" in out
    assert minify_js("f(true, false)") == "f(!0,!1)"


def test_minify_css_keeps_descendant_selectors():
    assert minify_css(".dvc :focus-visible { outline: 3px solid red; } /* note */\n.a > .b { margin: 0.5em }") == (
        ".dvc :focus-visible{outline:3px solid red}.a>.b{margin:.5em}")


def _refused(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "app.cors"]


def test_a_refused_origin_is_logged_once_naming_the_setting_and_cors_is_unchanged(caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.WARNING, logger="app.cors")
    client = _client(allowed_origins=[WARD])
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
    for _ in range(3):
        refused = client.options("/api/chat", headers={"Origin": "https://xa.example.vn", **preflight})
        assert refused.status_code == 400 and "access-control-allow-origin" not in refused.headers
        assert "access-control-allow-origin" not in client.get(
            "/healthz", headers={"Origin": "https://xa.example.vn"}).headers
    allowed = client.options("/api/chat", headers={"Origin": WARD, **preflight})
    assert allowed.status_code == 200 and allowed.headers["access-control-allow-origin"] == WARD
    client.get("/healthz", headers={"Origin": "http://testserver"})  # the service's own pages
    client.get("/healthz", headers={"Origin": "https://testserver:443", "Host": "testserver:443"})
    warnings = _refused(caplog)
    assert len(warnings) == 1
    assert "https://xa.example.vn" in warnings[0] and "ALLOWED_ORIGINS" in warnings[0]
    client.get("/healthz", headers={"Origin": "https://khac.example.vn"})
    # a site on another port of this host (a developer's machine) is another origin
    client.get("/healthz", headers={"Origin": "http://localhost:3000", "Host": "localhost:8000"})
    assert len(_refused(caplog)) == 3


def test_refused_origins_are_remembered_and_logged_up_to_a_bound(caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.WARNING, logger="app.cors")
    client = _client()
    for i in range(300):
        client.get("/healthz", headers={"Origin": f"https://site{i}.example"})
    warnings = _refused(caplog)
    assert len(warnings) == 256 and "no further refused origins will be logged" in warnings[-1]


def test_no_warning_when_every_origin_is_allowed(caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.WARNING, logger="app.cors")
    _client(allowed_origins=["*"]).get("/healthz", headers={"Origin": "https://xa.example.vn"})
    assert _refused(caplog) == []
