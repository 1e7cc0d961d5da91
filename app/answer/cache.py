"""A bounded LRU cache of answers keyed by the normalised question and the index version."""

from __future__ import annotations

import threading
from collections import OrderedDict

from app.answer.composer import Answer
from app.text.normalize import normalize_text


def cache_key(question: str, kb_version: str) -> tuple[str, str]:
    """Questions differing only in case, spacing or trailing punctuation share a key.

    Diacritics are kept: "mức" and "mục" are different questions.
    """
    return (" ".join(normalize_text(question).lower().split()).strip(" ?.!"), kb_version)


class AnswerCache:
    """Thread-safe LRU of composed answers; a new index version never sees the old entries."""

    def __init__(self, size: int):
        self._size = size
        self._items: OrderedDict[tuple[str, str], Answer] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, question: str, kb_version: str) -> Answer | None:
        """The cached answer, if any."""
        key = cache_key(question, kb_version)
        with self._lock:
            answer = self._items.get(key)
            if answer is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return answer

    def put(self, question: str, kb_version: str, answer: Answer) -> None:
        """Remember an answer."""
        if self._size <= 0:
            return
        with self._lock:
            self._items[cache_key(question, kb_version)] = answer
            while len(self._items) > self._size:
                self._items.popitem(last=False)


