from app.answer.cache import AnswerCache
from app.answer.composer import Answer


def _answer(text: str) -> Answer:
    return Answer(answer=text, status="answered", answer_type="faq", confidence=0.9)


def test_repeat_with_other_case_and_punctuation_hits_the_cache():
    cache = AnswerCache(size=4)
    cache.put("Đề án 06 là gì?", "v1", _answer("a"))
    hit = cache.get("  đề án 06   LÀ GÌ ", "v1")
    assert hit is not None and hit.answer == "a"


def test_diacritics_and_index_version_separate_entries():
    cache = AnswerCache(size=4)
    cache.put("mức 2", "v1", _answer("a"))
    assert cache.get("mục 2", "v1") is None
    assert cache.get("mức 2", "v2") is None


def test_cache_is_bounded_lru():
    cache = AnswerCache(size=2)
    for q in ("a", "b"):
        cache.put(q, "v", _answer(q))
    assert cache.get("a", "v") is not None  # a is now most recent
    cache.put("c", "v", _answer("c"))
    assert cache.get("b", "v") is None and cache.get("a", "v") is not None
