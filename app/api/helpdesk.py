"""The help desk for a team at a desk: the session log of residents helped (no personal data), its report by
date range, and flags of wrong answers for the editors' queue. Every route but the topic list needs an admin
token: any role records and flags, any role reads the queue and reports, editors resolve flags."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from app.api.admin import AdminDep, EditorDep, Format, Limit, Offset, Since, StoreDep, Until, current_editor
from app.api.routes import ERRORS, AssistantDep
from app.api.schemas import ErrorResponse
from app.editorial.roles import Editor
from app.helpdesk import flags, log
from app.helpdesk.notes import NOTE_MAX_CHARS, QUESTION_MAX_CHARS, REASON_MAX_CHARS, clean_text
from app.helpdesk.topics import (
    OUTCOMES,
    UnknownEntry,
    UnknownTopic,
    check_entry,
    known_topics,
    resolve_topic,
    topic_label,
)
from app.knowledge.models import Knowledge
from app.service import Assistant
from app.storage import to_csv

router = APIRouter(prefix="/api/helpdesk", tags=["help desk"], responses=ERRORS)
MemberDep = Annotated[Editor, Depends(current_editor)]
RowId = Annotated[int, Path(ge=1, le=2**31 - 1)]
NOT_YOURS = "Không tìm thấy phiên hỗ trợ này của bạn. / No such help session of yours."


class ItemRequest(BaseModel):
    """One thing the resident was helped with: a topic or the entry used (its topic is then recorded)."""

    topic: str | None = Field(None, max_length=32, description="one of GET /api/helpdesk/topics")
    entry_id: str | None = Field(None, max_length=200, description="the id of the search hit used")
    outcome: Literal["resolved", "referred", "not_resolved"]
    note: str | None = Field(None, max_length=NOTE_MAX_CHARS,
                             description="short, no personal data: it is redacted before it is stored")


class FlagRequest(BaseModel):
    """An answer a team member found wrong: the question asked and the entry the answer cited."""

    question: str = Field(min_length=1, max_length=QUESTION_MAX_CHARS)
    entry_id: str = Field(min_length=1, max_length=200)
    reason: str | None = Field(None, max_length=REASON_MAX_CHARS)
    origin: flags.Origin = "helpdesk"


class ResolveRequest(BaseModel):
    """How an editor settled a flag."""

    resolution: flags.Resolution


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _json(row: Any) -> dict[str, Any]:
    out: dict[str, Any] = _plain(dataclasses.asdict(row))
    return out


def _csv(rows: list[Any], row_type: type, name: str) -> Response:
    # the byte-order mark lets spreadsheet programs read Vietnamese text as UTF-8
    return Response("\ufeff" + to_csv(rows, row_type), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})


@asynccontextmanager
async def _domain_errors() -> AsyncIterator[None]:
    """The help desk's domain errors as HTTP answers, in one place."""
    try:
        yield
    except (UnknownTopic, UnknownEntry) as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc
    except log.SessionNotFound as exc:
        raise HTTPException(status_code=404, detail=NOT_YOURS) from exc
    except log.SessionEnded as exc:
        raise HTTPException(status_code=409, detail="Phiên hỗ trợ này đã kết thúc; hãy bắt đầu phiên mới. / This "
                                                    "help session has ended; start a new one.") from exc
    except flags.FlagNotFound as exc:
        raise HTTPException(status_code=404, detail="Không có báo sai này. / No such flag.") from exc
    except flags.FlagAlreadyResolved as exc:
        raise HTTPException(status_code=409, detail="Báo sai này đã được xử lý. / This flag is already "
                                                    "resolved.") from exc


def _knowledge(assistant: Assistant) -> Knowledge | None:
    """The knowledge of the index being served (None before one is loaded: entry ids are then not checked)."""
    return assistant.composer.knowledge if assistant.composer is not None else None


@router.get("/topics")
async def topics() -> dict[str, Any]:
    """What a help session can record: the topics and the outcomes, with their Vietnamese names."""
    return {"topics": [{"id": t, "label": topic_label(t)} for t in known_topics()],
            "outcomes": [{"id": o, "label": label} for o, label in OUTCOMES.items()],
            "note_max_chars": NOTE_MAX_CHARS}


# Session log -----------------------------------------------------------------------------------------------

@router.post("/sessions", status_code=201)
async def start_session(store: StoreDep, member: MemberDep) -> dict[str, Any]:
    """Start a help session for the next resident at the desk (nothing about the resident is asked)."""
    return {"session": _json(await store(log.start_session, member.name))}


@router.get("/sessions/{session_id}", responses={404: {"model": ErrorResponse}})
async def get_session(session_id: RowId, store: StoreDep, member: MemberDep) -> dict[str, Any]:
    """One of your sessions with what was recorded in it."""
    async with _domain_errors():
        return {"session": _json(await store(log.get_session, session_id, member.name))}


