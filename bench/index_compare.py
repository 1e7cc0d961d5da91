"""`python -m bench.index_compare`: our BM25 against bm25s, FAISS flat against HNSW and IVF, on larger bases.

Lexical: both score the folded BM25 field of every unit of a synthetic knowledge base (bench.synthetic)
for the dev questions; bm25s's "lucene" BM25 is ours divided by k1 + 1, so the rankings must agree.
Dense: real e5 vectors would take hours to embed at 100x, so each unit gets a recombined real vector
(a random blend of two vectors of the live index, normalised), the way the synthetic base recombines
real text, and the dev questions' real query vectors search them. Recall is against the exact flat
search, at 10 and at the retriever's 60 candidates. Every search is one query, FAISS in one thread, as
`Retriever.search` runs it.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import faiss
import numpy as np

from app.answer.questions import load_questions
from app.index.bm25 import BM25
from app.index.embedder import Embedder, load_embedder
from app.index.store import load_index, make_units
from app.knowledge.loader import load_knowledge
from app.settings import ROOT, Settings
from app.text.normalize import fold_diacritics, tokenize
from app.text.query import process_query
from app.text.segment import load_segmenter
from bench.report import Row, format_table
from bench.stats import median
from bench.synthetic import make_synthetic_kb

K1, B = 1.2, 0.75
DEPTH = 60  # SEARCH_CANDIDATES


def folded_field(text: str, segment: Callable[[str], list[str]]) -> list[str]:
    """The folded BM25 field the retriever indexes: syllables plus multi-syllable words, without diacritics."""
    return [fold_diacritics(t) for t in tokenize(text) + segment(text)]


def _p50_ms(run: Callable[[int], object], n: int) -> float:
    times = []
    for i in range(n):
        begin = time.perf_counter()
        run(i)
        times.append((time.perf_counter() - begin) * 1000)
    return median(times)


def _top(scores: np.ndarray, k: int) -> list[int]:
    order = np.argsort(-scores, kind="stable")[:k]
    return order[scores[order] > 0].tolist()


def lexical_rows(section: str, fields: Sequence[list[str]], queries: Sequence[list[str]]) -> list[Row]:
    """Build time and scoring p50 of our BM25 and bm25s on the same tokens, and whether their top 60 agree."""
    begin = time.perf_counter()
    ours = BM25(fields, K1, B)
    ours_build = time.perf_counter() - begin
    try:
        import bm25s
    except ImportError:
        ours_ms = _p50_ms(lambda i: ours.score(queries[i]), len(queries))
        return [Row(section, "BM25 ours: score all units p50", (ours_ms,), "ms", f"build {ours_build:.1f} s"),
                Row(section, "BM25 bm25s: skipped (pip install -e '.[bench]')", (), "")]
    begin = time.perf_counter()
    theirs = bm25s.BM25(k1=K1, b=B, method="lucene")
    theirs.index(list(fields), show_progress=False)
    theirs_build = time.perf_counter() - begin
    vocab = theirs.vocab_dict
    known = [[t for t in q if t in vocab] for q in queries]
    ids = [theirs.get_tokens_ids(q) if q else [] for q in known]
    zeros = np.zeros(len(fields), dtype=np.float32)

    def theirs_score(i: int) -> np.ndarray:
        return theirs.get_scores_from_ids(ids[i]) if ids[i] else zeros

    agree = 0
    worst = 0.0
    for i, query in enumerate(queries):
        a, b = ours.score(query), theirs_score(i) * (K1 + 1)
        worst = max(worst, float(np.abs(a - b).max() / max(float(a.max()), 1e-9)))
        agree += _top(a, DEPTH) == _top(b, DEPTH)
    ours_ms = _p50_ms(lambda i: ours.score(queries[i]), len(queries))
    theirs_ms = _p50_ms(theirs_score, len(queries))
    same = f"same top {DEPTH} on {agree}/{len(queries)} queries, largest score difference {worst:.1e} of the top"
    return [Row(section, "BM25 ours: score all units p50", (ours_ms,), "ms", f"build {ours_build:.1f} s"),
            Row(section, "BM25 bm25s (lucene): score all units p50", (theirs_ms,), "ms",
                f"build {theirs_build:.1f} s; {same}")]


def recombined_vectors(real: np.ndarray, n: int, seed: int = 0) -> np.ndarray:
    """`n` unit vectors, each a random blend of two real ones (the real ones first), normalised."""
    rng = np.random.default_rng(seed)
    a, b = rng.integers(0, len(real), n), rng.integers(0, len(real), n)
    weight = rng.uniform(0.5, 1.0, (n, 1)).astype(np.float32)
    out = weight * real[a] + (1 - weight) * real[b]
    out[: min(len(real), n)] = real[:n]
    return np.ascontiguousarray(out / np.linalg.norm(out, axis=1, keepdims=True), dtype=np.float32)


def dense_rows(section: str, vectors: np.ndarray, queries: np.ndarray) -> list[Row]:
    """Search p50 and recall@10 / @60 against exact search of FAISS flat, HNSW and IVF."""
    dim = vectors.shape[1]

    def searched(index: faiss.Index) -> tuple[float, np.ndarray]:
        found = np.zeros((len(queries), DEPTH), dtype=np.int64)

        def one(i: int) -> None:
            found[i] = index.search(queries[i: i + 1], DEPTH)[1][0]
        return _p50_ms(one, len(queries)), found

    def recall(found: np.ndarray, k: int) -> float:
        return float(np.mean([len(set(f[:k]) & set(e[:k])) / k for f, e in zip(found, exact, strict=True)]))

    threads = faiss.omp_get_max_threads()
    flat = faiss.IndexFlatIP(dim)
    flat.add(vectors)
    all_threads_ms, exact = searched(flat)
    faiss.omp_set_num_threads(1)
    flat_ms, _ = searched(flat)
    rows = [Row(section, "FAISS IndexFlatIP (exact) p50", (flat_ms,), "ms",
                f"{len(vectors):,} vectors; {all_threads_ms:.1f} ms with FAISS's {threads} threads")]
    faiss.omp_set_num_threads(threads)
    begin = time.perf_counter()
    hnsw = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
    hnsw.add(vectors)
    hnsw_build = time.perf_counter() - begin
    nlist = int(np.sqrt(len(vectors)))
    begin = time.perf_counter()
    ivf = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, nlist, faiss.METRIC_INNER_PRODUCT)
    ivf.train(vectors)
    ivf.add(vectors)
    ivf_build = time.perf_counter() - begin
    faiss.omp_set_num_threads(1)
    for ef in (64, 128):
        hnsw.hnsw.efSearch = ef
        ms, found = searched(hnsw)
        rows.append(Row(section, f"FAISS HNSW M=32 efSearch={ef}: p50", (ms,), "ms",
                        f"recall@10 {recall(found, 10):.3f}, @{DEPTH} {recall(found, DEPTH):.3f}; "
                        f"build {hnsw_build:.0f} s"))
    for nprobe in (8, 16, 32, 64):
        ivf.nprobe = nprobe
        ms, found = searched(ivf)
        rows.append(Row(section, f"FAISS IVF nlist={nlist} nprobe={nprobe}: p50", (ms,),
                        "ms", f"recall@10 {recall(found, 10):.3f}, @{DEPTH} {recall(found, DEPTH):.3f}; "
                        f"build {ivf_build:.0f} s"))
    faiss.omp_set_num_threads(threads)
    return rows


def compare_rows(factors: Sequence[int], workdir: Path, source_kb: Path, real_vectors: np.ndarray,
                 questions: Sequence[str], query_vectors: np.ndarray) -> list[Row]:
    """The comparison table at each knowledge-base size (`factor` times `source_kb`)."""
    segment = load_segmenter("bigram")
    lexical_queries = [folded_field(" ".join(q.lexical_terms), segment)
                       for q in (process_query(text, None) for text in questions)]
    rows = []
    for factor in factors:
        kb_dir = make_synthetic_kb(source_kb, workdir / f"kb-{factor}x", factor, seed=factor)
        units, _ = make_units(load_knowledge(kb_dir))
        shutil.rmtree(kb_dir)
        section = f"compare {factor}x ({len(units):,} units)"
        rows += lexical_rows(section, [folded_field(u.text, segment) for u in units], lexical_queries)
        rows += dense_rows(section, recombined_vectors(real_vectors, len(units), seed=factor), query_vectors)
    return rows


def index_compare_rows(settings: Settings, embedder: Embedder, factors: Sequence[int] = (10, 100),
                       questions: int = 60) -> list[Row]:
    """The comparison rows for `python -m bench`: the live index's vectors and the first dev questions."""
    dev = [q.q for q in load_questions(ROOT / "tests" / "data" / "questions") if q.split == "dev"][:questions]
    real = load_index(settings.index_dir).vectors.astype(np.float32)
    with tempfile.TemporaryDirectory(prefix="index-compare-") as tmp:
        return compare_rows(factors, Path(tmp), settings.knowledge_dir, real, dev,
                            embedder.embed_queries([process_query(q, None).dense_text for q in dev]))


def main(argv: list[str] | None = None) -> int:
    """Print the comparison table."""
    parser = argparse.ArgumentParser(prog="python -m bench.index_compare", description=__doc__)
    parser.add_argument("--factors", type=int, nargs="+", default=[10, 100])
    parser.add_argument("--questions", type=int, default=60, help="dev questions searched at each size")
    args = parser.parse_args(argv)
    settings = Settings()
    rows = index_compare_rows(settings, load_embedder(settings.embedder, settings.embed_threads),
                              args.factors, args.questions)
    print(format_table(rows, "BM25 and FAISS index types (p50 of one query; recall against exact search)"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
