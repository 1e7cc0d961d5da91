"""Application factory: `create_app(settings)` builds the FastAPI app; heavy parts load in its lifespan."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool

from app import __version__
from app.api.errors import install_error_handlers
from app.api.pages import router as pages_router
from app.api.routes import router
from app.service import Assistant
from app.settings import Settings

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the service; the embedder and index load once when the app starts."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        assistant = await run_in_threadpool(Assistant, settings)
        if not assistant.ready:
            log.error("index not loaded: %s", assistant.load_error)
        app.state.assistant = assistant
        yield

    app = FastAPI(
        title="Trợ lý dịch vụ công số",
        description="Answers residents' questions about digital transformation, the National Public "
                    "Service Portal and Project 06 / VNeID, with numbered citations.",
        version=__version__,
        lifespan=lifespan,
    )
    app.state.settings = settings
    install_error_handlers(app)
    app.include_router(router)
    app.include_router(pages_router)
    return app
