"""Hybrid retriever: FAISS dense search and BM25 over syllables (with a diacritic-folded field).

Units (FAQ phrasings, FAQ answers, article passages) are retrieved, then grouped into documents:
one per FAQ entry, one per article passage. A FAQ entry is scored on its best matching phrasing
and on its answer, so a question worded unlike any phrasing can still find the entry.
"""

from __future__ import annotations

import copy
import dataclasses
import threading
from collections import defaultdict
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any

import faiss
import numpy as np

from app.index.bm25 import BM25
from app.index.embedder import Embedder
from app.index.store import IndexData, Unit
from app.search.fusion import rrf_fusion, scale_cosine
from app.text.normalize import fold_diacritics, tokenize
from app.text.query import ProcessedQuery
from app.text.segment import Segmenter, load_segmenter


@dataclass(frozen=True)
class RetrievalConfig:
    """The retrieval knobs taken from Settings."""

    candidates: int = 60
    fusion: str = "weighted"
    question_weight: float = 0.6
    answer_weight: float = 0.4
    coverage_weight: float = 0.2
    bm25_weight: float = 0.0
    passage_factor: float = 0.9
    rrf_k: int = 60
    segmenter: str = "bigram"
    cosine_floor: float = 0.75
    cosine_ceiling: float = 0.95


@dataclass(frozen=True)
class Hit:
    """One retrieved document: a FAQ entry (represented by its best unit) or an article passage."""

    unit_id: int
    unit: Unit
    dense: float
    coverage: float
    lexical: float
    confidence: float
    score: float
    # cosine (scaled) of the best phrasing and of the answer, apart
    question_dense: float = 0.0
    answer_dense: float = 0.0

    @property
    def key(self) -> tuple[str, int]:
        """Identity of what the hit points to."""
        return (self.unit.ref, self.unit.chunk if self.unit.kind == "passage" else -1)


def embedding_guard(embedder: Embedder) -> AbstractContextManager[Any]:
    """A lock around each query embedding, unless the embedder says calls from several threads may overlap.

    Most embedding engines are not safe to call from several threads at once.
    """
    return nullcontext() if getattr(embedder, "concurrent", False) else threading.Lock()


def _fields(syllable_text: str, word_text: str, segmenter: Segmenter) -> tuple[list[str], list[str]]:
    """The folded and the accented BM25 fields: syllables plus multi-syllable words."""
    accented = tokenize(syllable_text) + segmenter(word_text)
    return [fold_diacritics(t) for t in accented], accented


def _top_positive(scores: np.ndarray, depth: int) -> np.ndarray:
    """Positions of the (at most) `depth` highest positive scores, as `np.argsort(-scores)[:depth]` picks them."""
    positive = np.flatnonzero(scores > 0)
    if len(positive) <= depth:
        return positive
    cut = np.partition(scores[positive], len(positive) - depth)[len(positive) - depth]
    above = positive[scores[positive] > cut]
    tied = positive[scores[positive] == cut]
    if len(above) + len(tied) == depth:
        return np.concatenate((above, tied))
    # more ties at the cut than places: a full sort picks among them, as rankings always did
    ranked = np.argsort(-scores)[:depth]
    return ranked[scores[ranked] > 0]


@dataclass
class _Doc:
    units: list[int]
    best_unit: int = -1
    question: float = 0.0
    answer: float = 0.0
    coverage: float = 0.0
    lexical: float = 0.0


