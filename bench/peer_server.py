"""`python -m bench.peer_server haystack|txtai`: a peer's bare retrieval over HTTP, for `make bench`'s load.

POST /search {"question": ...} embeds the question with our embedder (same EMBED_THREADS as ours) and returns the
peer's top 10 passages; GET /readyz answers 200 once the peer is built. Settings come from the environment as for
`python -m app serve` (INDEX_DIR, EMBEDDER, EMBED_THREADS, HOST, PORT).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from app.index.embedder import load_embedder
from app.index.store import load_index
from app.settings import Settings
from bench.peer_engines import PEERS, QueryEmbedder, build_peer

SEARCH_PATH = "/search"
TOP_PASSAGES = 10


class SearchRequest(BaseModel):
    """The body our /api/chat takes, so the same wrk bodies drive both."""

    question: str = Field(min_length=1, max_length=2000)


class Passage(BaseModel):
    """One passage a peer returned, with the entry it belongs to."""

    ref: str
    kind: str
    chunk: int
    text: str
    score: float


class SearchResponse(BaseModel):
    """The peer's passages, best first."""

    passages: list[Passage]


def create_peer_app(peer_name: str, settings: Settings) -> FastAPI:
    """The peer's app: the index, our embedder and the peer are built in the lifespan."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        index = load_index(settings.index_dir)
        app.state.units = index.units
        embedder = load_embedder(settings.embedder, settings.embed_threads, settings.embed_instances)
        app.state.peer = build_peer(peer_name, index, QueryEmbedder(embedder))
        yield

    app = FastAPI(lifespan=lifespan)

    @app.get("/readyz")
    async def readyz() -> dict[str, str]:
        return {"status": "ready", "peer": peer_name}

    @app.post(SEARCH_PATH, response_model=SearchResponse)
    async def search(body: SearchRequest, request: Request) -> SearchResponse:
        hits = await run_in_threadpool(request.app.state.peer.search, body.question, TOP_PASSAGES)
        units = request.app.state.units
        return SearchResponse(passages=[Passage(ref=units[h.unit].ref, kind=units[h.unit].kind,
                                                chunk=units[h.unit].chunk, text=units[h.unit].text, score=h.score)
                                        for h in hits])

    return app


def main(argv: list[str] | None = None) -> int:
    """Serve one peer with uvicorn, with the options `python -m app serve` uses."""
    import uvicorn

    parser = argparse.ArgumentParser(prog="python -m bench.peer_server", description=__doc__)
    parser.add_argument("peer", choices=PEERS)
    args = parser.parse_args(argv)
    settings = Settings()
    uvicorn.run(create_peer_app(args.peer, settings), host=settings.host, port=settings.port, access_log=False,
                timeout_keep_alive=5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
