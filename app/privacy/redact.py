"""Replacing personal data in a question with typed placeholders before anything is stored or logged."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

PRIVACY_REMINDER = {
    "vi": (
        "Để bảo vệ bạn, xin đừng gửi thông tin cá nhân như số CCCD, số điện thoại hay mã OTP trong khung "
        "trò chuyện. Phần thông tin đó đã được ẩn đi và không được lưu lại."
    ),
    "en": (
        "For your safety, please don't share personal data such as citizen ID numbers, phone numbers or OTP "
        "codes in the chat. That information has been hidden and was not stored."
    ),
}


@dataclass(frozen=True)
class Redaction:
    """A question with its personal data replaced, and the kinds of data that were found."""

    text: str
    kinds: tuple[str, ...]

    @property
    def found(self) -> bool:
        """True when anything was replaced."""
        return bool(self.kinds)


# A number starts where no digit (nor a digit and a dot, as in money "1.012.345.678.901") comes before it.
# The end is only "no digit follows": a phone glued to a second number should still be hidden.
_START = r"(?<![\d+])(?<!\d\.)"
_END = r"(?!\d)"
# One space, dot or dash between two groups of at least two digits: "0912 345 678" and "091-234-5678" are
# one number, while the two-digit day of "09.01.2022 10" cannot open a phone number.
_SEP = r"(?:(?<=\d\d)[ .\-\u00a0](?=\d\d))?"
# Words between a keyword and its number: no digits, no sentence end, and no placeholder brackets, so a
# second redaction pass cannot reach across "[OTP]" to a number the first pass rightly left alone.
_WINDOW = r"[^\d\n\[\].!?]{0,30}?"
_BACK_WINDOW = r"[^\d\n\[\].!?]{0,15}?"


def _digits(count: int, at_most: int | None = None) -> str:
    """A run of `count` (to `at_most`) digits, possibly grouped by separators."""
    rest = f"{count - 1}" if at_most is None else f"{count - 1},{at_most - 1}"
    return rf"\d(?:{_SEP}\d){{{rest}}}"


_STK_WORDS = (
    r"s[ốo]\s+t[àa]i\s+kho[ảa]n(?!\s+(?:đ|d)[ịi]nh\s+danh)|t[àa]i\s+kho[ảa]n\s+ng[âa]n\s+h[àa]ng"
    r"|\btk\s+ng[âa]n\s+h[àa]ng|\bs[ốo]\s+tk\b|\bstk\b|\baccount\s+(?:number|no\b)"
)
_CMND_WORDS = r"\bcmnd\b|\bcmt\b|ch[ứu]ng\s+minh"
_CCCD_WORDS = rf"c[ăa]n\s+c[ưu][ớo]c|\bcccd\b|(?:đ|d)[ịi]nh\s+danh|{_CMND_WORDS}"
_OTP_WORDS = (
    r"\botp\b|m[ãa]\s+x[áa]c\s+(?:th[ựu]c|nh[ậa]n)|\bcode\b|\bpasscode\b"
    r"|m[ậa]t\s+kh[ẩa]u\s+m[ộo]t\s+l[ầa]n"
)
_PHONE = (
    # +84 / (+84) / (84), then the number without its leading 0 (some people keep it: "+84 0912...")
    rf"(?:\(\s?\+?\s?84\s?\)|\+\s?84)[ .\-\u00a0]?0?(?:[35789]\d(?:{_SEP}\d){{7}}|2\d(?:{_SEP}\d){{8}})"
    # a bare 84 prefix only when unbroken, so a statistic like "84.912.345.678" stays a statistic
    r"|84(?:[35789]\d{8}|2\d{9})"
    # mobiles 03x 05x 07x 08x 09x (10 digits) and landlines 02xx (11 digits)
    rf"|0[35789]\d(?:{_SEP}\d){{7}}|02\d(?:{_SEP}\d){{8}}"
)


def _after(words: str, number: str) -> str:
    """A number that follows one of the context words within a few words."""
    return rf"(?:{words}){_WINDOW}(?P<num>{_START}{number}{_END})"


def _before(words: str, number: str) -> str:
    """A number that a context word follows closely ("123456 là mã OTP")."""
    return rf"(?P<num>{_START}{number}{_END})(?={_BACK_WINDOW}(?:{words}))"


@dataclass(frozen=True)
class _Rule:
    kind: str
    pattern: re.Pattern[str]

    def replace(self, match: re.Match[str]) -> str:
        """The match with its number (or the whole match) turned into the placeholder."""
        placeholder = f"[{self.kind}]"
        if "num" not in self.pattern.groupindex:
            return placeholder
        start, end = match.start("num") - match.start(), match.end("num") - match.start()
        whole = match.group(0)
        return whole[:start] + placeholder + whole[end:]


def _rule(kind: str, pattern: str) -> _Rule:
    return _Rule(kind, re.compile(pattern, re.IGNORECASE))


# Order matters: context beats shape (a 12-digit account number after "stk" is an account), and long
# shapes go before short ones so a card is never half-taken as an ID.
_RULES = (
    _rule("EMAIL", r"(?<![\w.+\-])[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+"),
    _rule("STK", _after(_STK_WORDS, _digits(6, 19))),
    _rule("THẺ", rf"{_START}\d{{3}}{_digits(13, 16)}{_END}"),
    _rule("CCCD", _after(_CCCD_WORDS, _digits(12))),
    # without context, grouped IDs must open with 0 as every province code does, so money such as
    # "100.000.000.000 đồng" is left alone; an unbroken run of 12 digits is an ID whatever it starts with,
    # except 842..., which is a landline behind the 84 country code
    _rule("CCCD", rf"{_START}(?:0\d\d(?:{_SEP}\d){{9}}|(?!842)\d{{12}}){_END}"),
    _rule("SĐT", rf"{_START}(?:{_PHONE}){_END}"),
    _rule("OTP", _after(_OTP_WORDS, _digits(4, 8))),
    _rule("OTP", _before(_OTP_WORDS, _digits(4, 8))),
    _rule("CMND", _after(_CMND_WORDS, _digits(9))),
    _rule("CMND", _before(_CMND_WORDS, _digits(9))),
)
KINDS = tuple(dict.fromkeys(rule.kind for rule in _RULES))


def redact(text: str) -> Redaction:
    """Replace citizen IDs, phones, emails, cards, OTPs and account numbers with [KIND] placeholders.

    The text is NFC-normalised first so keywords typed with combining accents are still recognised. Rules run
    until nothing changes (every replacement removes digits or an "@", so this ends), which makes the
    function idempotent.
    """
    text = unicodedata.normalize("NFC", text)
    found: set[str] = set()
    changed = True
    while changed:
        changed = False
        for rule in _RULES:
            text, count = rule.pattern.subn(rule.replace, text)
            if count:
                changed = True
                found.add(rule.kind)
    return Redaction(text=text, kinds=tuple(kind for kind in KINDS if kind in found))
