"""The benchmark's pure helpers on tiny inputs: percentiles, synthetic knowledge bases, the table and its JSON."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from app.index.embedder import HashEmbedder
from app.index.store import build_index, load_index, make_units
from app.knowledge.loader import load_knowledge
from app.settings import ROOT
from bench.__main__ import pick_pool
from bench.index_compare import dense_rows, recombined_vectors
from bench.inprocess import DenseBaseline
from bench.report import Row, format_number, format_table, rows_from_json, to_json
from bench.stats import percentile, summarize
from bench.synthetic import make_synthetic_kb, question_key
from tests.conftest import write_small_kb


def test_percentile_interpolates_between_ranks() -> None:
    assert percentile([4.0, 1.0, 3.0, 2.0], 50) == 2.5
    assert percentile([4.0, 1.0, 3.0, 2.0], 0) == 1.0
    assert percentile([4.0, 1.0, 3.0, 2.0], 100) == 4.0
    assert percentile([7.0], 99) == 7.0
    assert percentile([float(i) for i in range(1, 101)], 95) == pytest.approx(95.05)


def test_percentile_refuses_no_values_and_bad_ranks() -> None:
    with pytest.raises(ValueError):
        percentile([], 50)
    with pytest.raises(ValueError):
        percentile([1.0], 101)


def test_summary_orders_its_percentiles() -> None:
    summary = summarize([10.0, 1.0, 2.0, 3.0, 100.0])
    assert summary.n == 5
    assert summary.p50 == 3.0
    assert summary.p50 <= summary.p95 <= summary.p99 <= 100.0


def _unit_count(kb: Path) -> int:
    return len(make_units(load_knowledge(kb))[0])


@pytest.mark.parametrize("factor", [1, 3])
def test_synthetic_kb_is_valid_and_of_the_requested_size(tmp_path: Path, factor: int) -> None:
    source = write_small_kb(tmp_path / "small")
    target = make_synthetic_kb(source, tmp_path / "synthetic", factor, seed=1)
    base, grown = load_knowledge(source), load_knowledge(target)
    assert len(grown.faqs) == factor * len(base.faqs)
    assert len(grown.articles) == factor * len(base.articles)
    assert set(base.faqs) <= set(grown.faqs)
    assert _unit_count(target) == pytest.approx(factor * _unit_count(source), rel=0.1)


def test_synthetic_kb_from_the_real_knowledge_base(tmp_path: Path) -> None:
    target = make_synthetic_kb(ROOT / "knowledge", tmp_path / "kb", 2, seed=2)
    grown = load_knowledge(target)
    keys = [question_key(q) for e in grown.faqs.values() for _, q in e.all_questions()]
    assert len(keys) == len(set(keys))
    assert _unit_count(target) == pytest.approx(2 * _unit_count(ROOT / "knowledge"), rel=0.1)


def test_synthetic_kb_refuses_a_factor_below_one(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        make_synthetic_kb(write_small_kb(tmp_path), tmp_path / "out", 0)


def test_table_round_trips_through_json() -> None:
    rows = [
        Row("embedding", "bare query embedding p50 / p95", (36.21, 41.0), "ms", "n=200"),
        Row("quality", "Recall@5 dev, ours / dense-only", (0.9876, 0.8), "recall"),
        Row("ratios", "uncached p50 / bare", (1.234,), "ratio", "goal <= 1.3"),
        Row("answer cache", "Assistant.chat p50", (25.5,), "µs"),
        Row("index 100x", "skipped", (), ""),
        Row("http", "cached p50", (None,), "ms"),
    ]
    table = format_table(rows, "bench test")
    saved = json.loads(json.dumps(to_json("bench test", rows, {"cores": 2}, {"x": 1}), ensure_ascii=False))
    assert rows_from_json(saved) == rows
    assert format_table(rows_from_json(saved), saved["title"]) == table
    lines = table.splitlines()
    assert lines[0] == "bench test"
    assert "36.2 / 41.0 ms" in table and "0.988 / 0.800" in table and "1.23" in table and "n/a ms" in table
    assert lines[1].startswith("section") and set(lines[2]) == {"-", " "}
    assert len({line.index(row.measure) for line, row in zip(lines[3:], rows, strict=True)}) == 1


def test_numbers_get_decimals_by_unit_and_magnitude() -> None:
    assert format_number(1234.5, "ms") == "1,234"
    assert format_number(12.345, "ms") == "12.3"
    assert format_number(1.2345, "s") == "1.23"
    assert format_number(0.5, "ratio") == "0.50"
    assert format_number(None, "ms") == "n/a"


def test_question_pool_has_one_question_per_cache_key() -> None:
    pool = pick_pool(["Đề án 06 là gì?", "đề án 06   là gì", "Đề án 06 là gì ạ", "de an 06 la gi"])
    assert len(pool) == 3
    assert pool == pick_pool(["Đề án 06 là gì?", "đề án 06   là gì", "Đề án 06 là gì ạ", "de an 06 la gi"])


def test_dense_baseline_ranks_distinct_refs(tmp_path: Path) -> None:
    kb = write_small_kb(tmp_path)
    embedder = HashEmbedder()
    build_index(load_knowledge(kb), embedder, tmp_path / "index")
    baseline = DenseBaseline(load_index(tmp_path / "index"), embedder)
    ranking = baseline.ranked_ids("dang ky dinh danh muc 2 o dau")
    assert ranking[0] == "vneid-muc-2"
    assert len(ranking) == len(set(ranking))


def test_recombined_vectors_keep_the_real_ones_and_stay_unit_length() -> None:
    real = HashEmbedder(dim=32).embed_passages(["đăng ký tạm trú", "cấp căn cước", "định danh mức 2"])
    vectors = recombined_vectors(real, 50, seed=1)
    assert vectors.shape == (50, 32)
    assert np.allclose(vectors[:3], real)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_dense_comparison_finds_every_neighbour_when_ivf_probes_every_list() -> None:
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((400, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    rows = dense_rows("compare", vectors, vectors[:5])
    # 400 vectors make 20 lists: 32 and 64 probes scan them all, so the search is exact
    assert [r.note.split(";")[0] for r in rows if "nprobe=64" in r.measure] == ["recall@10 1.000, @60 1.000"]
    assert rows[0].measure.startswith("FAISS IndexFlatIP")
