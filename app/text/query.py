"""Query understanding: normalisation, abbreviation expansion and language detection."""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.text.normalize import fold_diacritics, has_diacritics, normalize_text, tokenize
from app.text.restore import DiacriticRestorer

_ENGLISH_WORDS = frozenset(
    "a an the is are was be do does did how what where when which who why can could should i my me you your "
    "it its to of for in on with from by about and or if please get register account app card portal "
    "online service services public digital transformation level apply check pay fee fees free "
    "need want use using login sign password code identity id project".split()
)


@dataclass(frozen=True)
class ProcessedQuery:
    """A query ready for retrieval."""

    original: str
    text: str
    restored: str
    dense_text: str
    lexical_terms: tuple[str, ...]
    coverage_terms: tuple[str, ...]
    english: bool
    accented: bool
    # each typed word (folded) with the ways an entry may write it: the word itself, then the expansions
    # of an abbreviation (folded tokens), so "tk" is found in an entry that says "tài khoản"
    written_as: tuple[tuple[str, tuple[tuple[str, ...], ...]], ...]


class SynonymExpander:
    """Expands abbreviations (CCCD, DVC, TTHC, ...) found in a query, from knowledge/synonyms.yaml."""

    def __init__(self, synonyms: dict[str, list[str]]):
        self._table = {fold_diacritics(k): v for k, v in synonyms.items()}
        self._multi = {k: v for k, v in self._table.items() if " " in k}
        # shorthand (written in lower case in the file, unlike acronyms such as CCCD that entries use too)
        self._shorthand = {fold_diacritics(k): v[0] for k, v in synonyms.items() if k == k.lower() and " " not in k}

    def write_out(self, text: str) -> str:
        """The text with each shorthand word replaced by its first expansion."""
        return re.sub(r"\w+", lambda m: self._shorthand.get(fold_diacritics(m.group(0).lower()), m.group(0)), text)

    def replace_abbreviations(self, tokens: list[str]) -> list[str]:
        """Tokens with each abbreviation replaced by the tokens of its first expansion."""
        out: list[str] = []
        for token in tokens:
            values = self._table.get(fold_diacritics(token))
            out += tokenize(values[0]) if values else [token]
        return out

    def spellings(self, token: str) -> tuple[tuple[str, ...], ...]:
        """A typed word and, for an abbreviation, each of its expansions, as folded tokens."""
        key = fold_diacritics(token)
        return ((key,), *(tuple(fold_diacritics(t) for t in tokenize(v)) for v in self._table.get(key, [])))

    def expansions(self, text: str) -> list[str]:
        """Expansions of every abbreviation or term the text contains, in order, without repeats."""
        folded = fold_diacritics(text)
        out: list[str] = []
        for token in re.findall(r"\w+", folded):
            out += self._table.get(token, [])
        for phrase, values in self._multi.items():
            if re.search(rf"\b{re.escape(phrase)}\b", folded):
                out += values
        return list(dict.fromkeys(out))


def looks_english(text: str) -> bool:
    """True for a question written in English: no Vietnamese diacritics and mostly English words."""
    if has_diacritics(text):
        return False
    words = re.findall(r"[a-z]+", text.lower())
    if not words:
        return False
    english = sum(w in _ENGLISH_WORDS for w in words)
    return english >= 2 and english / len(words) >= 0.3


# "25t", "60t": an age written the way residents type it
_AGE = re.compile(r"\b(\d{1,3})t\b")
# chat shorthand for everyday words, written out (accented, unaccented) before a Vietnamese question is read:
# left as typed, "đc ko" and "ntn" make the question look unlike every wording of the entries to the embedder,
# and "trc", "vs" count as words the entry lacks. Domain abbreviations (CCCD, mk, hs) are in synonyms.yaml.
# Only shorthand with one everyday reading: "kh" (không or khách hàng) and "bn" (bao nhiêu or bạn) stay as typed.
_CHAT_WORDS = {
    "ko": ("không", "khong"), "k": ("không", "khong"), "hok": ("không", "khong"),
    "hông": ("không", "khong"), "kg": ("không", "khong"), "đc": ("được", "duoc"), "dc": ("được", "duoc"),
    "j": ("gì", "gi"), "ntn": ("như thế nào", "nhu the nao"), "trc": ("trước", "truoc"), "vs": ("với", "voi"),
    "mn": ("mọi người", "moi nguoi"), "ae": ("anh em", "anh em"), "cx": ("cũng", "cung"),
    "ms": ("mới", "moi"), "nhg": ("nhưng", "nhung"), "r": ("rồi", "roi"), "e": ("em", "em"),
    "z": ("vậy", "vay"), "v": ("vậy", "vay"), "h": ("giờ", "gio"), "lun": ("luôn", "luon"), "wa": ("qua", "qua"),
    "bit": ("biết", "biet"), "mik": ("mình", "minh"), "thui": ("thôi", "thoi"),
}
_CHAT = re.compile(r"(?<![\w/.-])(" + "|".join(sorted(map(re.escape, _CHAT_WORDS), key=len, reverse=True))
                   + r")(?![\w/.-])", re.IGNORECASE)


def write_out_chat(text: str) -> str:
    """Chat shorthand written out in the question's own style (accented or not)."""
    style = 0 if has_diacritics(text) else 1

    def spelled(m: re.Match[str]) -> str:
        word = m.group(1)
        # a capital single letter is a name or a grade ("vitamin E", "hạng B"), not chat
        return word if len(word) == 1 and word.isupper() else _CHAT_WORDS[word.lower()][style]
    return _CHAT.sub(spelled, text)


def process_query(text: str, expander: SynonymExpander | None,
                  restorer: DiacriticRestorer | None = None) -> ProcessedQuery:
    """Normalise a question, restore missing diacritics for the dense side, expand abbreviations."""
    clean = normalize_text(text)
    # written in the question's own style, so an unaccented question stays unaccented
    clean = _AGE.sub(r"\1 tuổi" if has_diacritics(clean) else r"\1 tuoi", clean)
    english = looks_english(clean)
    if not english:
        clean = write_out_chat(clean)
    accented = has_diacritics(clean)
    extra = expander.expansions(clean) if expander else []
    dense_base = restorer.restore(clean) if restorer and not accented and not english else clean
    if expander and not english:
        written = expander.write_out(dense_base)
        extra = [x for x in extra if x not in written]
        dense_base = written
    dense_text = f"{dense_base} ({'; '.join(extra)})" if extra else dense_base
    tokens = tokenize(clean)
    terms = tokens + [t for x in extra for t in tokenize(x)]
    coverage = expander.replace_abbreviations(tokens) if expander else tokens
    return ProcessedQuery(
        original=text, text=clean, restored=" ".join([dense_base, *extra]), dense_text=dense_text,
        lexical_terms=tuple(terms),
        coverage_terms=tuple(fold_diacritics(t) for t in coverage),
        english=english, accented=accented,
        written_as=tuple((fold_diacritics(t), expander.spellings(t) if expander else ((fold_diacritics(t),),))
                         for t in tokens),
    )
