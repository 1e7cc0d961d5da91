"""A team member's note keeps no number that could point at a resident, however it was typed."""

from __future__ import annotations

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from app.helpdesk.notes import NOTE_MAX_CHARS, CleanText, clean_text
from tests.privacy.test_obfuscation import digit_strings, survives, written

NOTES = ["{x}", "bà cụ đọc {x} để em tra", "hồ sơ {x} chưa xong, hẹn tuần sau", "đã cài VNeID, số {x}"]


@settings(max_examples=300, deadline=None)
@given(length=st.integers(9, 12), data=st.data(), note=st.sampled_from(NOTES),
       cue=st.sampled_from(["", "CCCD ", "sđt ", "số ", "mã hồ sơ "]))
def test_numbers_in_a_note_never_survive_with_or_without_their_cue(length: int, data: st.DataObject, note: str,
                                                                    cue: str) -> None:
    digits = data.draw(digit_strings(length))
    # spelled out, a run with fewer than four digits other than zero is words said again ("không không ..."),
    # not a number (app/privacy/working_copy.py)
    assume(sum(d != "0" for d in digits) >= 4)
    text = note.format(x=cue + data.draw(written(digits)))
    cleaned = clean_text(text, NOTE_MAX_CHARS)
    assert cleaned is not None and cleaned.redacted
    assert not survives(digits, cleaned.text), (text, cleaned.text)


def test_a_plain_note_is_kept_as_typed_and_a_blank_one_is_none() -> None:
    typed = "  hướng dẫn   đăng ký mức 2 theo Nghị định 69/2024, hẹn 15.12.2026, lệ phí 1.000.000 đồng "
    cleaned = clean_text(typed, NOTE_MAX_CHARS)
    assert cleaned is not None and not cleaned.redacted
    assert cleaned.text == " ".join(typed.split())
    assert clean_text("hồ sơ 4821 7730 91", NOTE_MAX_CHARS) == CleanText("hồ sơ [SỐ]", True)
    assert clean_text(" \n ", NOTE_MAX_CHARS) is None
    assert len(clean_text("x" * 500, NOTE_MAX_CHARS).text) == NOTE_MAX_CHARS  # type: ignore[union-attr]
