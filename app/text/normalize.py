"""Unicode and tone-placement normalisation, diacritic folding and tokenising."""

from __future__ import annotations

import functools
import re
import unicodedata

# Combining marks that carry the five Vietnamese tones.
_TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
_WORD_RE = re.compile(r"\w+", re.UNICODE)
# a word with the combining marks NFC could not fold into a letter (a second tone, say)
_MARKED_WORD_RE = re.compile(r"[\w\u0300-\u036f]+", re.UNICODE)
# Open syllables whose tone sits on the first or the second vowel depending on the
# spelling convention (hòa/hoà, khỏe/khoẻ, thủy/thuỷ). "qu" is a consonant, so "quý" is left alone.
_OLD_NEW_RE = re.compile(r"^([^aeiouy]*?)(o[ae]|u[y])$")
_VIETNAMESE_CHARS = re.compile(
    "[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]", re.IGNORECASE
)


def _split_tone(syllable: str) -> tuple[str, str]:
    """Return the syllable without its tone mark, and the mark ('' when toneless; the last of several)."""
    decomposed = unicodedata.normalize("NFD", syllable)
    tone = ""
    kept = []
    for ch in decomposed:
        if ch in _TONE_MARKS:
            tone = ch
        else:
            kept.append(ch)
    return unicodedata.normalize("NFC", "".join(kept)), tone


def _place_tone(base: str, tone: str) -> str:
    """Put the tone on the first vowel of oa/oe/uy open syllables, the traditional placement."""
    match = _OLD_NEW_RE.match(base.lower())
    if not tone or not match or match.group(1).endswith("q"):
        return ""
    pos = len(match.group(1))
    return unicodedata.normalize("NFC", base[: pos + 1] + tone + base[pos + 1 :])


def _normalize_word(match: re.Match[str]) -> str:
    return _normalized_word(match.group(0))


# the same few thousand syllables come back in every text: each is worked out once
@functools.lru_cache(maxsize=1 << 16)
def _normalized_word(word: str) -> str:
    base, tone = _split_tone(word)
    placed = _place_tone(base, tone)
    return placed or word


def normalize_text(text: str) -> str:
    """NFC, one tone placement (hoà -> hòa, thuỷ -> thủy), collapsed whitespace."""
    text = unicodedata.normalize("NFC", text)
    text = unicodedata.normalize("NFC", _MARKED_WORD_RE.sub(_normalize_word, text))
    return " ".join(text.split())


def fold_diacritics(text: str) -> str:
    """Lower-case and strip every diacritic (đ -> d), so 'Đăng ký' and 'dang ky' match."""
    # most calls fold one token, and tokens repeat: those are cached, longer texts are not
    return _fold_word(text) if len(text) <= 32 else _fold(text)


@functools.lru_cache(maxsize=1 << 16)
def _fold_word(text: str) -> str:
    return _fold(text)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.lower())
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return stripped.replace("đ", "d")


def has_diacritics(text: str) -> bool:
    """True when the text carries any Vietnamese letter with a diacritic."""
    return bool(_VIETNAMESE_CHARS.search(text))


def tokenize(text: str) -> list[str]:
    """Lower-cased syllable tokens of normalised text."""
    return _WORD_RE.findall(normalize_text(text).lower())


def folded_tokens(text: str) -> list[str]:
    """Syllable tokens with diacritics folded."""
    return [fold_diacritics(t) for t in tokenize(text)]


def split_sentences(text: str) -> list[str]:
    """Split a paragraph into sentences on ., !, ? and ; followed by a space and a capital or digit."""
    parts = re.split(r"(?<=[.!?…])\s+(?=[\"“(\[]?[A-ZÀ-Ỹ0-9Đ])", text.strip())
    return [p.strip() for p in parts if p.strip()]
