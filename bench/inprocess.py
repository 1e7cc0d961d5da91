"""In-process measurements: bare query embedding, ours against a dense-only baseline, the answer cache."""

from __future__ import annotations

import time
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import faiss
import numpy as np

from app.answer.questions import EvalQuestion
from app.evaluate import ranked_ids
from app.index.embedder import Embedder
from app.index.store import IndexData
from app.service import Assistant

WARMUP_TEXTS = ("khởi động", "warm up the engine", "kiểm tra tốc độ nhúng câu hỏi")


def bare_embedding_seconds(embedder: Embedder, questions: Sequence[str]) -> list[float]:
    """Time of embedding each question once, alone, after a short warm-up (the floor of an uncached answer)."""
    for text in WARMUP_TEXTS:
        embedder.embed_queries([text])
    times = []
    for question in questions:
        begin = time.perf_counter()
        embedder.embed_queries([question])
        times.append(time.perf_counter() - begin)
    return times


class DenseBaseline:
    """Plain dense retrieval: FAISS IndexFlatIP over every unit's embed_text vector, the raw question embedded."""

    def __init__(self, index: IndexData, embedder: Embedder):
        self.refs = [u.ref for u in index.units]
        self.embedder = embedder
        # inner product equals cosine on normalised vectors
        self.flat = faiss.IndexFlatIP(index.vectors.shape[1])
        self.flat.add(np.ascontiguousarray(index.vectors, dtype=np.float32))

    def ranked_ids(self, question: str, k: int = 10, depth: int = 100) -> list[str]:
        """Distinct refs of the nearest units, in FAISS order."""
        vector = self.embedder.embed_queries([question]).astype(np.float32)
        _, ids = self.flat.search(vector, min(depth, len(self.refs)))
        out: list[str] = []
        for i in ids[0]:
            if i >= 0 and self.refs[i] not in out:
                out.append(self.refs[i])
        return out[:k]


@dataclass
class Comparison:
    """Recall@5 per slice and retrieval latencies (seconds) of ours and of the baseline on the same questions."""

    hits: dict[str, dict[str, list[bool]]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(list)))
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))

    def recall(self, system: str, slice_: str | None = None) -> float:
        """Recall@5 of a system over one slice, or over all questions."""
        found = [h for s, hs in self.hits[system].items() if slice_ in (None, s) for h in hs]
        return sum(found) / len(found) if found else 0.0


def ranked_in_session(assistant: Assistant, item: EvalQuestion) -> tuple[list[str], float]:
    """Our ranking of a question as app.evaluate takes it, a follow-up after its previous question in a new
    session; and the seconds the ranking took (the previous question not counted)."""
    session = uuid.uuid4().hex
    if item.prev:
        assistant.chat(item.prev, session)
    begin = time.perf_counter()
    ranked = ranked_ids(assistant, item.q, session)
    return ranked, time.perf_counter() - begin


def compare_with_baseline(assistant: Assistant, baseline: DenseBaseline, items: Sequence[EvalQuestion]) -> Comparison:
    """Run in-domain questions through our retrieval (as app.evaluate ranks it) and the baseline.

    For us a follow-up is ranked in its session, after its previous question; the baseline sees only the follow-up.
    """
    out = Comparison()
    for item in items:
        ours, ours_seconds = ranked_in_session(assistant, item)
        begin = time.perf_counter()
        dense = baseline.ranked_ids(item.q)
        dense_seconds = time.perf_counter() - begin
        for system, ranking, seconds in (("ours", ours, ours_seconds), ("dense-only", dense, dense_seconds)):
            out.latencies[system].append(seconds)
            out.hits[system][item.slice].append(any(ref in item.expect for ref in ranking[:5]))
    return out


def cached_chat_seconds(assistant: Assistant, questions: Sequence[str], calls: int) -> list[float]:
    """Service time of Assistant.chat for questions already in the answer cache (one sample per call)."""
    for question in questions:
        assistant.chat(question, None)
    times = []
    for n in range(calls):
        question = questions[n % len(questions)]
        begin = time.perf_counter()
        assistant.chat(question, None)
        times.append(time.perf_counter() - begin)
    return times
