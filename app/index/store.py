"""The index on disk: build from knowledge, save to a versioned directory, load with checks."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

import faiss
import numpy as np

from app import __version__
from app.index.chunking import chunk_article
from app.index.embedder import Embedder
from app.index.pointer import (
    BUILD_RECORD,
    FORMAT,
    BuildMode,
    IndexUnusable,
    built_generation,
    check_build,
    next_history,
    read_live,
    read_manifest,
    swap_pointer,
)
from app.index.pointer import write_json as _write_json
from app.knowledge.models import Knowledge

UnitKind = Literal["faq_q", "faq_a", "passage"]


@dataclass(frozen=True)
class Unit:
    """One retrievable text: a FAQ phrasing, a FAQ answer or an article passage."""

    kind: UnitKind
    ref: str
    chunk: int
    text: str
    lang: str
    embed_text: str


@dataclass(frozen=True)
class Sentence:
    """A sentence of an article passage, the grain of extractive answers."""

    ref: str
    chunk: int
    text: str


@dataclass
class IndexData:
    """Everything a retriever needs, as loaded from disk."""

    manifest: dict[str, Any]
    units: list[Unit]
    vectors: np.ndarray
    sentences: list[Sentence]
    sentence_vectors: np.ndarray
    dense: Any

    @property
    def knowledge_snapshot(self) -> Path | None:
        """The knowledge files this version was built from, when the build kept a copy."""
        path = Path(self.manifest["path"]) / "knowledge"
        return path if path.is_dir() else None

    @property
    def version(self) -> str:
        """The index version (also reported to clients as kb_version)."""
        return str(self.manifest["version"])

    @property
    def generation(self) -> int:
        """The build's place in the index's history: each build is the live generation + 1."""
        return int(self.manifest.get("generation", 0))


def make_units(knowledge: Knowledge) -> tuple[list[Unit], list[Sentence]]:
    """Every FAQ phrasing and answer, every article passage, and each passage's sentences."""
    units: list[Unit] = []
    for entry in knowledge.faqs.values():
        for lang, question in entry.all_questions():
            units.append(Unit("faq_q", entry.id, 0, question, lang, question))
        units.append(Unit("faq_a", entry.id, 0, entry.answer, "vi", f"{entry.question}\n{entry.answer}"))
        if entry.en:
            units.append(Unit("faq_a", entry.id, 1, entry.en.answer, "en",
                              f"{entry.en.question}\n{entry.en.answer}"))
    sentences: list[Sentence] = []
    for article in knowledge.articles.values():
        for passage in chunk_article(article):
            units.append(Unit("passage", article.id, passage.number, passage.text, article.language,
                              f"{article.title}\n{passage.text}"))
            sentences += [Sentence(article.id, passage.number, s) for s in passage.sentences]
    return units, sentences


def _text_key(embedder_name: str, role: str, text: str) -> str:
    return hashlib.sha1(f"{embedder_name}\x00{role}\x00{text}".encode()).hexdigest()


def _previous_vectors(index_dir: Path, embedder_name: str) -> dict[str, np.ndarray]:
    """Vectors of the live index keyed by text, for reuse when a rebuild keeps a chunk unchanged."""
    try:
        data = load_index(index_dir)
    except (IndexUnusable, OSError, ValueError, KeyError):
        return {}
    if data.manifest.get("embedder") != embedder_name:
        return {}
    cache = {_text_key(embedder_name, "p", u.embed_text): data.vectors[i] for i, u in enumerate(data.units)}
    for i, s in enumerate(data.sentences):
        cache[_text_key(embedder_name, "p", s.text)] = data.sentence_vectors[i]
    return cache


def _embed_reusing(embedder: Embedder, texts: list[str], cache: dict[str, np.ndarray]) -> tuple[np.ndarray, int]:
    keys = [_text_key(embedder.name, "p", t) for t in texts]
    missing = sorted({t for t, k in zip(texts, keys, strict=True) if k not in cache})
    if missing:
        fresh = embedder.embed_passages(missing)
        for text, vec in zip(missing, fresh, strict=True):
            cache[_text_key(embedder.name, "p", text)] = vec
    out = np.zeros((len(texts), embedder.dim), dtype=np.float32)
    for i, k in enumerate(keys):
        out[i] = cache[k]
    return out, len(missing)


# areas/ too: the area-only entries are indexed, and the province list and offices are what a replica without
# the knowledge directory answers with (a server that has it reads those two live: app.knowledge.loader)
KNOWLEDGE_FILES = ("articles/*.md", "faq/*.yaml", "sources.yaml", "sources/*.yaml", "synonyms.yaml", "areas/*.yaml")


def _snapshot_knowledge(source: Path, target: Path) -> None:
    """Copy the knowledge files into the index, so a server answers from exactly what was indexed."""
    for pattern in KNOWLEDGE_FILES:
        for path in source.glob(pattern):
            dest = target / path.relative_to(source)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, dest)


