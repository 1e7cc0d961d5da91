"""The pages the service serves: the demo host page, the help desk, and the widget's files."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

STATIC = Path(__file__).resolve().parent.parent / "static"
router = APIRouter(include_in_schema=False)


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
