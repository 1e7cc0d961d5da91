"""Free text a team member types (a short note, a reason, a flagged question), made safe to store and export."""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.privacy import redact
from app.privacy.working_copy import working_copy

NOTE_MAX_CHARS = 200
REASON_MAX_CHARS = 500
QUESTION_MAX_CHARS = 1000
# a number of seven digits or more that redaction left (a file number, a number typed without its cue word,
# spelled out or spaced) could still point at a person; it is looked for in redaction's working copy, where
# spelled and spaced digits are joined. A date, an amount under a billion and a document number written the
# usual way ("15.12.2026", "500.000.000", "123/2024") stay.
_LONG_NUMBER = re.compile(r"(?<![\d.,])\d(?:[ .\-]?\d){6,}(?![\d,]|\.\d)")
_KEPT = re.compile(r"\d{1,2}([.\-/])\d{1,2}\1\d{4}|[1-9]\d{0,2}(?:\.\d{3}){2}|\d{1,4}/(?:19|20)\d{2}")
_MAX_PASSES = 20


@dataclass(frozen=True)
class CleanText:
    """Text as stored: personal data replaced by placeholders, whitespace collapsed."""

    text: str
    redacted: bool


def clean_text(text: str, max_chars: int) -> CleanText | None:
    """Redact personal data, hide any long number left, collapse whitespace and cut to `max_chars`;
    None for blank text."""
    if not text or not text.strip():
        return None
    redaction = redact(text)
    hidden = _hide_long_numbers(redaction.text)
    cleaned = " ".join(hidden.split())[:max_chars].strip()
    return CleanText(cleaned, redaction.found or hidden != redaction.text) if cleaned else None


def _hide_long_numbers(text: str) -> str:
    """Each long number of the working copy replaced by "[SỐ]" over the original span it came from."""
    for _ in range(_MAX_PASSES):
        copy = working_copy(text)
        for match in _LONG_NUMBER.finditer(copy.text):
            start, end = copy.original_span(match.start(), match.end())
            if not _KEPT.fullmatch(text[start:end]):
                text = text[:start] + "[SỐ]" + text[end:]
                break
        else:
            return text
    return text
