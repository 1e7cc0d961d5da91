"""Generations, what each build mode may replace, the compare-and-swap of the live pointer, malformed manifests."""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path
from typing import Any

import pytest

from app.index import store
from app.index.embedder import HashEmbedder
from app.index.pointer import BuildConflict, BuildRefused, read_live
from app.index.store import IndexUnusable, build_index, load_index, read_manifest
from app.knowledge.loader import load_knowledge
from app.knowledge.models import Knowledge
from tests.conftest import write_small_kb

OLD_ANSWER = "Địa chỉ là dichvucong.gov.vn."


@pytest.fixture()
def kb_dir(tmp_path: Path) -> Path:
    return write_small_kb(tmp_path)


class _OtherEmbedder(HashEmbedder):
    name = "hash:other"


def _edited(kb_dir: Path, text: str) -> Knowledge:
    """The small knowledge base with the portal's address answer replaced by `text` (other knowledge)."""
    faq = kb_dir / "faq" / "faq.yaml"
    faq.write_text(faq.read_text(encoding="utf-8").replace(OLD_ANSWER, text), encoding="utf-8")
    return load_knowledge(kb_dir)


def _manifest_bytes(index_dir: Path) -> bytes:
    return (index_dir / "manifest.json").read_bytes()


def test_each_build_is_the_live_generation_plus_one_and_remembers_the_knowledge_it_replaced(kb_dir: Path,
                                                                                            tmp_path: Path):
    index_dir = tmp_path / "index"
    a = load_knowledge(kb_dir)
    assert build_index(a, HashEmbedder(), index_dir, mode="forward")["generation"] == 1
    assert build_index(a, HashEmbedder(), index_dir, mode="forward")["generation"] == 2
    b = _edited(kb_dir, "Địa chỉ: dichvucong.gov.vn.")
    third = build_index(b, HashEmbedder(), index_dir, mode="forward")
    assert third["generation"] == 3
    assert third["knowledge_history"] == [a.content_hash]
    assert read_manifest(index_dir)["generation"] == load_index(index_dir).generation == 3


def test_a_manifest_without_a_generation_is_generation_0_and_the_next_build_is_1(kb_dir: Path, tmp_path: Path):
    index_dir = tmp_path / "index"
    build_index(load_knowledge(kb_dir), HashEmbedder(), index_dir)
    old = json.loads(_manifest_bytes(index_dir))
    # as an earlier release wrote it: no generation, no history, no build record in the version
    for field in ("generation", "knowledge_history"):
        old.pop(field)
    (index_dir / old["dir"] / "build.json").unlink()
    (index_dir / "manifest.json").write_text(json.dumps(old), encoding="utf-8")
    assert read_manifest(index_dir)["generation"] == 0 and load_index(index_dir).generation == 0
    assert build_index(load_knowledge(kb_dir), HashEmbedder(), index_dir, mode="if-stale")["generation"] == 1


def test_if_stale_builds_a_missing_index_and_repairs_its_own_but_never_replaces_other_knowledge(kb_dir: Path,
                                                                                                tmp_path: Path):
    index_dir = tmp_path / "index"
    a = load_knowledge(kb_dir)
    build_index(a, HashEmbedder(), index_dir, mode="if-stale")
    live = read_manifest(index_dir)
    (index_dir / live["dir"] / "vectors.npy").write_bytes(b"broken")  # same knowledge, does not load: repair
    assert build_index(a, HashEmbedder(), index_dir, mode="if-stale")["generation"] == 2
    before = _manifest_bytes(index_dir)

    b = _edited(kb_dir, "Địa chỉ: dichvucong.gov.vn.")
    with pytest.raises(BuildRefused, match="other knowledge") as refused:
        build_index(b, HashEmbedder(), index_dir, mode="if-stale")
    assert "python -m app index" in str(refused.value)
    with pytest.raises(BuildRefused, match="another embedder"):
        build_index(a, _OtherEmbedder(), index_dir, mode="if-stale")
    assert _manifest_bytes(index_dir) == before
    assert {p.name for p in index_dir.glob("v-*")} >= {read_manifest(index_dir)["dir"]}
    assert not list(index_dir.glob(".build-*")), "a refused build does no work"


def test_forward_publishes_new_knowledge_but_not_knowledge_a_later_generation_replaced(kb_dir: Path,
                                                                                      tmp_path: Path):
    index_dir = tmp_path / "index"
    a = load_knowledge(kb_dir)
    build_index(a, HashEmbedder(), index_dir, mode="forward")
    b = _edited(kb_dir, "Địa chỉ: dichvucong.gov.vn.")
    assert build_index(b, HashEmbedder(), index_dir, mode="forward")["generation"] == 2
    before = _manifest_bytes(index_dir)
    with pytest.raises(BuildRefused, match="take the answers back") as refused:
        build_index(a, HashEmbedder(), index_dir, mode="forward")
    assert "--force" in str(refused.value)
    assert _manifest_bytes(index_dir) == before

    # a deliberate rollback is a new, higher generation, which every replica then follows
    rolled_back = build_index(a, HashEmbedder(), index_dir, mode="force")
    assert rolled_back["generation"] == 3 and rolled_back["knowledge_hash"] == a.content_hash
    assert rolled_back["knowledge_history"] == [b.content_hash]


def test_a_broken_pointer_does_not_reset_the_generation(kb_dir: Path, tmp_path: Path):
    index_dir = tmp_path / "index"
    kb = load_knowledge(kb_dir)
    for _ in range(3):
        build_index(kb, HashEmbedder(), index_dir)
    (index_dir / "manifest.json").write_text('{"format": 1, "vers', encoding="utf-8")
    assert read_live(index_dir).generation == 3  # the version directories remember theirs
    with pytest.raises(BuildRefused, match="cannot be read"):
        build_index(kb, HashEmbedder(), index_dir, mode="if-stale")
    assert build_index(kb, HashEmbedder(), index_dir, mode="forward")["generation"] == 4


