"""The live pointer `manifest.json`: read and checked, numbered by generation, and swapped only by a build
that still replaces the manifest it started from (compare-and-swap under a file lock).

Generations only move forward: each build is the live generation + 1 (a manifest without one, from an
older release, is generation 0). Whether a build may replace the live index at all depends on how it
was asked for (`BuildMode`):

- "if-stale" (automatic: `python -m app index --if-stale`): only when there is no index yet, or the
  live one holds the same knowledge and embedder (a repair); never over other knowledge;
- "forward" (an operator's build: `python -m app index`, POST /admin/reindex): over other knowledge,
  but not back to knowledge a later generation already replaced (a rollout of an older image);
- "force" (`--force`): whatever is live, for a deliberate rollback; it still makes a newer generation.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

FORMAT = 1
MANIFEST = "manifest.json"
LOCK = ".lock"
BUILD_RECORD = "build.json"  # a copy of the manifest inside its version directory
HISTORY = 50  # knowledge hashes of earlier generations kept in the manifest
BuildMode = Literal["if-stale", "forward", "force"]

# field -> accepted types; a manifest missing one of these, or with another type, is refused
REQUIRED: dict[str, type | tuple[type, ...]] = {
    "version": str, "dir": str, "embedder": str, "dim": int, "knowledge_hash": str, "checksums": dict,
}
OPTIONAL: dict[str, type | tuple[type, ...]] = {"generation": int, "knowledge_history": list}


class IndexUnusable(RuntimeError):
    """The index is missing, stale, corrupted or built with other settings; the message says what to run."""


class NewerFormat(IndexUnusable):
    """The manifest was written by a newer release of the app: this one neither reads nor replaces it."""


class BuildRefused(RuntimeError):
    """The build would replace a live index it must not (other or superseded knowledge); nothing changed."""


class BuildConflict(RuntimeError):
    """Another build went live while this one ran; this one was discarded and nothing changed."""


def _plain_name(value: str) -> bool:
    return bool(value) and "/" not in value and "\\" not in value and value not in {".", ".."}


def parse_manifest(raw: bytes, path: Path) -> dict[str, Any]:
    """The manifest in `raw`, every field the server reads checked; IndexUnusable saying what is wrong."""
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise IndexUnusable(f"index manifest {path} is corrupted ({exc}): run `make index`") from exc
    if not isinstance(manifest, dict):
        raise IndexUnusable(f"index manifest {path} is malformed (not a JSON object): run `make index`")
    found = manifest.get("format")
    if isinstance(found, int) and not isinstance(found, bool) and found > FORMAT:
        raise NewerFormat(f"index manifest {path} has format {found}, written by a newer release of the app "
                          f"(this one reads format {FORMAT}): serve that release, or replace the index on "
                          "purpose with `python -m app index --force`")
    if found != FORMAT or isinstance(found, bool):
        raise IndexUnusable(f"index in {path.parent} has an unknown format: run `make index`")
    problem = _field_problem(manifest)
    if problem:
        raise IndexUnusable(f"index manifest {path} is malformed (field {problem}): run `make index`")
    manifest.setdefault("generation", 0)
    return manifest


def _field_problem(manifest: dict[str, Any]) -> str | None:
    """What is wrong with the first field that is missing, of the wrong type or out of range; None if nothing."""
    for fields, required in ((REQUIRED, True), (OPTIONAL, False)):
        for name, kind in fields.items():
            if name not in manifest:
                if required:
                    return f"'{name}' is missing"
                continue
            value = manifest[name]
            if not isinstance(value, kind) or isinstance(value, bool):
                return f"'{name}' is of type {type(value).__name__}"
    if manifest["dim"] <= 0 or manifest.get("generation", 0) < 0:
        return "'dim' or 'generation' is out of range"
    if not _plain_name(manifest["dir"]):
        return "'dir' is not a directory inside the index"
    if not all(_plain_name(k) and isinstance(v, str) for k, v in manifest["checksums"].items()):
        return "'checksums' names a file outside the version or has a digest that is not text"
    return None


def read_manifest(index_dir: Path) -> dict[str, Any]:
    """The live manifest; IndexUnusable when there is none or it is unreadable or malformed."""
    path = index_dir / MANIFEST
    if not path.exists():
        raise IndexUnusable(f"no index in {index_dir}: run `make index` (python -m app index)")
    if path.is_dir():
        raise IndexUnusable(f"index manifest {path} is a directory, not a file: remove it, then run `make index`")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise IndexUnusable(f"index manifest {path} cannot be read ({exc.strerror}): run `make index`") from exc
    return parse_manifest(raw, path)


@dataclass(frozen=True)
class Live:
    """The pointer as a build found it; the swap goes ahead only while it is still exactly this."""

    token: str | None  # digest of manifest.json's bytes (None: there is none)
    manifest: dict[str, Any] | None  # when it is a valid manifest
    problem: IndexUnusable | None  # why it is not, when there is one
    generation: int  # the highest generation on disk: the live one's or any version directory's

    @property
    def history(self) -> list[str]:
        """Knowledge hashes this index went through, oldest first, the live one last."""
        if self.manifest is None:
            return []
        earlier = [h for h in self.manifest.get("knowledge_history", []) if isinstance(h, str)]
        return [*earlier, self.manifest["knowledge_hash"]]


def _pointer_token(index_dir: Path) -> str | None:
    path = index_dir / MANIFEST
    if path.is_dir():
        return "directory"
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"unreadable: {exc.errno}"


def built_generation(version_dir: Path) -> int:
    """The generation a version directory was built as (-1: a version of an older release, or damaged)."""
    try:
        generation = json.loads((version_dir / BUILD_RECORD).read_text(encoding="utf-8")).get("generation")
    except (OSError, ValueError, AttributeError):
        return -1
    return generation if isinstance(generation, int) and not isinstance(generation, bool) else -1


def read_live(index_dir: Path) -> Live:
    """What the live pointer holds now, for deciding a build and comparing at its swap."""
    token = _pointer_token(index_dir)
    manifest: dict[str, Any] | None = None
    problem: IndexUnusable | None = None
    if token is not None:
        try:
            manifest = read_manifest(index_dir)
        except IndexUnusable as exc:
            problem = exc
    live_generation = manifest["generation"] if manifest else 0
    # the versions on disk remember their generations even when the pointer is broken
    recorded = (built_generation(path) for path in index_dir.glob("v-*"))
    return Live(token, manifest, problem, max([live_generation, *recorded]))


def _describe(manifest: dict[str, Any]) -> str:
    return (f"generation {manifest['generation']}, knowledge {manifest['knowledge_hash']}, embedder "
            f"{manifest['embedder']}, built {manifest.get('built_at', '?')} by app {manifest.get('app_version', '?')}")


def check_build(live: Live, knowledge_hash: str, embedder_name: str, mode: BuildMode) -> None:
    """Refuse (BuildRefused, before any work) a build that `mode` does not allow over the live index."""
    if live.token == "directory":
        raise BuildRefused(f"{MANIFEST} in the index directory is a directory: remove it, then build again")
    if mode == "force" or live.token is None:
        return
    if live.manifest is None:
        if mode == "forward" and not isinstance(live.problem, NewerFormat):
            return  # an operator's build repairs a broken pointer
        raise BuildRefused(f"the live index cannot be read ({live.problem}); not replaced, nothing changed. "
                           "To replace it on purpose: `python -m app index --force`")
    manifest = live.manifest
    same = manifest["knowledge_hash"] == knowledge_hash and manifest["embedder"] == embedder_name
    if mode == "if-stale" and not same:
        raise BuildRefused(
            f"the live index ({_describe(manifest)}) was built from other knowledge or another embedder than this "
            f"one (knowledge {knowledge_hash}, embedder {embedder_name}): not replaced, nothing changed. "
            "`--if-stale` never replaces other knowledge (an older image must not take answers back); to publish "
            "this knowledge on purpose: `python -m app index`")
    if mode == "forward" and knowledge_hash != manifest["knowledge_hash"] and knowledge_hash in live.history:
        raise BuildRefused(
            f"this knowledge ({knowledge_hash}) was live before and a later generation replaced it; the live index "
            f"is {_describe(manifest)}. Building it again would take the answers back: not replaced, nothing "
            "changed. For a deliberate rollback: `python -m app index --force`")


def next_history(live: Live, knowledge_hash: str) -> list[str]:
    """The knowledge hashes the new manifest records as superseded (never its own)."""
    earlier = [h for h in live.history if h != knowledge_hash]
    return list(dict.fromkeys(reversed(earlier)))[::-1][-HISTORY:]


@contextmanager
def _locked(index_dir: Path) -> Iterator[None]:
    # builders only: readers never lock, the manifest replace is atomic for them
    with open(index_dir / LOCK, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def write_json(path: Path, data: Any, atomic: bool = False) -> None:
    """Write JSON (UTF-8, readable); `atomic`: through a temp file and a rename, so readers see old or new."""
    text = json.dumps(data, ensure_ascii=False, indent=1)
    if not atomic:
        path.write_text(text, encoding="utf-8")
        return
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def swap_pointer(index_dir: Path, manifest: dict[str, Any], started_from: Live) -> None:
    """Make `manifest` live if the pointer is still the one the build started from; BuildConflict if not."""
    with _locked(index_dir):
        if _pointer_token(index_dir) != started_from.token:
            now = read_live(index_dir)
            found = _describe(now.manifest) if now.manifest else str(now.problem or "no index")
            raise BuildConflict(
                f"another build went live while this one ran (now: {found}); this build (generation "
                f"{manifest['generation']}) was discarded, nothing changed. Run it again to decide on the new index")
        # replacing the manifest is the atomic switch: a reader sees the old version or the new, never half
        write_json(index_dir / MANIFEST, manifest, atomic=True)
