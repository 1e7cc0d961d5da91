"""A small Okapi BM25 index over pre-tokenised documents, scored with numpy."""

from __future__ import annotations

import math
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
        postings: dict[str, tuple[list[int], list[int]]] = {}
        for doc_id, doc in enumerate(documents):
            for term, tf in Counter(doc).items():
                ids, tfs = postings.setdefault(term, ([], []))
                ids.append(doc_id)
                tfs.append(tf)
        self.idf: dict[str, float] = {}
        self._postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for term, (ids, counts) in postings.items():
            idf = math.log(1 + (self.size - len(ids) + 0.5) / (len(ids) + 0.5))
            doc_ids = np.array(ids, dtype=np.int64)
            freq = np.array(counts, dtype=np.float32)
            self.idf[term] = idf
            self._postings[term] = (doc_ids, (idf * freq * (k1 + 1) / (freq + norm[doc_ids])).astype(np.float32))

    def score(self, query_terms: Sequence[str]) -> np.ndarray:
        """BM25 score of every document (zeros where no term matches)."""
        scores = np.zeros(self.size, dtype=np.float32)
        for term, qtf in Counter(query_terms).items():
            posting = self._postings.get(term)
            if posting is not None:
                doc_ids, weights = posting
                scores[doc_ids] += qtf * weights  # a term occurs once per document in its postings
        return scores
