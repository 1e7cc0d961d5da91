"""Index build time and search latency as the knowledge base grows (1x, 10x, 100x its units)."""

from __future__ import annotations

import random
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.index.embedder import Embedder, HashEmbedder
from app.index.store import build_index, load_index, make_units
from app.knowledge.loader import load_knowledge
from app.search.retriever import RetrievalConfig, Retriever
from app.text.query import ProcessedQuery
from bench.stats import median, percentile
from bench.synthetic import make_synthetic_kb


class TimedEmbedder:
    """An Embedder that adds up the time and texts its wrapped embedder spends on passages."""

    def __init__(self, inner: Embedder):
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.seconds = 0.0
        self.texts = 0

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Embed queries (not timed)."""
        return self.inner.embed_queries(texts)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Embed passages, timed."""
        begin = time.perf_counter()
        vectors = self.inner.embed_passages(texts)
        self.seconds += time.perf_counter() - begin
        self.texts += len(texts)
        return vectors


@dataclass(frozen=True)
class SizeResult:
    """One knowledge-base size: its units, how its build time was obtained, build, load and search times."""

    factor: int
    units: int
    sentences: int
    texts: int
    method: str  # "real": built with the real embedder; "sampled": see measure_size
    sample_ms_per_text: float
    build_seconds: float
    embed_seconds: float
    load_seconds: float
    search_ms_p50: float
    search_ms_p95: float


def measure_size(factor: int, source_kb: Path, workdir: Path, embedder: Embedder, config: RetrievalConfig,
                 queries: Sequence[ProcessedQuery], real_vectors: np.ndarray, budget_seconds: float,
                 sample_size: int) -> SizeResult:
    """Build and search a knowledge base `factor` times the size of `source_kb`.

    The real embedder embeds a random sample of the base's texts first, giving a per-text time. When
    that predicts more than `budget_seconds` for the whole base, the build runs with HashEmbedder
    vectors of the same dimension, and the build time reported is the measured build minus its hash
    embedding plus the predicted real embedding ("sampled"); the search then uses hash vectors for the
    query too, which costs FAISS the same as real ones. Search times exclude the query embedding.
    """
    kb_dir = make_synthetic_kb(source_kb, workdir / f"kb-{factor}x", factor, seed=factor)
    units, sentences = make_units(load_knowledge(kb_dir))
    texts = sorted({u.embed_text for u in units} | {s.text for s in sentences})
    sample = random.Random(factor).sample(texts, min(sample_size, len(texts)))
    begin = time.perf_counter()
    embedder.embed_passages(sample)
    per_text = (time.perf_counter() - begin) / len(sample)
    predicted = per_text * len(texts)
    real = predicted <= budget_seconds
    timed = TimedEmbedder(embedder if real else HashEmbedder(dim=embedder.dim))

    index_dir = workdir / f"index-{factor}x"
    begin = time.perf_counter()
    build_index(load_knowledge(kb_dir), timed, index_dir, kb_dir)
    built = time.perf_counter() - begin
    build_seconds = built if real else built - timed.seconds + predicted

    begin = time.perf_counter()
    retriever = Retriever(load_index(index_dir), timed, config)
    load_seconds = time.perf_counter() - begin
    vectors = real_vectors if real else timed.inner.embed_queries([q.dense_text for q in queries])
    for query, vector in list(zip(queries, vectors, strict=True))[:3]:
        retriever.search(query, k=10, vector=vector)
    times = []
    for query, vector in zip(queries, vectors, strict=True):
        begin = time.perf_counter()
        retriever.search(query, k=10, vector=vector)
        times.append((time.perf_counter() - begin) * 1000)
    shutil.rmtree(kb_dir)
    shutil.rmtree(index_dir)
    return SizeResult(factor, len(units), len(sentences), len(texts), "real" if real else "sampled", per_text * 1000,
                      build_seconds, timed.seconds if real else predicted, load_seconds, median(times),
                      percentile(times, 95))