def test_a_manifest_of_a_newer_release_is_replaced_only_by_force(kb_dir: Path, tmp_path: Path):
    index_dir = tmp_path / "index"
    kb = load_knowledge(kb_dir)
    build_index(kb, HashEmbedder(), index_dir)
    newer = {**json.loads(_manifest_bytes(index_dir)), "format": 2}
    (index_dir / "manifest.json").write_text(json.dumps(newer), encoding="utf-8")
    with pytest.raises(IndexUnusable, match="newer release"):
        read_manifest(index_dir)
    for mode in ("if-stale", "forward"):
        with pytest.raises(BuildRefused, match="newer release"):
            build_index(kb, HashEmbedder(), index_dir, mode=mode)  # type: ignore[arg-type]
    assert build_index(kb, HashEmbedder(), index_dir, mode="force")["generation"] == 2


def test_two_builders_started_from_one_generation_cannot_both_win(kb_dir: Path, tmp_path: Path):
    index_dir = tmp_path / "index"
    a = load_knowledge(kb_dir)
    build_index(a, HashEmbedder(), index_dir)
    b = _edited(kb_dir, "Địa chỉ: dichvucong.gov.vn.")
    both_built = threading.Barrier(2, timeout=60)

    def wait_for_the_other(_: Any) -> dict[str, Any]:
        both_built.wait()  # both have read generation 1 as live and built their version: now both swap
        return {}

    outcomes: dict[str, Any] = {}

    def build(name: str, kb: Knowledge) -> None:
        try:
            outcomes[name] = build_index(kb, HashEmbedder(), index_dir, extras=wait_for_the_other, mode="forward")
        except BuildConflict as exc:
            outcomes[name] = exc

    threads = [threading.Thread(target=build, args=(n, kb)) for n, kb in (("a", a), ("b", b))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    winners = [o for o in outcomes.values() if isinstance(o, dict)]
    losers = [o for o in outcomes.values() if isinstance(o, BuildConflict)]
    assert len(winners) == 1 and len(losers) == 1, outcomes
    assert "another build went live" in str(losers[0]) and "nothing changed" in str(losers[0])
    live = read_manifest(index_dir)
    assert live["generation"] == 2 and live["version"] == winners[0]["version"]
    assert load_index(index_dir).version == live["version"]
    # the loser's version is gone; the next build goes on from the winner's generation
    assert len(list(index_dir.glob("v-*"))) == 2
    assert build_index(a, HashEmbedder(), index_dir)["generation"] == 3


def _drop(field: str) -> Any:
    return lambda m: {k: v for k, v in m.items() if k != field}


MALFORMED: dict[str, tuple[Any, str]] = {
    "dim missing": (_drop("dim"), "field 'dim' is missing"),
    "dim a string": (lambda m: {**m, "dim": "384"}, "field 'dim' is of type str"),
    "dim a boolean": (lambda m: {**m, "dim": True}, "field 'dim' is of type bool"),
    "checksums a list": (lambda m: {**m, "checksums": ["vectors.npy"]}, "field 'checksums' is of type list"),
    "generation a string": (lambda m: {**m, "generation": "7"}, "field 'generation' is of type str"),
    "negative generation": (lambda m: {**m, "generation": -1}, "out of range"),
    "dir outside the index": (lambda m: {**m, "dir": "../elsewhere"}, "not a directory inside the index"),
    "checksum of a file outside": (lambda m: {**m, "checksums": {"../../etc/passwd": "0"}}, "names a file outside"),
    "not an object": (lambda m: [m], "not a JSON object"),
}


@pytest.mark.parametrize("case", MALFORMED)
def test_a_malformed_manifest_is_refused_with_the_field_that_is_wrong(kb_dir: Path, tmp_path: Path, case: str):
    index_dir = tmp_path / "index"
    build_index(load_knowledge(kb_dir), HashEmbedder(), index_dir)
    damage, reason = MALFORMED[case]
    (index_dir / "manifest.json").write_text(json.dumps(damage(json.loads(_manifest_bytes(index_dir)))))
    for read in (read_manifest, load_index):
        with pytest.raises(IndexUnusable, match="make index") as refused:
            read(index_dir)
        assert reason in str(refused.value)


def test_a_manifest_that_is_a_directory_is_refused_and_never_built_over(kb_dir: Path, tmp_path: Path):
    index_dir = tmp_path / "index"
    (index_dir / "manifest.json").mkdir(parents=True)
    with pytest.raises(IndexUnusable, match="is a directory"):
        load_index(index_dir)
    for mode in ("if-stale", "forward", "force"):
        with pytest.raises(BuildRefused, match="is a directory"):
            build_index(load_knowledge(kb_dir), HashEmbedder(), index_dir, mode=mode)  # type: ignore[arg-type]


def test_a_version_another_build_removes_meanwhile_does_not_fail_the_live_one(
        kb_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    index_dir = tmp_path / "index"
    build_index(load_knowledge(kb_dir), HashEmbedder(), index_dir)
    build_index(_edited(kb_dir, "Địa chỉ: dichvucong.gov.vn."), HashEmbedder(), index_dir, mode="force")
    real = store.built_generation

    def removed_by_another_build(version_dir: Path) -> int:
        generation = real(version_dir)
        shutil.rmtree(version_dir)  # the other build's clean-up, between listing and dating
        return generation

    monkeypatch.setattr(store, "built_generation", removed_by_another_build)
    manifest = build_index(load_knowledge(kb_dir), HashEmbedder(), index_dir, mode="force")
    assert read_manifest(index_dir)["version"] == manifest["version"]
