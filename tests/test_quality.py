"""Quality floors on the dev split of the question set, measured with the real default embedder and the
answerability model fitted at index build (README, "Quality", shows both splits).

The model is fitted on the dev questions, so a dev question run through the service is decided by a model
that has seen it. The floors on wrong answers, covered answers and calibration are therefore held on the
fit's out-of-fold decisions (every dev question decided by a model fitted without it), and the end-to-end
run through the service must hold them as well."""

from __future__ import annotations

from typing import Any

import pytest

from app.answer.questions import load_questions
from app.evaluate import evaluate, refit
from app.service import Assistant
from app.settings import ROOT, Settings

pytestmark = pytest.mark.slow
QUESTIONS = ROOT / "tests" / "data" / "questions"


@pytest.fixture(scope="module")
def assistant(full_settings: Settings) -> Assistant:
    assistant = Assistant(full_settings)
    assert assistant.ready, assistant.load_error
    assert assistant.composer is not None and assistant.composer.answerability is not None
    return assistant


@pytest.fixture(scope="module")
def report(assistant: Assistant) -> dict[str, Any]:
    return evaluate(assistant, [q for q in load_questions(QUESTIONS) if q.split == "dev"])


@pytest.fixture(scope="module")
def out_of_fold(assistant: Assistant) -> dict[str, Any]:
    assert assistant.composer is not None and assistant.composer.answerability is not None
    return dict(assistant.composer.answerability.fitted["out_of_fold"])


def test_question_set_is_large_and_varied_enough():
    questions = load_questions(QUESTIONS)
    counts: dict[str, int] = {}
    for q in questions:
        counts[q.slice] = counts.get(q.slice, 0) + 1
    assert len(questions) >= 1000
    assert counts["no_diacritics"] >= 150 and counts["abbrev_typo"] >= 60 and counts["english"] >= 40
    assert counts["followup"] >= 20 and counts["offtopic"] >= 40
    assert counts["uncovered"] >= 250 and counts["partial"] >= 40
    assert {q.split for q in questions} == {"dev", "test"}


def test_few_answers_are_wrong(report: dict[str, Any], out_of_fold: dict[str, Any]):
    wrong = [m for m in report["misses"] if m["status"] != "no_answer"]
    assert report["answered_wrong"] <= 0.03, wrong
    assert report["slices"]["uncovered"]["wrong"] <= 0.05, [m for m in wrong if m["slice"] == "uncovered"]
    assert out_of_fold["answered_wrong"] <= 0.03 and out_of_fold["uncovered_wrong"] <= 0.05, out_of_fold


def test_covered_questions_are_answered_with_the_expected_entry(report: dict[str, Any], out_of_fold: dict[str, Any]):
    # measured 0.50 out of fold, 0.53 in-sample on the dev split (README, "Quality"; 0.57 and 0.59 before the
    # 397 questions of moi-muc-2026-12.yaml, many of them situation first): guards against losing ground
    assert report["covered_right"] >= 0.47, [m for m in report["misses"] if m["slice"] not in ("uncovered",)]
    assert out_of_fold["covered_right"] >= 0.47, out_of_fold


def test_a_covered_question_not_answered_suggests_its_entry(report: dict[str, Any]):
    # measured 0.77 held out and 0.82 on dev: a refusal or a partial answer offers the right entry one tap away
    assert report["covered_suggested"] >= 0.75, report["covered_suggested"]


def test_off_topic_questions_are_refused(report: dict[str, Any]):
    assert report["offtopic_refused"] >= 0.95, [m for m in report["misses"] if m["slice"] == "offtopic"]


def test_confidence_is_calibrated(out_of_fold: dict[str, Any]):
    # on the dev questions the service itself runs, the trees have seen every one; out of fold they have not
    assert out_of_fold["ece"] <= 0.05, out_of_fold


def test_refit_reproduces_the_built_model_and_measures_the_held_out_split(assistant: Assistant):
    # the quick measure of a change to the signals fits exactly what the index build fitted (same code,
    # same knowledge), so its held-out figures are those of the model the service runs
    questions = load_questions(QUESTIONS)
    result = refit(assistant, questions)
    assert assistant.composer is not None and assistant.composer.answerability is not None
    assert result["dev_out_of_fold"] == assistant.composer.answerability.fitted["out_of_fold"]
    assert result["answer_threshold"] == assistant.composer.answerability.answer_threshold
    test = result["test"]
    assert test["answered_wrong"] <= 0.05 and test["offtopic_refused"] >= 0.9, test
    assert 0.0 < test["covered_right"] < 1.0 and test["ece"] is not None, test
