"""The OpenAPI pages: Swagger UI and Redoc served by the app itself, under a CSP that allows only its scripts."""

from __future__ import annotations

import base64
import hashlib
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient


class _PageRefs(HTMLParser):
    """The files a page loads (script src, link href) and the text of its inline scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self.links: list[str] = []
        self.inline: list[str] = []
        self._in_inline_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "script":
            if found.get("src"):
                self.scripts.append(str(found["src"]))
            else:
                self._in_inline_script = True
                self.inline.append("")
        elif tag == "link" and found.get("href"):
            self.links.append(str(found["href"]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_inline_script = False

    def handle_data(self, data: str) -> None:
        if self._in_inline_script:
            self.inline[-1] += data


def _refs(html: str) -> _PageRefs:
    parser = _PageRefs()
    parser.feed(html)
    return parser


def _csp(header: str) -> dict[str, list[str]]:
    directives = (part.split() for part in header.split(";") if part.strip())
    return {name: values for name, *values in directives}


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


# Redoc's search runs in a worker its script makes from a blob: URL; Swagger UI needs none
@pytest.mark.parametrize(("path", "worker_src"), [("/docs", None), ("/redoc", ["blob:"])])
def test_docs_pages_load_only_their_own_files_under_a_csp_without_foreign_scripts(
    client: TestClient, path: str, worker_src: list[str] | None
):
    page = client.get(path)
    assert page.status_code == 200
    refs = _refs(page.text)
    assert refs.scripts, "the page loads its UI from a script file"
    for url in refs.scripts + refs.links:
        assert url.startswith("/") and not url.startswith("//"), f"{url} is not on this origin"
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert len(asset.content) > 1000, url
    assert "https://" not in page.text and "http://" not in page.text

    csp = _csp(page.headers["content-security-policy"])
    script_src = csp["script-src"]
    assert script_src[0] == "'self'"
    # beyond 'self', exactly the hashes of the page's own inline scripts: no host, no wildcard, no unsafe-*
    assert sorted(script_src[1:]) == sorted(_sha256(text) for text in refs.inline)
    assert csp.get("worker-src") == worker_src
    assert csp["default-src"] == ["'self'"] and csp["connect-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"] and csp["base-uri"] == ["'none'"]
    assert csp["frame-ancestors"] == client.app.state.settings.frame_ancestors.split()  # type: ignore[attr-defined]
    assert page.headers["x-content-type-options"] == "nosniff"


def test_swagger_page_reads_the_schema_and_asks_no_outside_validator(client: TestClient):
    refs = _refs(client.get("/docs").text)
    (init,) = refs.inline
    assert "url: '/openapi.json'" in init
    assert '"validatorUrl": null' in init
    assert client.get("/openapi.json").status_code == 200


def test_docs_assets_are_served_with_their_types_and_nothing_else_is(client: TestClient):
    expected = {
        "/docs/assets/swagger-ui-bundle.js": "text/javascript",
        "/docs/assets/swagger-ui.css": "text/css",
        "/docs/assets/redoc.standalone.js": "text/javascript",
        "/docs/assets/favicon.png": "image/png",
    }
    for url, media_type in expected.items():
        response = client.get(url)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith(media_type)
    for url in ("/docs/assets/core.py", "/docs/assets/..%2F__init__.py", "/docs/assets/", "/docs/oauth2-redirect"):
        assert client.get(url).status_code == 404, url
