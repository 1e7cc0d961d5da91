"""The pages the service serves: the demo host page, the help desk, and the widget's files."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse

STATIC = Path(__file__).resolve().parent.parent / "static"
router = APIRouter(include_in_schema=False)
# an explicit list, so /static/ serves only the pages' own assets and never anything else on disk
ASSETS = {
    "site.css": "text/css; charset=utf-8",
    "helpdesk.css": "text/css; charset=utf-8",
    "helpdesk.js": "text/javascript; charset=utf-8",
    "admin.js": "text/javascript; charset=utf-8",
}


def _file(name: str, media_type: str) -> FileResponse:
    return FileResponse(STATIC / name, media_type=media_type, headers={"Cache-Control": "no-cache"})


@router.get("/")
async def demo_page() -> FileResponse:
    """A host page that embeds the widget the way a ward's site would."""
    return _file("index.html", "text/html; charset=utf-8")


@router.get("/helpdesk")
async def helpdesk_page() -> FileResponse:
    """Search page for community digital-technology teams."""
    return _file("helpdesk.html", "text/html; charset=utf-8")


@router.get("/widget.js")
async def widget_script() -> FileResponse:
    """The embeddable widget."""
    return _file("widget.js", "text/javascript; charset=utf-8")


@router.get("/widget.css")
async def widget_styles() -> FileResponse:
    """The widget's styles, loaded into its shadow root."""
    return _file("widget.css", "text/css; charset=utf-8")


@router.get("/static/{name}")
async def static_asset(name: str) -> FileResponse:
    """Scripts and styles of the demo and help-desk pages."""
    media_type = ASSETS.get(name)
    if media_type is None:
        raise HTTPException(status_code=404)
    return _file(name, media_type)
