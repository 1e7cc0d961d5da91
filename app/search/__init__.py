"""Hybrid retrieval: dense vectors and BM25, fused."""
