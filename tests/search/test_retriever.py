from pathlib import Path

import numpy as np
import pytest

from app.index.embedder import HashEmbedder
from app.index.store import build_index, load_index
from app.knowledge.loader import load_knowledge
from app.search.retriever import RetrievalConfig, Retriever, _fields, _top_positive
from app.text.query import SynonymExpander, process_query
from app.text.segment import load_segmenter
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


def test_coverage_is_the_share_of_query_idf_found_in_each_unit(retriever: Retriever):
    terms = ("dinh", "danh", "dien", "tu", "muc", "2", "vneid", "tu-khong-co")
    idf, unseen = retriever.term_idf
    weights = {t: idf.get(t, unseen) for t in terms}
    segmenter = load_segmenter(RetrievalConfig().segmenter)
    units = np.arange(len(retriever.index.units))
    shares = retriever._coverage(terms, units)
    for unit, share in zip(retriever.index.units, shares, strict=True):
        present = set(_fields(unit.text, unit.text, segmenter)[0])
        expected = sum(w for t, w in weights.items() if t in present) / sum(weights.values())
        assert share == pytest.approx(expected, rel=1e-6)
    assert shares.max() > 0


@pytest.mark.parametrize("scores", [
    [0.0, 3.0, 1.0, 2.0, 0.0, 5.0, 4.0],  # distinct
    [2.0, 1.0, 2.0, 0.0, 3.0, 1.0],  # ties at the cut, more than there are places
    [2.0, 1.0, 1.0, 0.0, 3.0],  # ties at the cut that exactly fill the places
    [0.0, 1.0, 0.0],  # fewer positive scores than places
])
def test_lexical_candidates_are_the_best_positive_scores_a_full_sort_picks(scores: list[float]):
    array = np.array(scores, dtype=np.float32)
    ranked = np.argsort(-array)[:3]
    assert sorted(_top_positive(array, 3).tolist()) == sorted(ranked[array[ranked] > 0].tolist())


class CountingEmbedder(HashEmbedder):
    """The hashing embedder, counting its query calls."""

    def __init__(self) -> None:
        super().__init__()
        self.query_calls = 0

    def embed_queries(self, texts):  # type: ignore[no-untyped-def]
        self.query_calls += 1
        return super().embed_queries(texts)


def test_questions_embedded_beforehand_give_the_same_ranking_in_a_few_calls(tmp_path: Path):
    kb = load_knowledge(write_small_kb(tmp_path))
    build_index(kb, HashEmbedder(), tmp_path / "index")
    embedder = CountingEmbedder()
    retriever = Retriever(load_index(tmp_path / "index"), embedder, RetrievalConfig())
    queries = [process_query(f"định danh điện tử mức {n} làm thế nào", None) for n in range(100)]
    ready = retriever.with_query_vectors(queries, batch=64)
    vectors = [ready.embed_query(q) for q in queries]
    hits = [ready.search(q, k=3) for q in queries]
    assert embedder.query_calls == 2  # two batches, and nothing embedded again
    for query, vector, found in zip(queries, vectors, hits, strict=True):
        assert np.array_equal(vector, retriever.embed_query(query))
        assert found == retriever.search(query, k=3)
    other = process_query("địa chỉ cổng dịch vụ công", None)
    assert np.array_equal(ready.embed_query(other), retriever.embed_query(other))