@router.post("/sessions/{session_id}/items", status_code=201,
             responses={404: {"model": ErrorResponse}, 409: {"model": ErrorResponse}})
async def record_item(session_id: RowId, body: ItemRequest, assistant: AssistantDep, store: StoreDep,
                      member: MemberDep) -> dict[str, Any]:
    """Record one thing helped with in your open session; the note is redacted (`note_redacted` says whether
    anything was hidden) and cut to its limit."""
    note = clean_text(body.note or "", NOTE_MAX_CHARS)
    async with _domain_errors():
        topic, entry_id = resolve_topic(body.topic, body.entry_id, _knowledge(assistant))
        item = await store(log.record_item, session_id, member.name, topic, entry_id, body.outcome,
                           note.text if note else None)
    return {"item": _json(item), "note_redacted": bool(note and note.redacted)}


@router.post("/sessions/{session_id}/end", responses={404: {"model": ErrorResponse}})
async def end_session(session_id: RowId, store: StoreDep, member: MemberDep) -> dict[str, Any]:
    """End your session: the resident has been helped."""
    async with _domain_errors():
        return {"session": _json(await store(log.end_session, session_id, member.name))}


@router.get("/report", dependencies=[AdminDep])
async def report(store: StoreDep, since: Since = None, until: Until = None, format: Format = "json") -> Response:
    """Residents helped between two days (inclusive, UTC), with counts per outcome, topic and team member.
    CSV: one line per team member, topic and outcome, with residents and items."""
    result = await store(log.report, since, until)
    if format == "csv":
        return _csv(result.rows, log.CountRow, "helpdesk-report")
    return JSONResponse(_json(result))


@router.get("/items", dependencies=[AdminDep])
async def items(store: StoreDep, since: Since = None, until: Until = None, limit: Limit = 100,
                offset: Offset = 0, format: Format = "json") -> Response:
    """What was helped with, item by item, newest first (redacted notes; nothing about the residents)."""
    rows = await store(log.list_items, since, until, limit, offset)
    if format == "csv":
        return _csv(rows, log.ItemRow, "helpdesk-items")
    return JSONResponse({"items": [_json(r) for r in rows], "count": len(rows)})


# Flags of wrong answers ------------------------------------------------------------------------------------

@router.post("/flags", status_code=201)
async def raise_flag(body: FlagRequest, assistant: AssistantDep, store: StoreDep, member: MemberDep) -> dict[str, Any]:
    """Report an answer as wrong: the question (redacted), the entry it cited and an optional reason go to the
    editors' queue, and the audit log records who raised it."""
    question = clean_text(body.question, QUESTION_MAX_CHARS)
    if question is None:
        raise HTTPException(status_code=422, detail="Hãy ghi câu hỏi đã tra. / The question is required.")
    reason = clean_text(body.reason or "", REASON_MAX_CHARS)
    entry_id = body.entry_id.strip()
    async with _domain_errors():
        check_entry(_knowledge(assistant), entry_id)
    flag = await store(flags.raise_flag, member.name, member.role, body.origin, question.text, entry_id,
                       reason.text if reason else None)
    return {"flag": _json(flag)}


def _with_title(flag: flags.FlagRow, knowledge: Knowledge | None) -> dict[str, Any]:
    """The flag with the entry's current question (or article title), so editors see what was cited."""
    faq = knowledge.faqs.get(flag.entry_id) if knowledge else None
    article = knowledge.articles.get(flag.entry_id.split("#", 1)[0]) if knowledge else None
    # only a FAQ entry opens as an edit draft; an article passage is corrected in its file
    kind = "faq" if faq else "article" if article else None
    return {**_json(flag), "entry_title": faq.question if faq else article.title if article else None,
            "entry_kind": kind}


@router.get("/flags", dependencies=[AdminDep])
async def flag_queue(assistant: AssistantDep, store: StoreDep,
                     status: Annotated[Literal["open", "resolved", "all"], Query()] = "open") -> dict[str, Any]:
    """The editors' queue of answers flagged wrong, newest first."""
    rows = await store(flags.list_flags, None if status == "all" else status)
    knowledge = _knowledge(assistant)
    return {"items": [_with_title(r, knowledge) for r in rows], "count": len(rows)}


@router.post("/flags/{flag_id}/resolve", responses={404: {"model": ErrorResponse}, 409: {"model": ErrorResponse}})
async def resolve_flag(flag_id: RowId, body: ResolveRequest, store: StoreDep, editor: EditorDep) -> dict[str, Any]:
    """Editors: mark a flag resolved, the entry corrected (through a draft) or no change needed."""
    async with _domain_errors():
        flag = await store(flags.resolve_flag, flag_id, editor.name, editor.role, body.resolution)
    return {"flag": _json(flag)}

