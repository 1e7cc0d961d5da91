"""Token-protected administration: reindex, the live manifest, unanswered questions, feedback, sessions."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hmac
import threading
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, JSONResponse, Response

from app.admin import group_unanswered
from app.api.pages import STATIC
from app.api.routes import ERRORS, AssistantDep
from app.index.store import IndexUnusable, read_manifest
from app.storage import Store, to_csv

router = APIRouter(prefix="/admin", tags=["admin"], responses=ERRORS)


def require_admin(request: Request, authorization: Annotated[str | None, Header()] = None) -> None:
    """No ADMIN_TOKEN set: the admin routes do not exist (404). Otherwise a matching bearer token."""
    token = request.app.state.settings.admin_token
    if not token:
        raise HTTPException(status_code=404)
    scheme, _, given = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.encode(), token.encode()):
        raise HTTPException(status_code=401, detail="Cần mã quản trị hợp lệ. / A valid admin token is required.",
                            headers={"WWW-Authenticate": "Bearer"})


AdminDep = Depends(require_admin)


def _store(request: Request) -> Store:
    store: Store | None = request.app.state.assistant.store
    if store is None:
        raise HTTPException(status_code=503, detail="Chưa cấu hình cơ sở dữ liệu. / No database configured.")
    return store


StoreDep = Annotated[Store, Depends(_store)]
Since = Annotated[dt.date | None, Query(description="from this day (UTC), inclusive")]
Until = Annotated[dt.date | None, Query(description="to this day (UTC), inclusive")]
Limit = Annotated[int, Query(ge=1, le=1000)]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]
Format = Annotated[Literal["json", "csv"], Query()]


def _rows_response(rows: list[Any], fmt: str, name: str) -> Response:
    if fmt == "csv":
        # the byte-order mark lets spreadsheet programs read Vietnamese text as UTF-8
        return Response("\ufeff" + to_csv(rows), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
    return JSONResponse({"items": [_plain(dataclasses.asdict(r)) for r in rows], "count": len(rows)})


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, dt.datetime | dt.date) else v for k, v in row.items()}


@router.get("", include_in_schema=False)
async def admin_page(request: Request) -> FileResponse:
    """The editors' page (it holds no data: its script asks for the token and calls the API)."""
    if not request.app.state.settings.admin_token:
        raise HTTPException(status_code=404)
    return FileResponse(STATIC / "admin.html", media_type="text/html; charset=utf-8")


@router.post("/reindex", status_code=202, dependencies=[AdminDep])
async def reindex(assistant: AssistantDep) -> JSONResponse:
    """Rebuild the index from knowledge/ in the background and swap it in; 409 while one is running."""
    if assistant.reindex_status.get("state") == "running":
        return JSONResponse({"state": "running"}, status_code=409)
    assistant.reindex_status = {"state": "running"}
    threading.Thread(target=assistant.reindex, name="reindex", daemon=True).start()
    return JSONResponse({"state": "running"}, status_code=202)


@router.get("/index", dependencies=[AdminDep])
async def index_status(assistant: AssistantDep) -> dict[str, Any]:
    """The live manifest on disk, the version this replica serves, and the last reindex."""
    try:
        manifest: dict[str, Any] | None = read_manifest(assistant.settings.index_dir)
    except IndexUnusable as exc:
        manifest = {"error": str(exc)}
    loaded = assistant.composer.retriever.index.version if assistant.composer else None
    return {"manifest": manifest, "loaded_version": loaded, "reindex": assistant.reindex_status}


@router.get("/unanswered", dependencies=[AdminDep])
async def unanswered(store: StoreDep, since: Since = None, until: Until = None, limit: Limit = 100,
                     offset: Offset = 0, format: Format = "json") -> Response:
    """Questions the service could not answer, newest first (JSON or CSV)."""
    rows = await run_in_threadpool(store.list_unanswered, since, until, limit, offset)
    return _rows_response(rows, format, "unanswered")


@router.get("/unanswered/groups", dependencies=[AdminDep])
async def unanswered_groups(assistant: AssistantDep, store: StoreDep, since: Since = None, until: Until = None,
                            limit: Annotated[int, Query(ge=1, le=200)] = 50) -> dict[str, Any]:
    """The most frequent unanswered questions, grouped by similarity, so editors know what to write next."""
    rows = await run_in_threadpool(store.list_unanswered, since, until, 1000, 0)
    groups = await run_in_threadpool(group_unanswered, rows, assistant.embedder, limit)
    return {"groups": [dataclasses.asdict(g) for g in groups], "questions": len(rows)}


@router.get("/feedback", dependencies=[AdminDep])
async def feedback(store: StoreDep, since: Since = None, until: Until = None, limit: Limit = 100,
                   offset: Offset = 0, format: Format = "json") -> Response:
    """Residents' thumbs up/down with the question they rated (JSON or CSV)."""
    rows = await run_in_threadpool(store.list_feedback, since, until, limit, offset)
    return _rows_response(rows, format, "feedback")


@router.delete("/sessions/{session_id}", dependencies=[AdminDep])
async def delete_session(session_id: str, assistant: AssistantDep) -> dict[str, int]:
    """Delete every record of a session, on the resident's request."""
    deleted = await run_in_threadpool(assistant.forget_session, session_id)
    return {"deleted": deleted}
