"""Map domain errors and bad input to HTTP responses in one place."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.service import NotReady, StorageUnavailable, UnknownMessage, UnknownSession

log = logging.getLogger(__name__)


class BadQuestion(ValueError):
    """A question the service will not process (empty, too long)."""


class RateLimited(Exception):
    """The client has used up its questions for now."""

    def __init__(self, retry_after: int):
        super().__init__(retry_after)
        self.retry_after = retry_after


def _error(status: int, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(status_code=status, content={"detail": detail}, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    """Register handlers so every error is JSON with a clear message and no error becomes a 500 silently."""

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        kinds = {e.get("type") for e in exc.errors()}
        if "json_invalid" in kinds:
            return _error(422, "Dữ liệu gửi lên không phải JSON hợp lệ. / The request body is not valid JSON.")
        fields = ", ".join(sorted({".".join(str(x) for x in e.get("loc", ())[1:]) or "body"
                                   for e in exc.errors()}))
        return _error(422, f"Yêu cầu không hợp lệ ({fields}). / Invalid request ({fields}).")

    @app.exception_handler(BadQuestion)
    async def _bad_question(_: Request, exc: BadQuestion) -> JSONResponse:
        return _error(422, str(exc))

    @app.exception_handler(NotReady)
    async def _not_ready(_: Request, exc: NotReady) -> JSONResponse:
        return _error(503, f"Dịch vụ chưa sẵn sàng: chưa có chỉ mục, hãy chạy `make index`. / "
                           f"Service not ready: {exc}")

    @app.exception_handler(RateLimited)
    async def _limited(_: Request, exc: RateLimited) -> JSONResponse:
        return _error(429, f"Bạn đã hỏi quá nhiều trong thời gian ngắn, vui lòng thử lại sau {exc.retry_after} giây. "
                           f"/ Too many questions, please try again in {exc.retry_after} seconds.",
                      headers={"Retry-After": str(exc.retry_after)})

    @app.exception_handler(StorageUnavailable)
    async def _storage(_: Request, exc: StorageUnavailable) -> JSONResponse:
        return _error(503, "Hệ thống lưu trữ đang tạm gián đoạn, chưa thực hiện được yêu cầu của bạn. Xin thử lại "
                           "sau ít phút. / Storage is temporarily unavailable; please try again in a few minutes.",
                      headers={"Retry-After": "30"})

    @app.exception_handler(UnknownMessage)
    async def _unknown(_: Request, exc: UnknownMessage) -> JSONResponse:
        return _error(404, "Không tìm thấy câu trả lời này. / Unknown message_id.")

    @app.exception_handler(UnknownSession)
    async def _unknown_session(_: Request, exc: UnknownSession) -> JSONResponse:
        return _error(404, "Không tìm thấy phiên trò chuyện: mã phiên không hợp lệ, chưa có gì bị xóa. / "
                           "Unknown session: the session token is not valid; nothing was erased.")

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        messages = {404: "Không tìm thấy. / Not found.", 405: "Phương thức không được hỗ trợ. / Method not allowed."}
        return _error(exc.status_code, messages.get(exc.status_code, str(exc.detail)),
                      headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error", exc_info=exc)
        return _error(500, "Đã có lỗi, xin thử lại sau. / Something went wrong, please try again later.")
