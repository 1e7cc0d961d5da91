"""The peers' comparison logic without the peers' libraries: passages to entries, Recall@5 and MRR@10, the
txtai transform's routing, the table rows, the wrk script's path, and the row that says how to install the peers."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

import bench.peers
from app.answer.questions import EvalQuestion
from app.index.embedder import HashEmbedder
from app.index.store import Unit
from app.settings import Settings
from bench.peer_engines import PASSAGE_MARK, QUERY_MARK, PeerHit, QueryEmbedder, passage_transform
from bench.peers import (
    SKIPPED,
    RetrievalScores,
    ServerLoad,
    entry_ranking,
    found_in_top,
    peer_rows,
    reciprocal_rank,
    score_peer,
    speed_rows,
)
from bench.wrk_load import WrkResult, write_script


def test_entry_ranking_keeps_the_first_passage_of_each_entry_in_order() -> None:
    refs = ["a", "b", "a", "c", "b", "d", "e"]
    assert entry_ranking(refs) == ["a", "b", "c", "d", "e"]
    assert entry_ranking(refs, k=3) == ["a", "b", "c"]
    assert entry_ranking([]) == []


def test_recall_and_reciprocal_rank_count_entries_not_passages() -> None:
    ranked = ["x", "y", "hit", "z", "w", "late"]
    assert found_in_top(ranked, ("hit",))
    assert reciprocal_rank(ranked, ("hit",)) == pytest.approx(1 / 3)
    assert not found_in_top(ranked, ("late",))
    assert reciprocal_rank(ranked, ("late",)) == pytest.approx(1 / 6)
    # the first expected entry counts when a question has several
    assert reciprocal_rank(ranked, ("late", "y")) == pytest.approx(1 / 2)
    assert reciprocal_rank([*"abcdefghij", "hit"], ("hit",)) == 0.0
    assert not found_in_top(ranked, ("absent",))


def test_scores_average_over_questions() -> None:
    scores = RetrievalScores()
    scores.add(["a", "b"], ("a",), 0.01)
    scores.add(["a", "b"], ("b",), 0.02)
    scores.add(["a", "b"], ("c",), 0.03)
    assert scores.recall_at_5 == pytest.approx(2 / 3)
    assert scores.mrr_at_10 == pytest.approx((1 + 0.5 + 0) / 3)
    assert RetrievalScores().recall_at_5 == 0.0


class FixedPeer:
    """A peer that ranks the same passages for every question."""

    name = "fixed"

    def __init__(self, order: list[int]):
        self.order = order

    def search(self, question: str, k: int) -> list[PeerHit]:
        return [PeerHit(u, 1.0 / (n + 1)) for n, u in enumerate(self.order[:k])]


def _unit(ref: str, chunk: int = 0) -> Unit:
    return Unit("passage", ref, chunk, f"{ref} {chunk}", "vi", f"{ref} {chunk}")


def test_a_peers_passages_are_scored_by_the_entries_they_belong_to() -> None:
    units = [_unit("thu-tuc-a", 0), _unit("thu-tuc-a", 1), _unit("thu-tuc-b"), _unit("thu-tuc-c")]
    peer = FixedPeer([0, 1, 3, 2])
    items = [EvalQuestion("câu hỏi về c", ("thu-tuc-c",), "accented"),
             EvalQuestion("câu hỏi về b", ("thu-tuc-b",), "no_diacritics")]
    scores = score_peer(peer, units, items)
    # two passages of entry a count once: c is the second entry, b the third
    assert scores.found == [True, True]
    assert scores.ranks == pytest.approx([1 / 2, 1 / 3])
    assert len(scores.seconds) == 2


def test_txtai_transform_gives_passages_their_stored_vectors_and_embeds_questions() -> None:
    embedder = HashEmbedder(dim=16)
    stored = {"đăng ký khai sinh": np.full(16, 0.25, dtype=np.float32)}
    transform = passage_transform(stored, QueryEmbedder(embedder))
    passages = transform([f"{PASSAGE_MARK}đăng ký khai sinh"])
    assert np.array_equal(passages[0], stored["đăng ký khai sinh"])
    question = transform([f"{QUERY_MARK}làm khai sinh ở đâu"])
    assert np.allclose(question[0], embedder.embed_queries(["làm khai sinh ở đâu"])[0])


def _wrk(clients: int, p50: float, rps: float) -> WrkResult:
    return WrkResult(clients, int(rps * 30), rps, p50, p50 * 1.5, p50 * 2, 0, 0.003)


def test_speed_rows_put_every_system_side_by_side_per_level() -> None:
    loads = [ServerLoad(system, 1.0, _wrk(c, p50, rps)) for c in (8, 32)
             for system, p50, rps in (("ours", 180.0 * c / 8, 44.0), ("haystack", 90.0 * c / 8, 88.0))]
    rows = speed_rows(loads, (8, 32), 30)
    p50 = {r.measure: r.values for r in rows if "p50" in r.measure}
    assert p50["uncached p50 at 8 clients, ours / haystack"] == (180.0, 90.0)
    assert p50["uncached p50 at 32 clients, ours / haystack"] == (720.0, 360.0)
    throughput = next(r for r in rows if r.measure == "throughput at 32 clients, ours / haystack")
    assert throughput.values == (44.0, 88.0)
    assert rows[-1].measure == "what one request does"


def test_wrk_script_posts_to_the_path_given_and_to_the_chat_by_default(tmp_path: Path) -> None:
    write_script(tmp_path / "chat.lua", ['{"question": "a"}'], 2)
    write_script(tmp_path / "peer.lua", ['{"question": "a"}'], 2, "/search")
    assert 'wrk.format("POST", "/api/chat",' in (tmp_path / "chat.lua").read_text()
    assert 'wrk.format("POST", "/search",' in (tmp_path / "peer.lua").read_text()


def test_without_the_peers_installed_the_table_says_how_to_install_them(monkeypatch: pytest.MonkeyPatch,
                                                                        tmp_path: Path) -> None:
    monkeypatch.setattr(bench.peers, "peers_installed", lambda: False)
    rows, raw = peer_rows(Settings(index_dir=tmp_path / "no-index"), [], tmp_path)
    assert [r.note for r in rows] == [SKIPPED]
    assert raw == {"skipped": SKIPPED}


class CountingEmbedder(HashEmbedder):
    """A hash embedder that counts the texts it embeds."""

    def __init__(self) -> None:
        super().__init__(dim=16)
        self.texts: list[str] = []

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        self.texts += list(texts)
        return super().embed_queries(texts)


def test_preloaded_questions_are_embedded_once_and_give_the_same_vectors() -> None:
    embedder = CountingEmbedder()
    queries = QueryEmbedder(embedder)
    queries.preload(["thủ tục khai sinh", "đổi bằng lái", "thủ tục khai sinh"], batch=1)
    assert embedder.texts == ["thủ tục khai sinh", "đổi bằng lái"]
    vector = queries.embed(["đổi bằng lái"])
    assert embedder.texts == ["thủ tục khai sinh", "đổi bằng lái"]
    assert np.allclose(vector, HashEmbedder(dim=16).embed_queries(["đổi bằng lái"]))
    queries.embed(["câu hỏi mới"])
    assert embedder.texts[-1] == "câu hỏi mới"
