"""Hand-off to the local team: a resident sends an unanswered question, the team answers it in the help desk.

Residents' routes take the ticket's code and secret in the JSON body, never in the URL, where proxies log it.
The team's routes need an admin token of an editor or a publisher: they show residents' contact details.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import threading
from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from app.api.admin import DeskDep, EditorDep, StoreDep
from app.api.errors import BadQuestion, RateLimited
from app.api.routes import ERRORS, AssistantDep, RateLimitDep, clean_text
from app.api.schemas import ErrorResponse
from app.editorial import records
from app.handoff import tickets
from app.handoff.tickets import NewTicket, ResidentView, TeamView, TicketClosed
from app.ratelimit import MemoryRateLimiter, RateLimiter, RedisRateLimiter, client_address, parse_rate, rate_limit_key
from app.service import Assistant
from app.storage.link import StorageDown

T = TypeVar("T")

router = APIRouter(responses=ERRORS)
MAX_QUESTION = 1000
MAX_CONTACT = 200
MAX_REPLY = 4000
NOT_FOUND = "Không tìm thấy yêu cầu với mã và khóa này. / No request with this code and key."
STORAGE_DOWN = ("Hệ thống lưu trữ đang tạm gián đoạn, chưa gửi hay đọc được yêu cầu. Xin thử lại sau ít phút. / "
                "Storage is temporarily unavailable; please try again in a few minutes.")
_limiter_lock = threading.Lock()


class HandoffRequest(BaseModel):
    """A question for the local team, and how to reach the resident if they want to be reached."""

    question: str = Field(max_length=MAX_QUESTION * 2, description="stored with personal data replaced")
    contact: str = Field("", max_length=MAX_CONTACT * 2,
                         description="optional phone or e-mail, used only to reply; kept apart from the question "
                                     "and deleted after HANDOFF_CONTACT_DAYS days or when the ticket is closed")
    session_id: str | None = Field(None, max_length=512, description="the chat's session token, if any")
    area: str | None = Field(None, max_length=100, pattern=r"^[a-z0-9-]*$")
    lang: Literal["vi", "en"] = "vi"


class TicketKey(BaseModel):
    """What the resident's browser keeps: the ticket's code and its secret."""

    code: str = Field(min_length=1, max_length=32)
    secret: str = Field(min_length=1, max_length=128)


class HandoffCreated(BaseModel):
    """The new ticket: quote the code to the team; keep the secret to read the reply."""

    code: str
    secret: str
    status: str
    created_at: dt.datetime


class HandoffStatus(BaseModel):
    """A ticket as its resident sees it."""

    code: str
    status: Literal["open", "answered", "closed"]
    question: str
    reply: str | None
    created_at: dt.datetime
    answered_at: dt.datetime | None


class ReplyRequest(BaseModel):
    """The team's answer to a ticket."""

    reply: str = Field(max_length=MAX_REPLY * 2)


TicketId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _handoff_limiter(request: Request) -> RateLimiter:
    state = request.app.state
    with _limiter_lock:
        if getattr(state, "handoff_limiter", None) is None:
            settings = state.settings
            limit, window = parse_rate(settings.handoff_rate_limit)
            memory = MemoryRateLimiter(limit, window)
            state.handoff_limiter = (RedisRateLimiter(settings.redis_url, limit, window, fallback=memory,
                                                      prefix="ratelimit-handoff:")
                                     if settings.redis_url else memory)
    limiter: RateLimiter = state.handoff_limiter
    return limiter


def enforce_handoff_limit(request: Request) -> None:
    """Count a new ticket against its client's hand-off budget (HANDOFF_RATE_LIMIT); 429 when it is spent."""
    settings = request.app.state.settings
    peer = request.client.host if request.client else None
    key = rate_limit_key(client_address(peer, request.headers.get("x-forwarded-for"), settings.trusted_proxies),
                         settings.ipv6_prefix)
    decision = _handoff_limiter(request).hit(key)
    if not decision.allowed:
        request.app.state.metrics.rate_limited.inc()
        raise RateLimited(decision.retry_after)


