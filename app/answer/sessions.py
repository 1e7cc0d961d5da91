"""Short-lived conversation memory for follow-up questions (kept in memory, never on disk)."""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict

from app.text.normalize import fold_diacritics

FOLLOWUP_MAX_WORDS = 7
_STRIP_START = re.compile(r"^(the con|vay con|con|what about|how about|and|va|vay|the)\s+")
_STRIP_END = re.compile(r"\s+(thi sao|the nao|sao|nua|then)$")
# a follow-up leans on the previous question: it opens with "còn", "vậy", "what about"..., ends with
# "thì sao", "nữa"..., or points back with "nó", "cái đó", "ở đó"
_LEANS_START = re.compile(r"^(the con|vay con|con|what about|how about|and|va|vay thi|vay|the thi|roi|sau do)\b")
_LEANS_END = re.compile(r"\b(thi sao|the thi sao|nua|then|too|as well|luon)$")
_POINTS_BACK = re.compile(r"\b(no|cai do|cai nay|viec do|viec nay|o do|muc do|truong hop do|it|that|this one)\b")
# without such a word, a question this short may still be elliptical ("ở đâu?", "mất bao lâu?")
ELLIPTICAL_MAX_CONTENT_WORDS = 2


def is_elliptical(question: str, content_words: int) -> bool:
    """True when a question needs the previous one to make sense; a question that names its own need
    ("quên mật khẩu VNeID thì làm sao") stands alone and is never blended with the previous topic."""
    text = " ".join(fold_diacritics(w) for w in question.lower().strip(" ?.!").split())
    if not text:
        return False
    if _LEANS_START.match(text) or _LEANS_END.search(text) or _POINTS_BACK.search(text):
        return True
    return content_words <= ELLIPTICAL_MAX_CONTENT_WORDS


def merge_followup(previous: str, followup: str) -> str:
    """Rewrite the previous question with the follow-up's new detail.

    "Đăng ký mức 1 thế nào?" + "còn mức 2 thì sao?" -> "Đăng ký mức 2 thế nào?": where the follow-up's
    first content word appears in the previous question, the words after it are replaced; otherwise
    the follow-up's content is appended.
    """
    words = followup.strip(" ?.!").split()
    if not words:
        return previous
    folded = [fold_diacritics(w) for w in words]
    text = " ".join(folded)
    start = _STRIP_START.match(text)
    skip = len(start.group(0).split()) if start else 0
    end = _STRIP_END.search(text)
    keep = len(words) - (len(end.group(0).split()) if end else 0)
    content = words[skip:keep] or words
    prev_words = previous.strip(" ?.!").split()
    prev_folded = [fold_diacritics(w) for w in prev_words]
    anchor = fold_diacritics(content[0])
    if anchor in prev_folded:
        at = prev_folded.index(anchor)
        merged = prev_words[:at] + content + prev_words[at + len(content):]
        return " ".join(merged)
    return f"{previous.strip()} {' '.join(content)}"


class SessionStore:
    """Remembers the last resolved question of each session, bounded in size and age."""

    def __init__(self, ttl_seconds: int, max_sessions: int):
        self._ttl = ttl_seconds
        self._max = max_sessions
        self._items: OrderedDict[str, tuple[float, str]] = OrderedDict()
        self._lock = threading.Lock()

    def previous(self, session_id: str) -> str | None:
        """The session's last question, if the session is still alive."""
        with self._lock:
            item = self._items.get(session_id)
            if item is None:
                return None
            stamp, question = item
            if time.monotonic() - stamp > self._ttl:
                del self._items[session_id]
                return None
            return question

    def remember(self, session_id: str, question: str) -> None:
        """Store the question that follow-ups of this session should build on."""
        with self._lock:
            self._items[session_id] = (time.monotonic(), question)
            self._items.move_to_end(session_id)
            while len(self._items) > self._max:
                self._items.popitem(last=False)

    def forget(self, session_id: str) -> None:
        """Drop a session."""
        with self._lock:
            self._items.pop(session_id, None)
