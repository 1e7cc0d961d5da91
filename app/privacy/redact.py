"""Replacing personal data in a question with typed placeholders before anything is stored or logged."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from app.privacy.working_copy import working_copy

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
    r"|\btk\s+ng[âa]n\s+h[àa]ng|\bs[ốo]\s+tk\b|\bstk\b|\baccount\s+(?:number|no\b)|\bbank\s+account"
)
_PHONE_WORDS = r"\bs[đd]t\b|(?:s[ốo]\s+)?(?:đ|d)i[ệe]n\s+tho[ạa]i|\bphone\b|\bg[ọo]i\b|\bzalo\b|\bhotline\b"
_CMND_WORDS = r"\bcmnd\b|\bcmt\b|ch[ứu]ng\s+minh"
_CCCD_WORDS = rf"c[ăa]n\s+c[ưu][ớo]c|\bcccd\b|(?:đ|d)[ịi]nh\s+danh|{_CMND_WORDS}"
_OTP_WORDS = (
    r"\botp\b|m[ãa]\s+x[áa]c\s+(?:th[ựu]c|nh[ậa]n)|\bcode\b|\bpasscode\b|\bpin\b"
    r"|m[ậa]t\s+kh[ẩa]u\s+m[ộo]t\s+l[ầa]n"
)
_PASSPORT_WORDS = r"h[ộo]\s+chi[ếe]u|\bpassport"
_BHXH_WORDS = r"\bbhxh\b|b[ảa]o\s+hi[ểe]m\s+x[ãa]\s+h[ộo]i|\bsocial\s+insurance|s[ốo]\s+s[ổo]\s+bhxh"
_MST_WORDS = r"m[ãa]\s+s[ốo]\s+thu[ếe]|\bmst\b|\btax\s+(?:code|id|number)"
# a secret typed after its name and "là", ":" or "=": "mật khẩu là Abc@1234", "pass: 123456"
_SECRET = (
    r"(?:m[ậa]t\s+kh[ẩa]u|\bmk\b|\bpass(?:word)?\b|\bpasscode\b|m[ãa]\s+pin|\bpin\b)"
    r"(?:(?:\s+[^\s\d.!?]+){0,4}?\s+(?:l[àa]|is)\s+|\s*[:=]\s*)"
    # the secret has a digit or a sign in it, or is long: "mật khẩu là gì" keeps its question word
    r"(?P<num>(?!\[)(?=\S*[\d\W_])[^\s,;\[]{4,}|(?!\[)[^\s,;\[]{8,})"
)
# Vietnamese number plates: 29A-123.45, 30E12345, 51F1-123.45, 59-X1 234.56
_PLATE = r"(?<![\w.])\d{2}\s?-?\s?[a-z]{1,2}\d?\s?[-.]?\s?\d{3}\.?\d{2}(?![\w.])"
# an e-mail address written around the filters: "an at gmail dot com", "an[at]gmail[.]com", "an ＠ gmail.com"
_AT = r"(?:\s*@\s*|\s*[\[(]\s*(?:at|a còng)\s*[\])]\s*|\s+(?:at|a còng|acong)\s+)"
_DOT = r"(?:\.|\s*[\[(]\s*(?:dot|chấm|\.)\s*[\])]\s*|\s+(?:dot|chấm|cham)\s+)"
_DOMAIN_END = r"(?:com|vn|net|org|edu|gov|info|io)\b"
_PHONE = (
    # +84 / (+84) / (84) / 0084, then the number without its leading 0 (some keep it: "+84 0912...")
    rf"(?:\(\s?\+?\s?84\s?\)|\+\s?84|0084)[ .\-\u00a0]?0?(?:[35789]\d(?:{_SEP}\d){{7}}|2\d(?:{_SEP}\d){{8}})"
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
    _rule("EMAIL", rf"(?<![\w.+\-])[\w.+\-]+{_AT}[\w\-]+(?:{_DOT}[\w\-]+)*{_DOT}{_DOMAIN_END}"),
    _rule("MẬT KHẨU", _SECRET),
    _rule("STK", _after(_STK_WORDS, _digits(6, 19))),
    _rule("BHXH", _after(_BHXH_WORDS, _digits(10))),
    _rule("MST", _after(_MST_WORDS, rf"{_digits(10)}(?:\s?-\s?\d{{3}})?")),
    _rule("THẺ", rf"{_START}\d{{3}}{_digits(12, 16)}{_END}"),
    _rule("CCCD", _after(_CCCD_WORDS, _digits(11, 13))),
    # and before one ("842248244757 là số định danh của con tôi": 84 + a landline in shape, an ID by its word)
    _rule("CCCD", _before(_CCCD_WORDS, _digits(11, 13))),
    # without context, grouped IDs must open with 0 as every province code does, so money such as
    # "100.000.000.000 đồng" is left alone; an unbroken run of 12 digits is an ID whatever it starts with,
    # except 842..., which is a landline behind the 84 country code
    _rule("CCCD", rf"{_START}(?:0\d(?:{_SEP}\d){{10}}|(?!842)\d{{12}}){_END}"),
    _rule("SĐT", rf"{_START}(?:{_PHONE}){_END}"),
    # after a phone cue, any grouping: "sđt 09 1234 5678" (without one, "09.01.2022 10" is a date and a time)
    _rule("SĐT", _after(_PHONE_WORDS, rf"(?:\+\s?|00)?\d(?:{_SEP}\d){{8,12}}")),
    _rule("OTP", _after(_OTP_WORDS, _digits(4, 8))),
    _rule("OTP", _before(_OTP_WORDS, _digits(4, 8))),
    _rule("CMND", _after(_CMND_WORDS, _digits(9))),
    _rule("CMND", _before(_CMND_WORDS, _digits(9))),
    _rule("HỘ CHIẾU", rf"(?:{_PASSPORT_WORDS}){_WINDOW}(?P<num>\b[a-z]\s?\d{{7,8}}\b)"),
    _rule("HỘ CHIẾU", r"\b[A-Z]\d{7}\b"),
    _rule("BIỂN SỐ", _PLATE),
    # any other long unbroken number (a mistyped ID, an unlabelled account or CMND) is personal in a
    # chat about public services, unless it is an amount of money
    _rule("SỐ", rf"{_START}\d{{9,19}}{_END}(?!\s?(?:đ|đồng|dong|vnđ|vnd|usd|%))"),
)
KINDS = tuple(dict.fromkeys(rule.kind for rule in _RULES))


# a question of MAX_QUESTION_CHARS holds far fewer numbers than this
_MAX_REPLACEMENTS = 200


def _first_match(text: str) -> tuple[_Rule, int, int] | None:
    """The first rule (in priority order) that matches, and the span of what it hides."""
    for rule in _RULES:
        match = rule.pattern.search(text)
        if match:
            span = match.span("num") if "num" in rule.pattern.groupindex else match.span()
            return rule, span[0], span[1]
    return None


def redact(text: str) -> Redaction:
    """Replace personal data with [KIND] placeholders: citizen IDs, old ID card numbers, phones, e-mails,
    bank cards and accounts, OTPs and passwords typed after their name, passports, social-insurance and
    tax codes, number plates, and any other long number.

    Detection reads a normalised working copy (full-width digits, zero-width characters, separators and
    spelled-out digits undone; see `working_copy`) and the original text is redacted over the span the
    data came from. Replacements repeat until nothing matches, which makes the function idempotent.
    """
    text = unicodedata.normalize("NFC", text)
    found: set[str] = set()
    for _ in range(_MAX_REPLACEMENTS):
        copy = working_copy(text)
        hit = _first_match(copy.text)
        if hit is None:
            break
        rule, start, end = hit
        a, b = copy.original_span(start, end)
        text = text[:a] + f"[{rule.kind}]" + text[b:]
        found.add(rule.kind)
    return Redaction(text=text, kinds=tuple(kind for kind in KINDS if kind in found))
