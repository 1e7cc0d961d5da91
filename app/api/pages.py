"""The pages the service serves: the demo host page, the help desk, the widget's files, the API docs."""

from __future__ import annotations

import base64
import hashlib
import re
from importlib.resources import files
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, Response

from app.api.middleware import content_security_policy
from app.api.static_assets import Asset, AssetCache, widget_handoff_path, widget_strings_en_path

STATIC = Path(__file__).resolve().parent.parent / "static"
# Swagger UI and Redoc ship inside the fastapi-offline package, so /docs and /redoc load nothing from a CDN
DOCS_STATIC = Path(str(files("fastapi_offline") / "static"))
DOCS_ASSETS = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "redoc.standalone.js": "text/javascript; charset=utf-8",
    "favicon.png": "image/png",
}
INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)
router = APIRouter(include_in_schema=False)
# an explicit list, so /static/ serves only the pages' own assets and never anything else on disk
ASSETS = {
    "site.css": "text/css; charset=utf-8",
    "helpdesk.css": "text/css; charset=utf-8",
    "staff.js": "text/javascript; charset=utf-8",
    "helpdesk.js": "text/javascript; charset=utf-8",
    "admin.js": "text/javascript; charset=utf-8",
    "helpdesk-tickets.js": "text/javascript; charset=utf-8",
    "helpdesk-desk.js": "text/javascript; charset=utf-8",
    "admin-flags.js": "text/javascript; charset=utf-8",
    "admin-documents.js": "text/javascript; charset=utf-8",
}


# the widget: short-lived in caches, and used stale for a day while a fresh copy is fetched behind it, so a
# resident moving between a ward site's pages (each loads the widget) waits for no round trip to this server
WIDGET_CACHE = "public, max-age=600, stale-while-revalidate=86400"
# pages and their assets: always revalidated (a 304 costs headers only)
REVALIDATE = "no-cache"
# a file named by its content never changes
IMMUTABLE = "public, max-age=31536000, immutable"
HTML = "text/html; charset=utf-8"
assets = AssetCache(STATIC)


def _etags(header: str) -> set[str]:
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}


def _accepts_gzip(header: str) -> bool:
    """Whether Accept-Encoding allows gzip (a `q=0` refuses it)."""
    for part in header.split(","):
        coding, _, params = part.partition(";")
        if coding.strip().lower() in ("gzip", "*"):
            weight = params.strip().removeprefix("q=")
            try:
                return not params.strip() or float(weight) > 0
            except ValueError:
                return False
    return False


def _serve(request: Request, asset: Asset, cache_control: str) -> Response:
    """The asset, gzipped when the client takes it, or 304 when the client's copy is current."""
    headers = {"ETag": asset.etag, "Cache-Control": cache_control, "Vary": "Accept-Encoding"}
    tags = _etags(request.headers.get("if-none-match", ""))
    if "*" in tags or asset.etag.removeprefix("W/") in tags:
        return Response(status_code=304, headers=headers)
    if _accepts_gzip(request.headers.get("accept-encoding", "")) and len(asset.gzipped) < len(asset.body):
        return Response(asset.gzipped, media_type=asset.media_type, headers={**headers, "Content-Encoding": "gzip"})
    return Response(asset.body, media_type=asset.media_type, headers=headers)


@router.get("/")
async def demo_page(request: Request) -> Response:
    """A host page that embeds the widget the way a ward's site would."""
    return _serve(request, assets.get("index.html", HTML), REVALIDATE)


@router.get("/helpdesk")
async def helpdesk_page(request: Request) -> Response:
    """Search page for community digital-technology teams."""
    return _serve(request, assets.get("helpdesk.html", HTML), REVALIDATE)


@router.get("/widget.js")
async def widget_script(request: Request) -> Response:
    """The embeddable widget: one script, its modules and stylesheet bundled (app.api.static_assets)."""
    return _serve(request, assets.widget(), WIDGET_CACHE)


@router.get("/widget.css")
async def widget_styles(request: Request) -> Response:
    """The widget's stylesheet on its own, for reference: the script carries it inside."""
    return _serve(request, assets.get("widget.css", "text/css; charset=utf-8"), WIDGET_CACHE)


@router.get("/static/{name}")
async def static_asset(name: str, request: Request) -> Response:
    """Scripts and styles of the demo and help-desk pages, and the widget's English texts (content-named)."""
    strings_en = assets.widget_strings_en()
    if f"static/{name}" == widget_strings_en_path(strings_en):
        return _serve(request, strings_en, IMMUTABLE)
    handoff = assets.widget_handoff()
    if f"static/{name}" == widget_handoff_path(handoff):
        return _serve(request, handoff, IMMUTABLE)
    media_type = ASSETS.get(name)
    if media_type is None:
        raise HTTPException(status_code=404)
    return _serve(request, assets.get(name, media_type), REVALIDATE)


def _sha256(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def _with_csp(page: HTMLResponse, request: Request, style_src: str = "'self'", worker_src: str = "") -> HTMLResponse:
    """Allow this origin's scripts plus, by their hashes, exactly the inline scripts the page carries."""
    inline = INLINE_SCRIPT.findall(bytes(page.body).decode("utf-8"))
    hashes = "".join(f" 'sha256-{_sha256(script)}'" for script in inline)
    frame_ancestors = request.app.state.settings.frame_ancestors
    csp = content_security_policy(frame_ancestors, "'self'" + hashes, style_src)
    page.headers["Content-Security-Policy"] = csp + (f"; worker-src {worker_src}" if worker_src else "")
    return page


def _docs_url(request: Request, path: str) -> str:
    return request.scope.get("root_path", "").rstrip("/") + path


@router.get("/docs")
async def swagger_page(request: Request) -> HTMLResponse:
    """Interactive OpenAPI documentation (Swagger UI) with its files served by the app itself."""
    page = get_swagger_ui_html(
        openapi_url=_docs_url(request, request.app.openapi_url),
        title=f"{request.app.title} - Swagger UI",
        swagger_js_url=_docs_url(request, "/docs/assets/swagger-ui-bundle.js"),
        swagger_css_url=_docs_url(request, "/docs/assets/swagger-ui.css"),
        swagger_favicon_url=_docs_url(request, "/docs/assets/favicon.png"),
        oauth2_redirect_url=None,
        # no badge image fetched from the public validator service
        swagger_ui_parameters={"validatorUrl": None},
    )
    return _with_csp(page, request)


@router.get("/redoc")
async def redoc_page(request: Request) -> HTMLResponse:
    """Read-only OpenAPI documentation (Redoc) with its script served by the app itself."""
    page = get_redoc_html(
        openapi_url=_docs_url(request, request.app.openapi_url),
        title=f"{request.app.title} - ReDoc",
        redoc_js_url=_docs_url(request, "/docs/assets/redoc.standalone.js"),
        redoc_favicon_url=_docs_url(request, "/docs/assets/favicon.png"),
        with_google_fonts=False,
    )
    # Redoc's styled-components insert <style> elements at run time, and its search runs in a worker that
    # its own script creates from a blob: URL (with no worker the search box finds nothing)
    return _with_csp(page, request, style_src="'self' 'unsafe-inline'", worker_src="blob:")


@router.get("/docs/assets/{name}")
async def docs_asset(name: str) -> FileResponse:
    """Swagger UI's and Redoc's files, from the installed fastapi-offline package."""
    media_type = DOCS_ASSETS.get(name)
    if media_type is None:
        raise HTTPException(status_code=404)
    return FileResponse(DOCS_STATIC / name, media_type=media_type, headers={"Cache-Control": "no-cache"})
