"""A small Okapi BM25 index over pre-tokenised documents."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np


class BM25:
    """BM25 scores of every document for a bag of query terms."""

    def __init__(self, documents: Sequence[Sequence[str]], k1: float = 1.2, b: float = 0.75):
        self.k1 = k1
        self.b = b
        self.size = len(documents)
        lengths = np.array([len(d) for d in documents], dtype=np.float32)
        self._avg_len = float(lengths.mean()) if self.size else 0.0
        self._postings: dict[str, list[tuple[int, int]]] = {}
        for doc_id, doc in enumerate(documents):
            for term, tf in Counter(doc).items():
                self._postings.setdefault(term, []).append((doc_id, tf))
        self._norm = k1 * (1 - b + b * lengths / max(self._avg_len, 1e-9))
        self.idf = {
            term: math.log(1 + (self.size - len(p) + 0.5) / (len(p) + 0.5))
            for term, p in self._postings.items()
        }

    def score(self, query_terms: Sequence[str]) -> np.ndarray:
        """BM25 score of every document (zeros where no term matches)."""
        scores = np.zeros(self.size, dtype=np.float32)
        for term, qtf in Counter(query_terms).items():
            postings = self._postings.get(term)
            if not postings:
                continue
            idf = self.idf[term]
            for doc_id, tf in postings:
                scores[doc_id] += qtf * idf * tf * (self.k1 + 1) / (tf + self._norm[doc_id])
        return scores

    def known(self, term: str) -> bool:
        """True when some document holds the term."""
        return term in self._postings
