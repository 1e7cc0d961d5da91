"""Hybrid retriever: FAISS dense search and BM25 over syllables, with a diacritic-folded field."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

from app.index.bm25 import BM25
from app.index.embedder import Embedder
from app.index.store import IndexData, Unit
from app.search.fusion import rrf_fusion, scale_cosine, weighted_fusion
from app.text.normalize import fold_diacritics, tokenize
from app.text.query import ProcessedQuery


@dataclass(frozen=True)
class RetrievalConfig:
    """The retrieval knobs taken from Settings."""

    candidates: int = 40
    fusion: str = "weighted"
    dense_weight: float = 0.6
    rrf_k: int = 60
    cosine_floor: float = 0.75
    cosine_ceiling: float = 0.95


@dataclass(frozen=True)
class Hit:
    """One retrieved unit (a FAQ entry's best phrasing or answer, or an article passage)."""

    unit_id: int
    unit: Unit
    dense: float
    coverage: float
    score: float

    @property
    def key(self) -> tuple[str, str, int]:
        """Identity of what the hit points to: a FAQ entry, or one passage of an article."""
        if self.unit.kind == "passage":
            return ("article", self.unit.ref, self.unit.chunk)
        return ("faq", self.unit.ref, 0)


def _bigrams(tokens: list[str]) -> list[str]:
    return [f"{a}_{b}" for a, b in zip(tokens, tokens[1:], strict=False)]


def _fields(text: str) -> tuple[list[str], list[str]]:
    accented = tokenize(text)
    folded = [fold_diacritics(t) for t in accented]
    return folded + _bigrams(folded), accented + _bigrams(accented)


class Retriever:
    """Searches an index by dense similarity and BM25, and fuses the two."""

    def __init__(self, index: IndexData, embedder: Embedder, config: RetrievalConfig):
        self.index = index
        self.embedder = embedder
        self.config = config
        folded, accented = zip(*(_fields(u.text) for u in index.units), strict=True)
        self._folded = BM25(folded)
        self._accented = BM25(accented)
        self._unit_terms = [frozenset(f) for f in folded]
        self._max_idf = max(self._folded.idf.values(), default=1.0)
        # the embedding engines are not safe to call from several threads at once
        self._embed_lock = threading.Lock()

    def embed_query(self, query: ProcessedQuery) -> np.ndarray:
        """The query vector (the expensive step; callers run it off the event loop)."""
        with self._embed_lock:
            return self.embedder.embed_queries([query.dense_text])[0]

    def search(self, query: ProcessedQuery, k: int = 10, vector: np.ndarray | None = None) -> list[Hit]:
        """The k best hits, one per FAQ entry or article passage, best first."""
        if vector is None:
            vector = self.embed_query(query)
        n = len(self.index.units)
        if n == 0:
            return []
        depth = min(self.config.candidates, n)
        _, dense_ids = self.index.dense.search(vector[None, :].astype(np.float32), depth)
        folded_q, accented_q = _fields(" ".join(query.lexical_terms))
        lexical = self._folded.score(folded_q)
        if query.accented:
            lexical = lexical + self._accented.score(accented_q)
        lexical_ids = np.argsort(-lexical)[:depth]
        candidates = np.unique(np.concatenate([dense_ids[0][dense_ids[0] >= 0], lexical_ids[lexical[lexical_ids] > 0]]))
        cosine = self.index.vectors[candidates] @ vector
        dense = scale_cosine(cosine, self.config.cosine_floor, self.config.cosine_ceiling)
        lex = lexical[candidates]
        if self.config.fusion == "rrf":
            fused = rrf_fusion(cosine, lex, self.config.rrf_k)
        else:
            fused = weighted_fusion(dense, lex, self.config.dense_weight)
        coverage = self._coverage(query.coverage_terms, candidates)
        best: dict[tuple[str, str, int], Hit] = {}
        for i, unit_id in enumerate(candidates):
            unit = self.index.units[int(unit_id)]
            hit = Hit(int(unit_id), unit, float(dense[i]), float(coverage[i]), float(fused[i]))
            if hit.key not in best or hit.score > best[hit.key].score:
                best[hit.key] = hit
        return sorted(best.values(), key=lambda h: h.score, reverse=True)[:k]

    def _coverage(self, terms: tuple[str, ...], candidates: np.ndarray) -> np.ndarray:
        """Share of the query's IDF mass found in each candidate (unknown words weigh the most)."""
        unique = list(dict.fromkeys(terms))
        weights = np.array([self._folded.idf.get(t, self._max_idf) for t in unique], dtype=np.float32)
        total = float(weights.sum())
        if total <= 0:
            return np.zeros(len(candidates), dtype=np.float32)
        out = np.zeros(len(candidates), dtype=np.float32)
        for i, unit_id in enumerate(candidates):
            present = self._unit_terms[int(unit_id)]
            out[i] = sum(w for t, w in zip(unique, weights, strict=True) if t in present) / total
        return out
