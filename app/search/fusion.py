"""Fusion of dense and lexical rankings."""

from __future__ import annotations

import numpy as np


def scale_cosine(cosine: np.ndarray, floor: float, ceiling: float) -> np.ndarray:
    """Map raw cosines to [0, 1]: the floor is where unrelated texts sit, the ceiling a near-exact match."""
    return np.clip((cosine - floor) / max(ceiling - floor, 1e-6), 0.0, 1.0)


def rrf_fusion(dense: np.ndarray, lexical: np.ndarray, k: int) -> np.ndarray:
    """Reciprocal-rank fusion; a zero lexical score contributes nothing."""
    def ranks(scores: np.ndarray) -> np.ndarray:
        order = np.argsort(-scores, kind="stable")
        r = np.empty_like(order)
        r[order] = np.arange(len(scores))
        return r

    fused = 1.0 / (k + 1 + ranks(dense))
    fused += np.where(lexical > 0, 1.0 / (k + 1 + ranks(lexical)), 0.0)
    return fused
