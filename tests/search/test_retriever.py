from pathlib import Path

import pytest

from app.index.embedder import HashEmbedder
from app.index.store import build_index, load_index
from app.knowledge.loader import load_knowledge
from app.search.retriever import RetrievalConfig, Retriever
from app.text.query import SynonymExpander, process_query
from tests.conftest import write_small_kb


@pytest.fixture()
def retriever(tmp_path: Path) -> Retriever:
    kb = load_knowledge(write_small_kb(tmp_path))
    build_index(kb, HashEmbedder(), tmp_path / "index")
    return Retriever(load_index(tmp_path / "index"), HashEmbedder(), RetrievalConfig())


def test_each_faq_entry_appears_once_however_many_phrasings_match(retriever: Retriever):
    hits = retriever.search(process_query("định danh điện tử mức 2", None), k=10)
    refs = [h.unit.ref for h in hits if h.unit.kind != "passage"]
    assert len(refs) == len(set(refs))


def test_folded_field_matches_text_typed_without_diacritics(retriever: Retriever):
    query = process_query("dia chi cong dich vu cong quoc gia", None)
    assert retriever.lexical_scores(query).max() > 0
    assert retriever.search(query, k=1)[0].unit.ref == "dvc-dia-chi"


def test_abbreviation_expansion_reaches_the_entry(retriever: Retriever):
    expander = SynonymExpander({"ĐDĐT": ["định danh điện tử"]})
    hits = retriever.search(process_query("ĐDĐT mức 1 tự làm trên điện thoại", expander), k=1)
    assert hits[0].unit.ref == "vneid-muc-1"


def test_confidence_is_bounded_and_rrf_keeps_it(retriever: Retriever):
    query = process_query("Đề án 06 là gì", None)
    weighted = retriever.search(query, k=5)
    rrf = Retriever(retriever.index, retriever.embedder, RetrievalConfig(fusion="rrf")).search(query, k=5)
    assert all(0.0 <= h.confidence <= 1.0 for h in weighted)
    assert {h.unit.ref: h.confidence for h in weighted} == {h.unit.ref: h.confidence for h in rrf}
    assert rrf[0].unit.ref == "da06-la-gi"
