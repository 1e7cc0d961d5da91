"""Word segmentation for the lexical index: syllable bigrams (default) or a Vietnamese segmenter."""

from __future__ import annotations

from collections.abc import Callable

from app.text.normalize import normalize_text, tokenize

Segmenter = Callable[[str], list[str]]


def bigram_words(text: str) -> list[str]:
    """Every pair of adjacent syllables: covers two-syllable words without a segmentation model."""
    syllables = tokenize(text)
    return [f"{a}_{b}" for a, b in zip(syllables, syllables[1:], strict=False)]


def _pyvi_words(text: str) -> list[str]:
    from pyvi import ViTokenizer

    words = ViTokenizer.tokenize(normalize_text(text)).lower().split()
    return [w for w in words if "_" in w and w.strip("_")]


def _underthesea_words(text: str) -> list[str]:
    from underthesea import word_tokenize

    return [w.lower().replace(" ", "_") for w in word_tokenize(normalize_text(text)) if " " in w]


def load_segmenter(name: str) -> Segmenter:
    """The multi-syllable word tokens of a text: 'bigram', 'pyvi', 'underthesea' or 'none' (syllables only)."""
    if name == "bigram":
        return bigram_words
    if name == "none":
        return lambda _text: []
    if name in ("pyvi", "underthesea"):
        try:
            __import__(name)
        except ImportError as exc:
            raise ValueError(f"segmenter '{name}' needs its package: pip install -e '.[segmenters]'") from exc
        return _pyvi_words if name == "pyvi" else _underthesea_words
    raise ValueError(f"unknown segmenter '{name}': use 'bigram', 'pyvi', 'underthesea' or 'none'")
