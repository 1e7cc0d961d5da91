"""Admin upload of a document (a provincial guide, a decree) as a pending draft, and previewing any draft.

The file comes as JSON with its bytes in base64 (the service has no multipart parser), is read as
`python -m app ingest` reads a file, and is saved as a draft of action "ingest": reviewed, previewed and
published like any other edit (GET /admin/drafts/{id}, POST /admin/drafts/{id}/publish).
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from app.api.admin import (
    DeskDep,
    DraftId,
    EditorDep,
    Questions,
    StoreDep,
    change_of,
    draft_json,
    pending_draft,
)
from app.api.routes import ERRORS
from app.api.schemas import ErrorResponse
from app.editorial import records
from app.editorial.desk import clean_questions
from app.editorial.documents import describe, document_of, read_upload
from app.ingest.document import ExtractorMissing, IngestError, UnsupportedFormat
from app.ingest.pipeline import IngestOptions
from app.knowledge.models import SOURCE_KINDS, LegalStatus
from app.settings import Settings

router = APIRouter(prefix="/admin", tags=["admin"], responses=ERRORS)
UPLOAD_PATH = "/admin/documents"  # where the body limit is the upload's own
# the JSON around the base64 text: options, questions, the key names
UPLOAD_OVERHEAD_BYTES = 64 * 1024
# Vietnamese for the ingest's own (English) reasons a file is refused
REASONS = {
    "no text layer": "tệp PDF không có lớp chữ (bản quét?): hãy nhận dạng chữ (OCR) trước hoặc gửi bản văn bản",
    "not a readable": "tệp hỏng hoặc không đúng định dạng",
    "has no text": "tài liệu không có nội dung chữ",
    "exists and was not ingested": "đã có bài viết cùng mã không được nạp từ tệp này: hãy đặt mã khác (article_id)",
    "not UTF-8": "tệp văn bản không ở mã UTF-8",
    "needs an extension": "tên tệp cần có phần mở rộng (.pdf, .docx, .html, .md, .txt)",
}


def base64_length(size: int) -> int:
    """The longest base64 text of `size` bytes: 4 characters per 3 bytes, and a line break every 76 (two
    characters: CR LF, or LF escaped in JSON)."""
    return -(-size // 3) * 4 * 78 // 76 + 4


def upload_body_limit(settings: Settings) -> int:
    """The request body an upload of the largest allowed file makes: its base64, plus the JSON around it."""
    return base64_length(settings.admin_upload_max_bytes) + UPLOAD_OVERHEAD_BYTES


class DocumentUpload(BaseModel):
    """A file to ingest, and what the file does not state (as the options of `python -m app ingest`)."""

    file_name: str = Field(min_length=1, max_length=255, description="the file's own name, e.g. nd-69-2024.pdf")
    content_base64: str = Field(min_length=1, description="the file's bytes, base64")
    publisher: str | None = Field(None, max_length=300)
    published: dt.date | None = None
    url: str | None = Field(None, max_length=2000)
    kind: SOURCE_KINDS | None = None
    status: LegalStatus | None = None
    source: str | None = Field(None, max_length=200, description="the sources entry whose status is cited")
    topics: list[Annotated[str, Field(max_length=100)]] = Field([], max_length=20)
    article_id: str | None = Field(None, max_length=200, pattern=r"^[a-z0-9][a-z0-9-]*$")
    questions: Questions = Field([], description="questions to preview with; empty: suggested from the document")

    def options(self) -> IngestOptions:
        """The ingest options, as the command line gives them."""
        return IngestOptions(publisher=self.publisher or None, published=self.published, url=self.url or None,
                             kind=self.kind, status=self.status, source=self.source or None,
                             topics=tuple(self.topics), article_id=self.article_id)


class PreviewRequest(BaseModel):
    """Questions to answer with a saved draft in place; empty: the draft's own questions."""

    questions: Questions = []


