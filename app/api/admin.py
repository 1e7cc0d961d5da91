"""Token-protected administration: reindex, the live manifest, unanswered questions, feedback, sessions."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Depends, Header, HTTPException, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, JSONResponse, Response
from pydantic import BaseModel, Field

from app.admin import group_unanswered
from app.api.pages import STATIC
from app.api.routes import ERRORS, AssistantDep
from app.api.schemas import ErrorResponse
from app.editorial import records
from app.editorial.desk import Desk, PublishFailed, clean_questions
from app.editorial.files import Change, DraftInvalid
from app.editorial.records import DraftRow
from app.editorial.roles import NEEDS, Editor, Role, admin_enabled, identify
from app.index.store import IndexUnusable, read_manifest
from app.storage import Store, to_csv
from app.storage.link import StorageDown, StorageLink

T = TypeVar("T")
router = APIRouter(prefix="/admin", tags=["admin"], responses=ERRORS)


def current_editor(request: Request, authorization: Annotated[str | None, Header()] = None) -> Editor:
    """No admin token configured: the admin routes do not exist (404). Otherwise the holder of a matching
    bearer token (ADMIN_TOKEN is the publisher "admin"; ADMIN_TOKENS names the others)."""
    settings = request.app.state.settings
    if not admin_enabled(settings):
        raise HTTPException(status_code=404)
    scheme, _, given = (authorization or "").partition(" ")
    editor = identify(settings, given) if scheme.lower() == "bearer" and given else None
    if editor is None:
        raise HTTPException(status_code=401, detail="Cần mã quản trị hợp lệ. / A valid admin token is required.",
                            headers={"WWW-Authenticate": "Bearer"})
    return editor


def require_admin(editor: Annotated[Editor, Depends(current_editor)]) -> None:
    """Any admin token: viewers, editors and publishers all read."""


def _role(role: Role) -> Callable[[Editor], Editor]:
    def need(editor: Annotated[Editor, Depends(current_editor)]) -> Editor:
        if not editor.may(role):
            raise HTTPException(status_code=403, detail=NEEDS[role])
        return editor
    return need


AdminDep = Depends(require_admin)
EditorDep = Annotated[Editor, Depends(_role("editor"))]
PublisherDep = Annotated[Editor, Depends(_role("publisher"))]


class StoreReader:
    """Reads for the editors' pages, each waiting at most the storage timeout on the database."""

    def __init__(self, link: StorageLink):
        self._link = link

    async def __call__(self, method: Callable[..., T], *args: Any) -> T:
        """`await read(Store.list_feedback, since, until, ...)`: 503 while the database is down or hung."""
        try:
            return await run_in_threadpool(self._link.call, lambda store: method(store, *args))
        except StorageDown as exc:
            raise HTTPException(
                status_code=503, headers={"Retry-After": "30"},
                detail="Cơ sở dữ liệu đang tạm gián đoạn, xin thử lại sau ít phút. / The database is temporarily "
                       f"unavailable ({exc}); try again shortly.") from exc


def _store(request: Request) -> StoreReader:
    link: StorageLink | None = request.app.state.assistant.storage
    if link is None:
        raise HTTPException(status_code=503, detail="Chưa cấu hình cơ sở dữ liệu. / No database configured.")
    return StoreReader(link)


StoreDep = Annotated[StoreReader, Depends(_store)]
Since = Annotated[dt.date | None, Query(description="from this day (UTC), inclusive")]
Until = Annotated[dt.date | None, Query(description="to this day (UTC), inclusive")]
Limit = Annotated[int, Query(ge=1, le=1000)]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]
Format = Annotated[Literal["json", "csv"], Query()]
# a row id: what the databases can store (a larger number is a 422, not a driver overflow)
DraftId = Annotated[int, Path(ge=1, le=2**31 - 1)]


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
    if not admin_enabled(request.app.state.settings):
        raise HTTPException(status_code=404)
    return FileResponse(STATIC / "admin.html", media_type="text/html; charset=utf-8")


@router.post("/reindex", status_code=202)
async def reindex(assistant: AssistantDep, _: PublisherDep) -> JSONResponse:
    """Rebuild the index from knowledge/ in the background and swap it in; 409 while one is running."""
    if assistant.reindex_status.get("state") == "running":
        return JSONResponse({"state": "running"}, status_code=409)
    assistant.reindex_status = {"state": "running"}
    threading.Thread(target=assistant.reindex, name="reindex", daemon=True).start()
    return JSONResponse({"state": "running"}, status_code=202)


@router.get("/index", dependencies=[AdminDep])
async def index_status(assistant: AssistantDep) -> dict[str, Any]:
    """The live manifest on disk (or why it is unusable), the version and generation this replica serves,
    why it did not load the live one (`load_error`), and the last reindex."""
    try:
        manifest: dict[str, Any] | None = read_manifest(assistant.settings.index_dir)
    except IndexUnusable as exc:
        manifest = {"error": str(exc)}
    loaded = assistant.composer.retriever.index if assistant.composer else None
    return {"manifest": manifest, "loaded_version": loaded.version if loaded else None,
            "loaded_generation": loaded.generation if loaded else None, "load_error": assistant.load_error,
            "reindex": assistant.reindex_status}


