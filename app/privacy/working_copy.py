"""A normalised working copy of a question for spotting personal data, with a map back to the original.

People hide numbers without meaning to, or on purpose: full-width digits, zero-width characters,
"0 9 1 2 ...", "0912/345/678", "không chín một hai ...". Detection runs on a copy where all of that is
undone; each character of the copy remembers the span of the original it came from, so the original
text is redacted over exactly the span that held the data (separators and hidden characters included).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# digits spelled out, Vietnamese and English (folded forms too, for text typed without diacritics)
DIGIT_WORDS = {
    "không": "0", "khong": "0", "linh": "0", "lẻ": "0", "le": "0", "zero": "0", "oh": "0",
    "một": "1", "mot": "1", "mốt": "1", "one": "1",
    "hai": "2", "two": "2",
    "ba": "3", "three": "3",
    "bốn": "4", "bon": "4", "tư": "4", "four": "4",
    "năm": "5", "nam": "5", "lăm": "5", "lam": "5", "five": "5",
    "sáu": "6", "sau": "6", "six": "6",
    "bảy": "7", "bay": "7", "bẩy": "7", "seven": "7",
    "tám": "8", "tam": "8", "eight": "8",
    "chín": "9", "chin": "9", "nine": "9",
}
# a spelled-out run is a number only when it is this long and has this many spelled digits other than
# zero: "một hai ba" is not a phone, "năm 2022" is a year, "không không không" is three noes
MIN_SPELLED_DIGITS = 4
MIN_SPELLED_WORDS = 3
# characters that split digit groups apart without meaning anything
_SEPARATORS = " \t/_.-·•*|\\"
_TOKEN = re.compile(r"\w+|\W", re.UNICODE)


@dataclass(frozen=True)
class WorkingCopy:
    """The normalised text, and for each of its characters the [start, end) span of the original."""

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The original span that characters [start, end) of the copy came from."""
        return self.starts[start], self.ends[end - 1]


def _fold_char(c: str) -> str:
    """One character as detection reads it: compatibility forms (full-width, superscript) undone."""
    folded = unicodedata.normalize("NFKC", c)
    return " " if folded.isspace() else folded


def _characters(text: str) -> list[tuple[str, int, int]]:
    """(character, start, end) with format characters (zero-width and the like) dropped."""
    out: list[tuple[str, int, int]] = []
    for i, c in enumerate(text):
        if unicodedata.category(c) == "Cf":
            continue
        for part in _fold_char(c):
            out.append((part, i, i + 1))
    return out


def _spell_digits(chars: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """Runs of spelled-out digits (mixed with written digits) become digits."""
    text = "".join(c for c, _, _ in chars)
    tokens = [(m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(text)]
    out: list[tuple[str, int, int]] = []
    i = 0
    while i < len(tokens):
        run: list[tuple[str, int, int]] = []
        spelled = 0
        j = i
        while j < len(tokens):
            word, s, e = tokens[j]
            low = word.lower()
            if low in DIGIT_WORDS or word.isdigit():
                # "không" is also "no" and a question particle: it counts only inside a run of other digits
                spelled += low in DIGIT_WORDS and DIGIT_WORDS[low] != "0"
                run.append((DIGIT_WORDS.get(low, word), s, e))
                j += 1
            elif word in " ,-" and run:
                j += 1
            else:
                break
        digits = sum(len(d) for d, _, _ in run)
        if spelled >= MIN_SPELLED_WORDS and digits >= MIN_SPELLED_DIGITS:
            for value, s, e in run:
                for k, d in enumerate(value):
                    # a written number keeps its own characters' spans; a spelled word maps whole
                    start = chars[s + k][1] if len(value) == e - s else chars[s][1]
                    end = chars[s + k][2] if len(value) == e - s else chars[e - 1][2]
                    out.append((d, start, end))
            # the separators inside the run are part of the number's span
            if out and j < len(tokens) and tokens[j - 1][0] in " ,-":
                out.append((" ", chars[tokens[j - 1][1]][1], chars[tokens[j - 1][1]][2]))
            i = j
            continue
        word, s, e = tokens[i]
        out.extend(chars[s:e])
        i += 1
    return out


def _join_digit_groups(chars: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """Separators inside a number become nothing or one space.

    Single digits spaced out ("0 9 1 2 ...") and runs of odd separators ("0912/345/678", "0912  345",
    "0912_345") are joined; one space, dot or dash between digit groups stays as it is, since the rules
    read those as grouping.
    """
    out: list[tuple[str, int, int]] = []
    i = 0
    n = len(chars)
    while i < n:
        c = chars[i]
        out.append(c)
        if not c[0].isdigit():
            i += 1
            continue
        j = i + 1
        while j < n and chars[j][0] in _SEPARATORS:
            j += 1
        gap = chars[i + 1:j]
        if not gap or j >= n or not chars[j][0].isdigit():
            i += 1
            continue
        left = 1
        while i - left >= 0 and chars[i - left][0].isdigit():
            left += 1
        right = 0
        while j + right < n and chars[j + right][0].isdigit():
            right += 1
        spaced_out = left == 1 or right == 1
        if len(gap) == 1 and gap[0][0] in " .-" and not spaced_out:
            # one space, dot or dash between groups: the rules read it as grouping
            out.extend(gap)
        elif len(gap) <= 3:
            # the gap is swallowed: its characters are still inside the number's original span
            last = out.pop()
            out.append((last[0], last[1], gap[-1][2]))
        else:
            out.extend(gap)
        i = j
    return out


def working_copy(text: str) -> WorkingCopy:
    """The copy personal data is looked for in (see the module's docstring)."""
    chars = _join_digit_groups(_spell_digits(_characters(text)))
    return WorkingCopy("".join(c for c, _, _ in chars), tuple(s for _, s, _ in chars), tuple(e for _, _, e in chars))
