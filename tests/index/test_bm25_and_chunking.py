import datetime as dt

from app.index.bm25 import BM25
from app.index.chunking import chunk_article
from app.knowledge.models import Article


def test_bm25_ranks_the_document_with_the_rare_term_first():
    bm25 = BM25([["dang", "ky", "tai", "khoan"], ["tai", "khoan", "ngan", "hang"], ["thoi", "tiet"]])
    scores = bm25.score(["dang", "ky"])
    assert scores.argmax() == 0
    assert scores[2] == 0


def test_bm25_prefers_shorter_documents_for_equal_matches():
    bm25 = BM25([["vneid"] + ["x"] * 20, ["vneid", "y"]])
    scores = bm25.score(["vneid"])
    assert scores[1] > scores[0]


def test_bm25_lists_the_documents_of_a_term_once_each():
    bm25 = BM25([["vneid", "vneid", "tai"], ["tai"], ["vneid"]])
    assert sorted(bm25.documents_with("vneid").tolist()) == [0, 2]
    assert bm25.documents_with("khong-co").tolist() == []


def _article(paragraphs: list[str]) -> Article:
    return Article(id="a", title="Tiêu đề", topics=["chuyen-doi-so"], paragraphs=paragraphs,
                   published=dt.date(2022, 1, 1))


def test_chunks_never_split_a_sentence_and_respect_the_word_budget():
    sentence = "Câu này có đúng mười từ để kiểm tra việc cắt đoạn."
    article = _article([" ".join([sentence] * 20)])
    passages = chunk_article(article, max_words=35)
    assert len(passages) > 1
    for p in passages:
        assert all(s == sentence for s in p.sentences)
        assert len(p.text.split()) <= 35


def test_a_heading_joins_the_next_paragraph():
    passages = chunk_article(_article(["Một số dịch vụ trực tuyến chưa thực chất", "Người dân chưa thấy thuận tiện."]))
    assert len(passages) == 1
    assert passages[0].sentences[0] == "Một số dịch vụ trực tuyến chưa thực chất"