@router.get("/unanswered", dependencies=[AdminDep])
async def unanswered(store: StoreDep, since: Since = None, until: Until = None, limit: Limit = 100,
                     offset: Offset = 0, format: Format = "json") -> Response:
    """Questions the service could not answer, newest first (JSON or CSV)."""
    rows = await store(Store.list_unanswered, since, until, limit, offset)
    return _rows_response(rows, format, "unanswered")


@router.get("/unanswered/groups", dependencies=[AdminDep])
async def unanswered_groups(assistant: AssistantDep, store: StoreDep, since: Since = None, until: Until = None,
                            limit: Annotated[int, Query(ge=1, le=200)] = 50) -> dict[str, Any]:
    """The most frequent unanswered questions, grouped by similarity, so editors know what to write next."""
    rows = await store(Store.list_unanswered, since, until, 1000, 0)
    stored = await store(Store.unanswered_vectors, [r.id for r in rows])
    groups = await run_in_threadpool(group_unanswered, rows, assistant.embedder, limit, stored)
    return {"groups": [dataclasses.asdict(g) for g in groups], "questions": len(rows)}


@router.get("/feedback", dependencies=[AdminDep])
async def feedback(store: StoreDep, since: Since = None, until: Until = None, limit: Limit = 100,
                   offset: Offset = 0, format: Format = "json") -> Response:
    """Residents' thumbs up/down with the question they rated (JSON or CSV)."""
    rows = await store(Store.list_feedback, since, until, limit, offset)
    return _rows_response(rows, format, "feedback")


SessionToken = Annotated[str, Path(description="the signed session token (`session_id` of a chat reply) the "
                                               "resident's widget holds; the stored id alone is not enough")]


@router.delete("/sessions/{session_id}", responses={404: {"model": ErrorResponse}})
async def delete_session(session_id: SessionToken, assistant: AssistantDep, _: EditorDep) -> dict[str, int]:
    """Delete every record of a session, on the resident's request.

    Only the signed token proves the resident holds the session: an id without a valid signature erases
    nothing and gets 404; a valid token of a session with nothing stored gets `{"deleted": 0}`.
    """
    deleted = await run_in_threadpool(assistant.forget_session, session_id)
    return {"deleted": deleted}


# Editors' loop: draft an entry from a group of questions, preview, review and publish ------------------

Questions = Annotated[list[Annotated[str, Field(max_length=1000)]], Field(max_length=50)]


class PrefillRequest(BaseModel):
    """The group's questions, as listed by /admin/unanswered/groups."""

    questions: Questions


class DraftRequest(BaseModel):
    """A new entry (add), a new version of an entry (edit), or an entry to remove (retire)."""

    action: Literal["add", "edit", "retire"]
    entry_id: str = Field("", max_length=200, description="the entry edited or retired (an addition names its id "
                                                          "in `entry`)")
    entry: dict[str, Any] | None = Field(None, description="the entry's fields as in knowledge/faq/*.yaml")
    questions: Questions = []


def _desk(request: Request) -> Desk:
    state = request.app.state
    if getattr(state, "desk", None) is None:
        state.desk = Desk(state.assistant)  # one desk per app: publications go one at a time
    desk: Desk = state.desk
    return desk


DeskDep = Annotated[Desk, Depends(_desk)]


def _invalid(exc: DraftInvalid) -> HTTPException:
    return HTTPException(status_code=422, detail="Bản nháp chưa đạt kiểm tra kho kiến thức (check-kb): "
                                                 f"{'; '.join(exc.problems)} / The draft fails the knowledge checks.")


def change_of(desk: Desk, body: DraftRequest | DraftRow) -> Change:
    """The change a request or a saved draft describes; an invalid one is a 422 with the reason."""
    try:
        return desk.change(body.action, body.entry_id, body.entry)
    except DraftInvalid as exc:
        raise _invalid(exc) from exc


def draft_json(row: DraftRow) -> dict[str, Any]:
    """A saved draft as JSON."""
    return _plain(dataclasses.asdict(row))


@router.get("/me")
async def me(editor: Annotated[Editor, Depends(current_editor)]) -> dict[str, str]:
    """Who the token belongs to and the role it has."""
    return {"name": editor.name, "role": editor.role}


@router.get("/sources", dependencies=[AdminDep])
async def sources(desk: DeskDep) -> dict[str, Any]:
    """What an entry may cite: the knowledge's sources, and articles."""
    return {"items": await run_in_threadpool(desk.sources)}


