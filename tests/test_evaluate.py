"""How `make eval` judges an answer and sums up the results, on made-up verdicts (no index needed)."""

from __future__ import annotations

import pytest

from app.answer.answerability import calibration
from app.answer.questions import PARTIAL, UNCOVERED, EvalQuestion
from app.evaluate import judge, suggested_share

COVERED = EvalQuestion("quên mật khẩu vneid", ("vneid-tk-quen-mat-khau",), "accented")
PART = EvalQuestion("tổ công nghệ số mỗi thôn mấy người", ("cds-to-cong-nghe-so",), PARTIAL)
NONE = EvalQuestion("vneid giới hạn bao nhiêu tuổi", (), UNCOVERED)


@pytest.mark.parametrize(("item", "status", "matched", "verdict"), [
    (COVERED, "answered", "vneid-tk-quen-mat-khau", "right"),
    (COVERED, "partial", "vneid-tk-quen-mat-khau", "partial"),
    (COVERED, "answered", "vneid-la-gi", "wrong"),
    (COVERED, "partial", "vneid-la-gi", "wrong"),
    (COVERED, "no_answer", None, "refused"),
    # a question an entry covers only in part is right only as partial: a full answer claims too much
    (PART, "partial", "cds-to-cong-nghe-so", "right"),
    (PART, "answered", "cds-to-cong-nghe-so", "wrong"),
    (PART, "no_answer", None, "refused"),
    # no entry answers it: anything shown as an answer is wrong
    (NONE, "answered", "vneid-dk-mien-phi", "wrong"),
    (NONE, "partial", "vneid-dk-mien-phi", "wrong"),
    (NONE, "no_answer", None, "refused"),
])
def test_judge(item: EvalQuestion, status: str, matched: str | None, verdict: str) -> None:
    assert judge(item, status, matched) == verdict


def test_suggested_share_counts_only_the_covered_questions_missed() -> None:
    covered = [{"verdict": "right", "suggested": False}, {"verdict": "refused", "suggested": True},
               {"verdict": "wrong", "suggested": False}, {"verdict": "refused", "suggested": True}]
    assert suggested_share(covered) == pytest.approx(2 / 3)


def test_suggested_share_is_none_when_nothing_was_missed() -> None:
    assert suggested_share([{"verdict": "right", "suggested": False}]) is None
    assert suggested_share([]) is None


def test_calibration_error_of_a_calibrated_and_an_overconfident_model() -> None:
    # confidence 0.75 and right three times in four: no error
    calibrated = [(0.75, True), (0.75, True), (0.75, True), (0.75, False)]
    assert calibration(calibrated)["ece"] == pytest.approx(0.0)
    # confidence 0.95 and right half the time: off by 0.45
    overconfident = [(0.95, True), (0.95, False)]
    report = calibration(overconfident)
    assert report["ece"] == pytest.approx(0.45)
    assert report["table"] == [{"bin": "0.9-1.0", "n": 2, "confidence": pytest.approx(0.95), "right": 0.5}]
    # a confidence of exactly 1.0 falls in the last bin
    assert calibration([(1.0, True)])["table"][0]["bin"] == "0.9-1.0"
    assert calibration([])["ece"] is None
