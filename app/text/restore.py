"""Diacritic restoration for questions typed without accents: a syllable bigram model and Viterbi."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable

from app.text.normalize import fold_diacritics, has_diacritics, normalize_text

_WORD_RE = re.compile(r"\w+", re.UNICODE)
_START = "<s>"


class DiacriticRestorer:
    """Learns which accented syllable a folded one stands for, from text in context.

    A bigram model over lower-cased syllables (interpolated with unigrams) scores every sequence of
    candidate spellings; Viterbi picks the best. Syllables never seen accented are left as typed.
    """

    def __init__(self, texts: Iterable[str], bigram_weight: float = 0.7):
        self._unigrams: Counter[str] = Counter()
        self._bigrams: Counter[tuple[str, str]] = Counter()
        for text in texts:
            for sentence in re.split(r"[.!?;:\n]+", normalize_text(text).lower()):
                if not has_diacritics(sentence):
                    continue  # text typed without accents (or English) would teach the model to keep them off
                words = _WORD_RE.findall(sentence)
                self._unigrams.update(words)
                self._bigrams.update(zip([_START, *words], words, strict=False))
        self._total = sum(self._unigrams.values()) or 1
        self._vocab = len(self._unigrams) + 1
        self._bigram_weight = bigram_weight
        self.candidates: dict[str, list[str]] = {}
        for word in self._unigrams:
            self.candidates.setdefault(fold_diacritics(word), []).append(word)
        self._context = Counter(prev for prev, _ in self._bigrams.elements())

    def _log_prob(self, prev: str, word: str) -> float:
        unigram = (self._unigrams[word] + 0.1) / (self._total + 0.1 * self._vocab)
        seen = self._context[prev]
        bigram = self._bigrams[(prev, word)] / seen if seen else 0.0
        return math.log(self._bigram_weight * bigram + (1 - self._bigram_weight) * unigram)

    def restore_tokens(self, tokens: list[str]) -> list[str]:
        """Most likely accented spelling of each (folded) token."""
        if not tokens:
            return []
        options = [self.candidates.get(fold_diacritics(t)) or [t.lower()] for t in tokens]
        # best[word] = (score, path) for paths ending in that spelling
        best: dict[str, tuple[float, list[str]]] = {_START: (0.0, [])}
        for choices in options:
            step: dict[str, tuple[float, list[str]]] = {}
            for word in choices:
                score, path = max(((s + self._log_prob(prev, word), p) for prev, (s, p) in best.items()),
                                  key=lambda x: x[0])
                step[word] = (score, [*path, word])
            best = step
        return max(best.values(), key=lambda x: x[0])[1]

    def restore(self, text: str) -> str:
        """The text with diacritics restored on every syllable the model knows."""
        tokens = _WORD_RE.findall(text)
        restored = iter(self.restore_tokens(tokens))
        return _WORD_RE.sub(lambda _: next(restored), text)