@router.get("/review", dependencies=[AdminDep])
async def to_review(desk: DeskDep) -> dict[str, Any]:
    """Entries past their review_by date, oldest first (as `check-kb --due`)."""
    items = await run_in_threadpool(desk.due)
    return {"items": items, "count": len(items)}


@router.get("/entries/{entry_id}", dependencies=[AdminDep], responses={404: {"model": ErrorResponse}})
async def entry(entry_id: str, desk: DeskDep) -> dict[str, Any]:
    """One FAQ entry's fields, for editing."""
    found = (await run_in_threadpool(desk.knowledge)).faqs.get(entry_id)
    if found is None:
        raise HTTPException(status_code=404, detail=f"Không có mục hỏi đáp '{entry_id}'. / No FAQ entry '{entry_id}'.")
    return {"entry": found.model_dump(mode="json", exclude={"path", "line"}, exclude_defaults=True),
            "path": found.path}


@router.post("/drafts/prefill")
async def prefill(body: PrefillRequest, desk: DeskDep, _: EditorDep) -> dict[str, Any]:
    """A new entry pre-filled from a group of questions: the first is the question, the rest phrasings."""
    return {"entry": desk.prefill(body.questions)}


@router.post("/preview")
async def preview(body: DraftRequest, desk: DeskDep, _: EditorDep) -> dict[str, Any]:
    """How each question is answered now and with the draft in place (a temporary index; nothing is saved)."""
    change = change_of(desk, body)
    result = await run_in_threadpool(desk.preview, change, body.questions)
    return {**result, "before": [dataclasses.asdict(o) for o in result["before"]],
            "after": [dataclasses.asdict(o) for o in result["after"]]}


@router.post("/drafts", status_code=201)
async def save_draft(body: DraftRequest, desk: DeskDep, store: StoreDep, editor: EditorDep) -> dict[str, Any]:
    """Save the draft as pending review (the audit log records it)."""
    change = change_of(desk, body)
    entry = (change.entry.model_dump(mode="json", exclude={"path", "line"}, exclude_defaults=True)
             if change.entry else None)
    row = await store(records.save_draft, change.action, change.entry_id, entry, clean_questions(body.questions),
                      editor.name, editor.role)
    return {"draft": draft_json(row)}


@router.get("/drafts", dependencies=[AdminDep])
async def drafts(store: StoreDep, status: Literal["pending", "published", "all"] = "pending") -> dict[str, Any]:
    """Drafts, newest first."""
    rows = await store(records.list_drafts, None if status == "all" else status)
    return {"items": [draft_json(r) for r in rows], "count": len(rows)}


async def pending_draft(store: StoreReader, draft_id: int) -> DraftRow:
    """A saved draft, or 404."""
    row = await store(records.get_draft, draft_id)
    if row is None:
        raise HTTPException(status_code=404, detail=f"Không có bản nháp {draft_id}. / No draft {draft_id}.")
    return row


@router.get("/drafts/{draft_id}", dependencies=[AdminDep], responses={404: {"model": ErrorResponse}})
async def draft(draft_id: DraftId, desk: DeskDep, store: StoreDep) -> dict[str, Any]:
    """A draft with its entry's YAML before and after, for review."""
    row = await pending_draft(store, draft_id)
    change = change_of(desk, row)
    return {"draft": draft_json(row), **await run_in_threadpool(desk.diff, change)}


@router.post("/drafts/{draft_id}/publish", responses={404: {"model": ErrorResponse}, 409: {"model": ErrorResponse}})
async def publish(draft_id: DraftId, desk: DeskDep, store: StoreDep, editor: PublisherDep) -> dict[str, Any]:
    """Check the draft as check-kb does (422 with its messages), write it into knowledge/, reindex, and answer
    the draft's questions again with the new index."""
    row = await pending_draft(store, draft_id)
    if row.status != "pending":
        raise HTTPException(status_code=409, detail=f"Bản nháp {draft_id} đã được đăng. / Draft {draft_id} is "
                                                    "already published.")
    change = change_of(desk, row)
    try:
        result = await run_in_threadpool(desk.publish, change, row.questions)
    except DraftInvalid as exc:
        raise _invalid(exc) from exc
    except PublishFailed as exc:
        raise HTTPException(status_code=409, detail="Chưa đăng được: chỉ mục mới không dựng được, kho kiến thức "
                                                    f"đã được trả lại như cũ. / Not published: {exc}") from exc
    await store(records.mark_published, draft_id, editor.name, editor.role,
                "retire" if change.action == "retire" else "publish", change.entry_id, result["index_version"])
    return {**result, "after": [dataclasses.asdict(o) for o in result["after"]]}


@router.get("/audit", dependencies=[AdminDep])
async def audit(store: StoreDep, limit: Limit = 200) -> dict[str, Any]:
    """Every draft, publication and retirement: who, with which role, when, and the index version after."""
    rows = await store(records.list_audit, limit)
    return {"items": [_plain(dataclasses.asdict(r)) for r in rows], "count": len(rows)}