def _decode(body: DocumentUpload, limit: int) -> bytes:
    size = f"{limit / 2**20:.3g} MB" if limit >= 2**20 else f"{limit / 1024:.3g} KB"
    too_large = HTTPException(status_code=413, detail=f"Tệp quá lớn: tối đa {size}. / The file is too large "
                                                      f"(at most {limit} bytes).")
    if len(body.content_base64) > base64_length(limit):
        raise too_large
    try:
        # `base64` on the command line wraps its output: line breaks are not part of the content
        data = base64.b64decode("".join(body.content_base64.split()), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise HTTPException(status_code=422, detail="Nội dung tệp không phải base64 hợp lệ. / content_base64 is "
                                                    "not valid base64.") from exc
    if len(data) > limit:
        raise too_large
    if not data:
        raise HTTPException(status_code=422, detail="Tệp rỗng. / The file is empty.")
    return data


def _refused(exc: IngestError) -> HTTPException:
    message = str(exc)
    if isinstance(exc, ExtractorMissing):
        return HTTPException(status_code=501, detail="Máy chủ chưa cài bộ đọc cho định dạng này (gói tùy chọn "
                                                     f"`ingest`); hãy nhờ quản trị hệ thống cài. / {message}")
    if isinstance(exc, UnsupportedFormat):
        return HTTPException(status_code=415, detail="Định dạng tệp không được hỗ trợ: chỉ nhận HTML, PDF có lớp "
                                                     f"chữ, DOCX, Markdown hoặc văn bản thuần. / {message}")
    reason = next((vi for en, vi in REASONS.items() if en in message), "không đọc được tài liệu")
    return HTTPException(status_code=422, detail=f"Không nạp được tài liệu: {reason}. / Not ingested: {message}")


@router.post("/documents", status_code=201,
             responses={200: {"description": "the file is unchanged since its publication: no draft saved"},
                        413: {"model": ErrorResponse}, 415: {"model": ErrorResponse}, 422: {"model": ErrorResponse},
                        501: {"model": ErrorResponse}})
async def upload_document(body: DocumentUpload, request: Request, desk: DeskDep, store: StoreDep,
                          editor: EditorDep) -> JSONResponse:
    """Read an uploaded file as `python -m app ingest` would and save it as a pending draft (action "ingest").

    The answer says what was read from the file and what came from the options, what is missing (a date
    neither stated nor given is null), the notes, and questions to preview with. An unchanged file (same
    bytes and options as the published article) saves no draft (200).
    """
    settings: Settings = request.app.state.settings
    data = _decode(body, settings.admin_upload_max_bytes)
    options = body.options()
    try:
        report = await run_in_threadpool(read_upload, body.file_name, data, settings.knowledge_dir, options)
    except IngestError as exc:
        raise _refused(exc) from exc
    described = describe(report, options)
    if report.outcome == "unchanged":
        return JSONResponse({"draft": None, "document": described}, status_code=200)
    document = document_of(report)
    questions = clean_questions(body.questions or described["questions"])
    row = await store(records.save_draft, "ingest", document.article.id, document.payload(), questions,
                      editor.name, editor.role)
    return JSONResponse({"draft": draft_json(row), "document": described}, status_code=201)


@router.post("/drafts/{draft_id}/preview", responses={404: {"model": ErrorResponse}})
async def preview_draft(draft_id: DraftId, body: PreviewRequest, desk: DeskDep, store: StoreDep,
                        _: EditorDep) -> dict[str, Any]:
    """How each question is answered now and with a saved draft in place, and which passage is cited (a
    temporary index; nothing is written)."""
    row = await pending_draft(store, draft_id)
    change = change_of(desk, row)
    result = await run_in_threadpool(desk.preview, change, body.questions or row.questions)
    return {**result, "before": [dataclasses.asdict(o) for o in result["before"]],
            "after": [dataclasses.asdict(o) for o in result["after"]]}