def _contact(value: str) -> str | None:
    text = " ".join(value.split())
    if not text:
        return None
    if len(text) > MAX_CONTACT or not text.isprintable():
        raise BadQuestion(f"Thông tin liên hệ không hợp lệ (tối đa {MAX_CONTACT} ký tự). / The contact details are "
                          f"not valid (at most {MAX_CONTACT} characters).")
    return text


async def _call(assistant: Assistant, work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    link = assistant.storage
    if link is None:
        raise HTTPException(status_code=503, detail="Chưa cấu hình cơ sở dữ liệu. / No database configured.")
    try:
        return await run_in_threadpool(link.call, lambda store: work(store, *args, **kwargs))
    except StorageDown as exc:
        raise HTTPException(status_code=503, detail=STORAGE_DOWN, headers={"Retry-After": "30"}) from exc


def _status(view: ResidentView) -> HandoffStatus:
    return HandoffStatus(**dataclasses.asdict(view))


@router.get("/api/handoff", tags=["hand-off"])
async def handoff_terms(assistant: AssistantDep) -> dict[str, int]:
    """What the widget tells a resident before they leave a contact: how many days it is kept at most."""
    return {"contact_days": assistant.settings.handoff_contact_days}


@router.post("/api/handoff", status_code=201, response_model=HandoffCreated, tags=["hand-off"],
             dependencies=[RateLimitDep, Depends(enforce_handoff_limit)])
async def open_ticket(body: HandoffRequest, assistant: AssistantDep, request: Request) -> HandoffCreated:
    """Send a question the assistant could not answer to the local team. The question is stored with personal
    data replaced; the contact, if given, is stored apart and deleted after HANDOFF_CONTACT_DAYS days or when
    the ticket is closed. Keep the secret: the code alone does not read the reply."""
    question = clean_text(body.question, MAX_QUESTION,
                          "Câu hỏi không được để trống. / The question must not be empty.",
                          f"Câu hỏi quá dài (tối đa {MAX_QUESTION} ký tự). / The question is too long "
                          f"(at most {MAX_QUESTION} characters).")
    contact = _contact(body.contact)
    session_id = assistant.session_tokens.verify(body.session_id) if body.session_id else None
    created: NewTicket = await _call(assistant, tickets.open_ticket, question, contact=contact,
                                     session_id=session_id, area=body.area or None, language=body.lang,
                                     contact_days=assistant.settings.handoff_contact_days)
    request.app.state.metrics.handoff.labels("opened").inc()
    return HandoffCreated(**dataclasses.asdict(created))


@router.post("/api/handoff/status", response_model=HandoffStatus, tags=["hand-off"], dependencies=[RateLimitDep],
             responses={404: {"model": ErrorResponse}})
async def ticket_status(body: TicketKey, assistant: AssistantDep) -> HandoffStatus:
    """The ticket's status and the team's reply; 404 when the code is unknown or the secret does not match."""
    view: ResidentView | None = await _call(assistant, tickets.read_ticket, body.code, body.secret)
    if view is None:
        raise HTTPException(status_code=404, detail=NOT_FOUND)
    return _status(view)


@router.post("/api/handoff/close", response_model=HandoffStatus, tags=["hand-off"], dependencies=[RateLimitDep],
             responses={404: {"model": ErrorResponse}})
async def close_ticket(body: TicketKey, assistant: AssistantDep, request: Request) -> HandoffStatus:
    """The resident is done with the ticket: it is closed and the contact deleted."""
    found = await _call(assistant, tickets.close_by_resident, body.code, body.secret)
    if found is None:
        raise HTTPException(status_code=404, detail=NOT_FOUND)
    view, closed = found
    if closed:
        request.app.state.metrics.handoff.labels("closed").inc()
    return _status(view)


# The team's side, in the help desk ----------------------------------------------------------------------

def _team(view: TeamView) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, dt.datetime) else v for k, v in dataclasses.asdict(view).items()}