def build_index(knowledge: Knowledge, embedder: Embedder, index_dir: Path,
                knowledge_dir: Path | None = None,
                extras: Callable[[IndexData], dict[str, Any]] | None = None,
                mode: BuildMode = "force") -> dict[str, Any]:
    """Build the index into a new version directory and switch the manifest to it atomically.

    With `knowledge_dir`, its files are copied into the version so replicas sharing only the index
    volume serve the same knowledge. `extras` is given the new index before it goes live and returns
    further JSON files (name -> content) fitted on it, saved and checksummed with the version.
    `mode` says what the build may replace (app.index.pointer; BuildRefused before any work); the new
    version is the live generation + 1 and goes live only if no other build did meanwhile (BuildConflict).
    Returns the new manifest (with `embedded`, the number of texts that needed new vectors).
    """
    index_dir.mkdir(parents=True, exist_ok=True)
    live = read_live(index_dir)
    check_build(live, knowledge.content_hash, embedder.name, mode)
    units, sentences = make_units(knowledge)
    cache = _previous_vectors(index_dir, embedder.name)
    vectors, fresh_units = _embed_reusing(embedder, [u.embed_text for u in units], cache)
    sentence_vectors, fresh_sentences = _embed_reusing(embedder, [s.text for s in sentences], cache)

    built = dt.datetime.now(dt.UTC)
    version = f"{knowledge.content_hash}-{built.strftime('%Y%m%d%H%M%S%f')}"
    staging = Path(tempfile.mkdtemp(prefix=".build-", dir=index_dir))
    try:
        np.save(staging / "vectors.npy", vectors)
        np.save(staging / "sentence_vectors.npy", sentence_vectors)
        _write_json(staging / "units.json", [asdict(u) for u in units])
        _write_json(staging / "sentences.json", [asdict(s) for s in sentences])
        if knowledge_dir is not None:
            _snapshot_knowledge(knowledge_dir, staging / "knowledge")
        extra_files = extras(_index_data({"dim": embedder.dim, "path": str(staging)}, units, vectors, sentences,
                                         sentence_vectors)) if extras else {}
        for name, content in extra_files.items():
            _write_json(staging / name, content)
        version_dir = index_dir / f"v-{version}"
        manifest = {
            "format": FORMAT,
            "generation": live.generation + 1,
            "version": version,
            "dir": version_dir.name,
            "embedder": embedder.name,
            "dim": embedder.dim,
            "knowledge_hash": knowledge.content_hash,
            "knowledge_history": next_history(live, knowledge.content_hash),
            "built_at": built.isoformat(timespec="seconds"),
            "app_version": __version__,
            "units": len(units),
            "sentences": len(sentences),
            "checksums": {name: _sha256(staging / name) for name in
                          ("vectors.npy", "sentence_vectors.npy", "units.json", "sentences.json", *extra_files)},
        }
        # the version carries its generation from the moment it exists, so no cleanup takes it for an old one
        _write_json(staging / BUILD_RECORD, manifest)
        os.replace(staging, version_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    try:
        swap_pointer(index_dir, manifest, live)
    except BaseException:
        shutil.rmtree(version_dir, ignore_errors=True)
        raise
    _remove_old_versions(index_dir, manifest)
    manifest["embedded"] = fresh_units + fresh_sentences
    return manifest


def _remove_old_versions(index_dir: Path, live: dict[str, Any], spare: int = 1) -> None:
    """Delete versions of lower generations than the live one, keeping the newest `spare` for readers still on
    them; a version of a higher generation belongs to a build still running and is left to it."""
    # another build may remove its own discarded version or staging directory while this one looks
    dated = [(t, p) for p in index_dir.glob("v-*") if p.name != live["dir"]
             and built_generation(p) < live["generation"] and (t := _mtime(p)) is not None]
    olds = [p for _, p in sorted(dated)]
    for path in olds[: max(len(olds) - spare, 0)]:
        shutil.rmtree(path, ignore_errors=True)
    for path in index_dir.glob(".build-*"):
        if (_mtime(path) or float("inf")) < dt.datetime.now().timestamp() - 3600:
            shutil.rmtree(path, ignore_errors=True)


def _mtime(path: Path) -> float | None:
    """When a directory was last changed, or None when it is gone."""
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_manifest(manifest: dict[str, Any], embedder_name: str, knowledge_hash: str | None) -> None:
    """Refuse an index built with another embedder, or from other knowledge, saying what to run."""
    if manifest.get("embedder") != embedder_name:
        raise IndexUnusable(
            f"index was built with embedder '{manifest.get('embedder')}' but the settings ask for "
            f"'{embedder_name}': run `make index` with the same EMBEDDER setting")
    if knowledge_hash is not None and manifest.get("knowledge_hash") != knowledge_hash:
        raise IndexUnusable("index is stale: knowledge/ changed since it was built: run `make index`")


def load_index(index_dir: Path) -> IndexData:
    """Load the live index version, verifying checksums; IndexUnusable on any problem."""
    manifest = read_manifest(index_dir)
    version_dir = index_dir / str(manifest.get("dir", ""))
    try:
        for name, expected in manifest["checksums"].items():
            if _sha256(version_dir / name) != expected:
                raise IndexUnusable(f"index file {version_dir / name} is corrupted: run `make index`")
        units = [Unit(**u) for u in json.loads((version_dir / "units.json").read_text(encoding="utf-8"))]
        sentences = [Sentence(**s) for s in
                     json.loads((version_dir / "sentences.json").read_text(encoding="utf-8"))]
        vectors = np.load(version_dir / "vectors.npy")
        sentence_vectors = np.load(version_dir / "sentence_vectors.npy")
    except (OSError, KeyError, TypeError, ValueError) as exc:
        raise IndexUnusable(f"index in {version_dir} cannot be read ({exc}): run `make index`") from exc
    if vectors.shape != (len(units), manifest["dim"]) or len(sentence_vectors) != len(sentences):
        raise IndexUnusable(f"index in {version_dir} is inconsistent: run `make index`")
    return _index_data({**manifest, "path": str(version_dir)}, units, vectors, sentences, sentence_vectors)


def _index_data(manifest: dict[str, Any], units: list[Unit], vectors: np.ndarray, sentences: list[Sentence],
                sentence_vectors: np.ndarray) -> IndexData:
    # inner product equals cosine on normalised vectors
    dense = faiss.IndexFlatIP(int(manifest["dim"]))
    dense.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return IndexData(manifest, units, vectors, sentences, sentence_vectors, dense)
