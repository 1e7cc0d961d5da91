import numpy as np

from app.search.fusion import rrf_fusion, scale_cosine


def test_scale_cosine_clips_to_unit_range():
    out = scale_cosine(np.array([0.5, 0.85, 1.0]), floor=0.75, ceiling=0.95)
    assert out.tolist() == [0.0, 0.5, 1.0]


def test_rrf_ignores_missing_lexical_scores():
    dense = np.array([0.9, 0.8, 0.1])
    lexical = np.array([0.0, 0.0, 5.0])
    fused = rrf_fusion(dense, lexical, k=60)
    assert fused[0] > fused[1]
    assert fused[2] > fused[1]