def _missing(ticket_id: int) -> HTTPException:
    return HTTPException(status_code=404, detail=f"Không có yêu cầu {ticket_id}. / No ticket {ticket_id}.")


@router.get("/admin/handoff", tags=["admin"])
async def team_tickets(store: StoreDep, _: EditorDep,
                       status: Literal["open", "answered", "closed", "all"] = "open",
                       area: Annotated[str | None, Query(max_length=100, pattern=r"^[a-z0-9-]+$")] = None,
                       ) -> dict[str, Any]:
    """Residents' questions sent to the team, the longest waiting first, with their contacts while kept; with
    `area`, only those sent from that area's widget (a commune's team sees its own)."""
    rows = await store(functools.partial(tickets.list_tickets, area=area), None if status == "all" else status)
    return {"items": [_team(r) for r in rows], "count": len(rows)}


@router.post("/admin/handoff/{ticket_id}/answer", tags=["admin"], responses={404: {"model": ErrorResponse},
                                                                           409: {"model": ErrorResponse}})
async def answer_ticket(ticket_id: TicketId, body: ReplyRequest, store: StoreDep, editor: EditorDep,
                        request: Request) -> dict[str, Any]:
    """Answer a ticket: the resident sees the reply in the widget when they come back (a new reply replaces it)."""
    reply = clean_text(body.reply, MAX_REPLY, "Câu trả lời không được để trống. / The reply must not be empty.",
                       f"Câu trả lời quá dài (tối đa {MAX_REPLY} ký tự). / The reply is too long "
                       f"(at most {MAX_REPLY} characters).")
    try:
        row = await store(tickets.answer_ticket, ticket_id, reply, editor.name)
    except TicketClosed as exc:
        raise HTTPException(status_code=409, detail=f"Yêu cầu {ticket_id} đã đóng. / Ticket {ticket_id} is "
                                                    "closed.") from exc
    if row is None:
        raise _missing(ticket_id)
    request.app.state.metrics.handoff.labels("answered").inc()
    return {"ticket": _team(row)}


@router.post("/admin/handoff/{ticket_id}/close", tags=["admin"], responses={404: {"model": ErrorResponse}})
async def team_close(ticket_id: TicketId, store: StoreDep, _: EditorDep, request: Request) -> dict[str, Any]:
    """Close a ticket (settled, or not a question); its contact is deleted."""
    found = await store(tickets.close_ticket, ticket_id)
    if found is None:
        raise _missing(ticket_id)
    row, closed = found
    if closed:
        request.app.state.metrics.handoff.labels("closed").inc()
    return {"ticket": _team(row)}


@router.post("/admin/handoff/{ticket_id}/draft", status_code=201, tags=["admin"],
             responses={404: {"model": ErrorResponse}, 409: {"model": ErrorResponse}})
async def draft_from_ticket(ticket_id: TicketId, store: StoreDep, desk: DeskDep, editor: EditorDep) -> dict[str, Any]:
    """Turn the ticket's question and the team's answer into a pending draft entry for the editors, who add its
    phrasings, sources and topics before it can be published."""
    row = await store(tickets.get_ticket, ticket_id)
    if row is None:
        raise _missing(ticket_id)
    if not row.reply:
        raise HTTPException(status_code=409, detail="Hãy trả lời yêu cầu trước khi tạo bản nháp. / Answer the "
                                                    "ticket before making a draft of it.")
    entry = {**desk.prefill([row.question]), "answer": row.reply}
    draft = await store(records.save_draft, "add", entry["id"], entry, [row.question], editor.name, editor.role)
    await store(tickets.link_draft, ticket_id, draft.id)
    return {"draft": {"id": draft.id, "entry_id": draft.entry_id, "status": draft.status}}
