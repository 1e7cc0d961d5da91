"""The HTTP routes: parse, call the assistant, shape the reply."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from app.answer.composer import Citation
from app.api.errors import BadQuestion, RateLimited
from app.api.schemas import (
    AreaOut,
    AreasResponse,
    ChatRequest,
    ChatResponse,
    CitationOut,
    EraseRequest,
    EraseResponse,
    ErrorResponse,
    FeedbackRequest,
    OfficeOut,
    SearchHitOut,
    SearchRequest,
    SearchResponse,
)
from app.knowledge.models import Area, Office
from app.ratelimit import client_address, rate_limit_key
from app.service import Assistant

router = APIRouter()
ERRORS: dict[int | str, dict[str, object]] = {
    413: {"model": ErrorResponse}, 422: {"model": ErrorResponse}, 429: {"model": ErrorResponse},
    503: {"model": ErrorResponse},
}


def get_assistant(request: Request) -> Assistant:
    """The assistant loaded in the app's lifespan."""
    assistant: Assistant = request.app.state.assistant
    return assistant


AssistantDep = Annotated[Assistant, Depends(get_assistant)]


def enforce_rate_limit(request: Request) -> None:
    """Count a question against its client's budget; 429 when it is spent."""
    settings = request.app.state.settings
    peer = request.client.host if request.client else None
    key = rate_limit_key(client_address(peer, request.headers.get("x-forwarded-for"), settings.trusted_proxies),
                         settings.ipv6_prefix)
    decision = request.app.state.rate_limiter.hit(key)
    if not decision.allowed:
        request.app.state.metrics.rate_limited.inc()
        raise RateLimited(decision.retry_after)


RateLimitDep = Depends(enforce_rate_limit)


def _citation(c: Citation) -> CitationOut:
    return CitationOut(n=c.n, id=c.id, kind=c.kind, title=c.title, snippet=c.snippet, url=c.url,
                       publisher=c.publisher, published=c.published, source_kind=c.source_kind,
                       status=c.status, superseded_by=c.superseded_by,
                       superseded_by_title=c.superseded_by_title, retrieved=c.retrieved)


INVALID_TEXT = "Nội dung chứa ký tự không hợp lệ. / The text contains invalid characters."


def clean_text(value: str, limit: int, empty: str, too_long: str, invalid: str = INVALID_TEXT) -> str:
    """Text from a request body, stripped; a BadQuestion (422) with the given message when it is empty, longer
    than `limit` or not text at all."""
    text = value.strip()
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates pass JSON parsing but are not text
        raise BadQuestion(invalid) from None
    if not text:
        raise BadQuestion(empty)
    if len(text) > limit:
        raise BadQuestion(too_long)
    return text


def _clean_question(question: str, limit: int) -> str:
    return clean_text(question, limit, "Câu hỏi không được để trống. / The question must not be empty.",
                      f"Câu hỏi quá dài (tối đa {limit} ký tự). / The question is too long (at most {limit} "
                      "characters).",
                      "Câu hỏi chứa ký tự không hợp lệ. / The question contains invalid characters.")


@router.post("/api/chat", response_model=ChatResponse, responses=ERRORS, tags=["chat"],
             dependencies=[RateLimitDep])
async def chat(body: ChatRequest, assistant: AssistantDep, request: Request) -> ChatResponse:
    """Answer a question with numbered citations, or say honestly that there is no answer."""
    question = _clean_question(body.question, assistant.settings.max_question_chars)
    result = await run_in_threadpool(assistant.chat, question, body.session_id, body.area)
    a = result.answer
    request.app.state.metrics.count_answer(a.answer_type, a.status)
    return ChatResponse(
        answer=a.answer, status=a.status, answer_type=a.answer_type, confidence=a.confidence,
        related_id=a.matched_id if a.status == "partial" else None,
        citations=[_citation(c) for c in a.citations], suggestions=a.suggestions,
        session_id=result.session_token, message_id=result.message_id, kb_version=result.kb_version,
        area=_area(result.area) if result.area else None, referrals=[_office(o) for o in result.offices],
    )


def _area(area: Area) -> AreaOut:
    return AreaOut(id=area.id, name=area.name, level=area.level, province=area.province, offices=len(area.offices))


def _office(office: Office) -> OfficeOut:
    return OfficeOut(kind=office.kind, name=office.name, address=office.address, hours=office.hours,
                     phone=office.phone, web=office.web, map=office.map, source_url=office.source.url,
                     source_publisher=office.source.publisher, retrieved=office.source.retrieved)


@router.get("/api/areas", response_model=AreasResponse, tags=["chat"])
async def areas(assistant: AssistantDep) -> AreasResponse:
    """The provinces and communes the `area` of a question (the widget's data-area) can name."""
    kb = assistant.knowledge
    listed = [kb.area(ident) for ident in [*kb.provinces, *(a for a in kb.areas if a not in kb.provinces)]]
    return AreasResponse(areas=[_area(a) for a in listed if a is not None],
                         provinces_source=kb.provinces_source.url if kb.provinces_source else None)