class Retriever:
    """Searches an index by dense similarity and BM25, and fuses the two."""

    def __init__(self, index: IndexData, embedder: Embedder, config: RetrievalConfig):
        self.index = index
        self.embedder = embedder
        self.config = config
        self._segmenter = load_segmenter(config.segmenter)
        fields = [_fields(u.text, u.text, self._segmenter) for u in index.units]
        folded, accented = zip(*fields, strict=True) if fields else ((), ())
        self._folded = BM25(folded)
        self._accented = BM25(accented)
        self._max_idf = max(self._folded.idf.values(), default=1.0)
        self._is_answer = np.array([u.kind == "faq_a" for u in index.units], dtype=bool)
        self._doc_units: dict[tuple[str, int], list[int]] = defaultdict(list)
        for i, unit in enumerate(index.units):
            self._doc_units[self._doc_key(unit)].append(i)
        self._embed_lock = embedding_guard(embedder)
        # query vectors embedded beforehand, by the text embedded (`with_query_vectors`)
        self._known_vectors: dict[str, np.ndarray] = {}

    @property
    def term_idf(self) -> tuple[dict[str, float], float]:
        """IDF of every folded term of the index, and the largest (what an unseen word weighs)."""
        return self._folded.idf, self._max_idf

    @staticmethod
    def _doc_key(unit: Unit) -> tuple[str, int]:
        return (unit.ref, unit.chunk if unit.kind == "passage" else -1)

    def embed_query(self, query: ProcessedQuery) -> np.ndarray:
        """The query vector (the expensive step; callers run it off the event loop)."""
        known = self._known_vectors.get(query.dense_text)
        if known is not None:
            return known
        with self._embed_lock:
            return self.embedder.embed_queries([query.dense_text])[0]

    def with_query_vectors(self, queries: Sequence[ProcessedQuery], batch: int = 64) -> Retriever:
        """A copy of this retriever that holds these queries' vectors, embedded `batch` at a time: many
        questions at once (the dev questions of an index build) cost a few calls instead of one each. The
        default embedder gives the same vectors either way; any other query is embedded as before."""
        texts = list(dict.fromkeys(q.dense_text for q in queries))
        known = dict(self._known_vectors)
        for start in range(0, len(texts), batch):
            chunk = texts[start:start + batch]
            with self._embed_lock:
                known.update(zip(chunk, self.embedder.embed_queries(chunk), strict=True))
        twin = copy.copy(self)
        twin._known_vectors = known
        return twin

    def lexical_scores(self, query: ProcessedQuery) -> np.ndarray:
        """BM25 of every unit: folded field always, accented field too when the query has diacritics."""
        folded_q, accented_q = _fields(" ".join(query.lexical_terms), query.restored, self._segmenter)
        scores = self._folded.score(folded_q)
        if query.accented:
            scores = scores + self._accented.score(accented_q)
        return scores

    def search(self, query: ProcessedQuery, k: int = 10, vector: np.ndarray | None = None) -> list[Hit]:
        """The k best documents (FAQ entries and article passages), best first."""
        units = self.index.units
        if not units:
            return []
        if vector is None:
            vector = self.embed_query(query)
        cfg = self.config
        depth = min(cfg.candidates, len(units))
        # one vector scans faster in one thread: FAISS's thread team costs more than it saves and stalls
        # when the cores are busy; this sets FAISS's own OpenMP runtime, for the calling thread only
        faiss.omp_set_num_threads(1)
        _, dense_ids = self.index.dense.search(vector[None, :].astype(np.float32), depth)
        lexical = self.lexical_scores(query)
        seeds = set(dense_ids[0][dense_ids[0] >= 0].tolist()) | set(_top_positive(lexical, depth).tolist())
        docs = {key: _Doc(self._doc_units[key]) for key in {self._doc_key(units[i]) for i in seeds}}
        self._score_docs(list(docs.values()), query, vector, lexical)
        hits = [self._hit(doc) for doc in docs.values()]
        if cfg.fusion == "rrf":
            ranked = rrf_fusion(np.array([h.dense for h in hits]), np.array([h.lexical for h in hits]), cfg.rrf_k)
            hits = [dataclasses.replace(h, score=float(s)) for h, s in zip(hits, ranked, strict=True)]
        return sorted(hits, key=lambda h: h.score, reverse=True)[:k]

    def _score_docs(self, docs: list[_Doc], query: ProcessedQuery, vector: np.ndarray, lexical: np.ndarray) -> None:
        """Fill each document's scores from its units: the best phrasing or passage, the answer, coverage, BM25."""
        if not docs:
            return
        cfg = self.config
        sizes = [len(d.units) for d in docs]
        starts = np.cumsum([0, *sizes[:-1]])
        # every unit belongs to one document, so the documents' units are all distinct
        unit_ids = np.fromiter((u for d in docs for u in d.units), dtype=np.int64, count=sum(sizes))
        members = np.sort(unit_ids)
        rows = np.searchsorted(members, unit_ids)
        dense = scale_cosine(self.index.vectors[members] @ vector, cfg.cosine_floor, cfg.cosine_ceiling)
        dense = dense[rows].astype(np.float64)
        coverage = self._coverage(query.coverage_terms, members)[rows].astype(np.float64)
        answer = self._is_answer[unit_ids]
        # answers are long: their incidental word overlap counts for less
        coverage = np.where(answer, 0.8 * coverage, coverage)
        top_lex = float(lexical.max()) or 1.0
        phrasing = np.where(answer, -np.inf, dense)
        best_phrasing = np.maximum.reduceat(phrasing, starts)
        best_answer = np.maximum.reduceat(np.where(answer, dense, 0.0), starts)
        best_coverage = np.maximum.reduceat(coverage, starts)
        best_lexical = np.maximum.reduceat(lexical[unit_ids].astype(np.float64) / top_lex, starts)
        # each document's best unit: its first phrasing or passage of the highest cosine, else its first unit
        # (answers are -inf, so a document of answers alone matches at its first unit)
        segment = np.repeat(np.arange(len(docs)), sizes)
        matches = np.flatnonzero(phrasing == best_phrasing[segment])
        _, first = np.unique(segment[matches], return_index=True)
        best_units = unit_ids[matches[first]].tolist()
        columns = zip(best_units, np.maximum(best_phrasing, 0.0).tolist(), best_answer.tolist(),
                      best_coverage.tolist(), best_lexical.tolist(), strict=True)
        for doc, values in zip(docs, columns, strict=True):
            doc.best_unit, doc.question, doc.answer, doc.coverage, doc.lexical = values

    def _hit(self, doc: _Doc) -> Hit:
        cfg = self.config
        unit = self.index.units[doc.best_unit]
        total = cfg.question_weight + cfg.answer_weight + cfg.coverage_weight + cfg.bm25_weight
        if unit.kind == "passage":
            dense = doc.question
            value = cfg.passage_factor * ((cfg.question_weight + cfg.answer_weight) * dense
                                          + cfg.coverage_weight * doc.coverage) + cfg.bm25_weight * doc.lexical
        else:
            dense = max(doc.question, doc.answer)
            value = (cfg.question_weight * doc.question + cfg.answer_weight * doc.answer
                     + cfg.coverage_weight * doc.coverage + cfg.bm25_weight * doc.lexical)
        confidence = value / total if total > 0 else 0.0
        return Hit(doc.best_unit, unit, dense, doc.coverage, doc.lexical, confidence, confidence,
                   doc.question, doc.answer if unit.kind != "passage" else doc.question)

    def _coverage(self, terms: tuple[str, ...], unit_ids: np.ndarray) -> np.ndarray:
        """Share of the query's IDF mass found in each unit (words the corpus never uses weigh the most)."""
        unique = list(dict.fromkeys(terms))
        weights = np.array([self._folded.idf.get(t, self._max_idf) for t in unique], dtype=np.float32)
        total = float(weights.sum())
        if total <= 0:
            return np.zeros(len(unit_ids), dtype=np.float32)
        # through each term's postings, in the query's term order, so the float32 sums are the same as unit by unit
        found = np.zeros(len(self.index.units), dtype=np.float32)
        for term, weight in zip(unique, weights, strict=True):
            found[self._folded.documents_with(term)] += weight
        return found[unit_ids] / total
