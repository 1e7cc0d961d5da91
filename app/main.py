"""Application factory: `create_app(settings)` builds the FastAPI app; heavy parts load in its lifespan."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from fastapi.middleware.cors import CORSMiddleware

from app import __version__
from app.api.admin import router as admin_router
from app.api.admin_documents import UPLOAD_PATH, upload_body_limit
from app.api.admin_documents import router as admin_documents_router
from app.api.errors import install_error_handlers
from app.api.handoff import router as handoff_router
from app.api.helpdesk import router as helpdesk_router
from app.api.middleware import BodySizeLimit, ObservabilityMiddleware, RefusedOriginWarning
from app.api.pages import router as pages_router
from app.api.routes import router
from app.observability import Metrics
from app.ratelimit import MemoryRateLimiter, RateLimiter, RedisRateLimiter, parse_rate
from app.service import Assistant
from app.settings import Settings
from app.storage.link import StorageLink

log = logging.getLogger(__name__)


def make_rate_limiter(settings: Settings) -> RateLimiter:
    """Per-client limiter: counted in Redis when REDIS_URL is set (shared by replicas), else in memory."""
    limit, window = parse_rate(settings.rate_limit)
    memory = MemoryRateLimiter(limit, window)
    return RedisRateLimiter(settings.redis_url, limit, window, fallback=memory) if settings.redis_url else memory


def open_storage(settings: Settings, wait_seconds: float = 5.0) -> StorageLink:
    """Start the link to the database; it opens (and migrates) in the background and keeps reopening
    after faults. Start-up waits a few seconds for it, then serves answers whether or not it is up."""
    link = StorageLink(settings.storage_url(), call_timeout=settings.storage_timeout_seconds)
    if not link.wait_until_up(wait_seconds):
        log.error("storage unavailable at start-up; retrying in the background",
                  extra={"fields": {"reason": link.last_error}})
    return link


async def _poll_manifest(assistant: Assistant, seconds: float) -> None:
    """Pick up index versions written by other replicas or reindex jobs sharing the index volume."""
    while True:
        await asyncio.sleep(seconds)
        try:
            await run_in_threadpool(assistant.refresh_if_changed)
        except Exception:  # keep polling whatever one attempt hit
            log.exception("manifest poll failed")


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the service; the embedder, index, database and rate limiter load once when the app starts."""
    settings = settings or Settings()
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        storage = await run_in_threadpool(open_storage, settings)
        assistant = await run_in_threadpool(Assistant, settings, None, storage)
        limiter = make_rate_limiter(settings)
        app.state.assistant = assistant
        app.state.rate_limiter = limiter

        def counters() -> dict[str, float]:
            writer = assistant.writer
            return {
                "storage_faults": writer.faults if writer else 0,
                "storage_pending": writer.pending if writer else 0,
                "storage_up": 1.0 if storage.up else 0.0,
                "storage_opens": storage.reconnects,
                "rate_limit_backend_faults": getattr(limiter, "faults", 0),
                "answer_cache_hits": assistant.cache.hits,
                "answer_cache_misses": assistant.cache.misses,
            }

        metrics.watch(counters, lambda: assistant.kb_version if assistant.ready else None)
        poller = (asyncio.create_task(_poll_manifest(assistant, settings.manifest_poll_seconds))
                  if settings.manifest_poll_seconds > 0 else None)
        try:
            yield
        finally:
            if poller is not None:
                poller.cancel()
                with suppress(asyncio.CancelledError):
                    await poller
            await run_in_threadpool(assistant.close)
            if isinstance(limiter, RedisRateLimiter):
                limiter.close()

    app = FastAPI(
        title="Trợ lý dịch vụ công số",
        description="Answers residents' questions about digital transformation, the National Public "
                    "Service Portal and Project 06 / VNeID, with numbered citations.",
        version=__version__,
        lifespan=lifespan,
        # /docs and /redoc are app.api.pages' routes: FastAPI's own would load Swagger UI and Redoc from a CDN
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.metrics = metrics
    install_error_handlers(app)
    app.include_router(router)
    app.include_router(admin_router)
    app.include_router(admin_documents_router)
    app.include_router(handoff_router)
    app.include_router(helpdesk_router)
    app.include_router(pages_router)
    app.add_middleware(ObservabilityMiddleware, metrics=metrics, frame_ancestors=settings.frame_ancestors)
    app.add_middleware(CORSMiddleware, allow_origins=settings.allowed_origins, allow_methods=["GET", "POST"],
                       allow_headers=["Content-Type"], expose_headers=["Retry-After"], max_age=600)
    app.add_middleware(RefusedOriginWarning, allowed_origins=settings.allowed_origins)
    app.add_middleware(BodySizeLimit, limit=settings.max_body_bytes,
                       larger={UPLOAD_PATH: upload_body_limit(settings)})
    return app