SEARCH_BY_POST = ("Hãy tìm kiếm bằng POST /api/search với nội dung JSON {\"query\": \"...\", \"k\": 5}: "
                  "câu hỏi không được đặt trong địa chỉ URL, nơi máy chủ trung gian ghi nhật ký. / Search with "
                  "POST /api/search and a JSON body {\"query\": \"...\", \"k\": 5}: the question must not be "
                  "in the URL, where proxies log it.")


@router.get("/api/search", include_in_schema=False)
async def search_by_get() -> JSONResponse:
    """405 pointing to POST: a query string puts the resident's words in every proxy's log."""
    return JSONResponse(status_code=405, content={"detail": SEARCH_BY_POST}, headers={"Allow": "POST"})


@router.post("/api/search", response_model=SearchResponse, responses=ERRORS, tags=["help desk"],
             dependencies=[RateLimitDep])
async def search(body: SearchRequest, assistant: AssistantDep) -> SearchResponse:
    """Ranked passages and FAQ entries with scores and sources, for community help desks, each marked
    relevant or not; `relevant` counts the relevant ones (0: say there is no relevant result).

    The search text goes in the JSON body (`GET /api/search?q=` answers 405), so it never appears in URLs.
    """
    query = _clean_question(body.query, assistant.settings.max_question_chars)
    found = await run_in_threadpool(assistant.search, query, body.k, body.area)
    composer = found.composer
    kb = composer.knowledge
    out: list[SearchHitOut] = []
    for rank, (hit, relevant) in enumerate(zip(found.hits, found.relevant, strict=True), start=1):
        if hit.unit.kind == "passage":
            art = kb.articles[hit.unit.ref]
            sources = [_citation(composer.article_citation(1, art.id, hit.unit.text))]
            out.append(SearchHitOut(rank=rank, id=f"{art.id}#{hit.unit.chunk}", kind="article", title=art.title,
                                    text=hit.unit.text, score=round(hit.score, 4), dense=round(hit.dense, 4),
                                    lexical=round(hit.coverage, 4), sources=sources, relevant=relevant))
        else:
            entry = kb.faqs[hit.unit.ref]
            sources = [_citation(composer.source_citation(i + 1, ref)) for i, ref in enumerate(entry.sources)]
            out.append(SearchHitOut(rank=rank, id=entry.id, kind="faq", title=entry.question,
                                    text=hit.unit.text, answer=entry.answer, score=round(hit.score, 4),
                                    dense=round(hit.dense, 4), lexical=round(hit.coverage, 4), sources=sources,
                                    relevant=relevant))
    return SearchResponse(query=query, hits=out, relevant=sum(found.relevant), kb_version=found.kb_version)


@router.post("/api/feedback", status_code=204, responses={404: {"model": ErrorResponse}, **ERRORS},
             tags=["chat"], dependencies=[RateLimitDep])
async def feedback(body: FeedbackRequest, assistant: AssistantDep) -> None:
    """Record a thumbs up or down on an answer; a later vote on the same answer replaces the earlier."""
    await run_in_threadpool(assistant.record_feedback, body.message_id, body.helpful)


@router.post("/api/session/erase", response_model=EraseResponse, tags=["chat"], dependencies=[RateLimitDep],
             responses={404: {"model": ErrorResponse}, **ERRORS})
async def erase_session(body: EraseRequest, assistant: AssistantDep) -> EraseResponse:
    """Erase everything stored about the resident's conversation (the token in the body, never in the URL):
    its questions, answers' records, votes and follow-up memory. 404 for a token this service did not issue,
    503 when the database cannot do it now (nothing is then claimed erased)."""
    return EraseResponse(deleted=await run_in_threadpool(assistant.forget_session, body.session_id))


@router.get("/metrics", tags=["operations"], include_in_schema=False)
async def metrics(request: Request) -> Response:
    """Prometheus metrics."""
    return Response(generate_latest(request.app.state.metrics.registry), media_type=CONTENT_TYPE_LATEST)


@router.get("/healthz", tags=["operations"])
async def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz", tags=["operations"], responses={503: {"model": ErrorResponse}})
async def readyz(assistant: AssistantDep) -> JSONResponse:
    """200 when an index is loaded, else 503 with what to run. `storage` says whether conversations are
    being recorded (`ok`) or not now (`degraded`: answers still go out, the database is being reopened)."""
    storage = assistant.storage.state if assistant.storage is not None else "off"
    if assistant.ready:
        return JSONResponse({"status": "ready", "kb_version": assistant.kb_version, "storage": storage})
    return JSONResponse(status_code=503, content={"detail": f"Chưa sẵn sàng / not ready: {assistant.load_error}"})
