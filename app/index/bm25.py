"""A small Okapi BM25 index over pre-tokenised documents, scored with numpy."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np


class BM25:
    """BM25 scores of every document for a bag of query terms.

    Each term's postings hold its documents and their precomputed term weights, so scoring a query
    is one vectorised add per query term whatever the corpus size.
    """

    def __init__(self, documents: Sequence[Sequence[str]], k1: float = 1.2, b: float = 0.75):
        self.k1 = k1
        self.b = b
        self.size = len(documents)
        lengths = np.array([len(d) for d in documents], dtype=np.float32)
        avg_len = float(lengths.mean()) if self.size else 0.0
        norm = k1 * (1 - b + b * lengths / max(avg_len, 1e-9))
        # every (term, document, count) once, then the weights of all postings in one vectorised pass
        vocab: dict[str, int] = {}
        term_ids: list[int] = []
        doc_ids: list[int] = []
        counts: list[int] = []
        for doc_id, doc in enumerate(documents):
            for term, tf in Counter(doc).items():
                term_ids.append(vocab.setdefault(term, len(vocab)))
                doc_ids.append(doc_id)
                counts.append(tf)
        terms = np.array(term_ids, dtype=np.int64)
        order = np.argsort(terms, kind="stable")
        terms = terms[order]
        docs = np.array(doc_ids, dtype=np.int64)[order]
        freq = np.array(counts, dtype=np.float32)[order]
        df = np.bincount(terms, minlength=len(vocab))
        idf = np.log1p((self.size - df + 0.5) / (df + 0.5))
        self.idf: dict[str, float] = dict(zip(vocab, idf.tolist(), strict=True))
        self._vocab = vocab
        # postings of term i: _docs[_starts[i]:_starts[i + 1]], with their weights alongside
        self._starts = np.concatenate(([0], np.cumsum(df)))
        self._docs = docs
        self._weights = (idf.astype(np.float32)[terms] * freq * (k1 + 1) / (freq + norm[docs])).astype(np.float32)

    def documents_with(self, term: str) -> np.ndarray:
        """The documents that contain `term` (each once)."""
        i = self._vocab.get(term)
        if i is None:
            return self._docs[:0]
        return self._docs[self._starts[i]:self._starts[i + 1]]

    def score(self, query_terms: Sequence[str]) -> np.ndarray:
        """BM25 score of every document (zeros where no term matches)."""
        scores = np.zeros(self.size, dtype=np.float32)
        for term, qtf in Counter(query_terms).items():
            i = self._vocab.get(term)
            if i is not None:
                start, end = self._starts[i], self._starts[i + 1]
                # a term occurs once per document in its postings
                scores[self._docs[start:end]] += qtf * self._weights[start:end]
        return scores
