"""The fitted answerability model: probabilities that follow the data, thresholds within budget, saved and
loaded with the index."""

import random
from pathlib import Path

from app.answer.answerability import WRONG_BUDGET, AnswerabilityModel, Example, fit_answerability
from app.answer.signals import FEATURES


def examples(n: int = 400, seed: int = 7) -> list[Example]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        right = rng.random() < 0.6
        features = {name: rng.random() for name in FEATURES}
        # a right top entry tends to score higher and to miss fewer of the question's words
        features["confidence"] = rng.gauss(0.8 if right else 0.55, 0.1)
        features["missing_entry"] = rng.gauss(0.1 if right else 0.5, 0.15)
        out.append(Example(features, top_expected=right, answers=right, covered=right))
    return out


def test_probabilities_follow_the_signals():
    model = fit_answerability(examples())
    base = dict.fromkeys(FEATURES, 0.5)
    good = {**base, "confidence": 0.85, "missing_entry": 0.05}
    bad = {**base, "confidence": 0.5, "missing_entry": 0.6}
    assert model.predict(good)[0] > 0.8 > 0.2 > model.predict(bad)[0]


def test_answer_threshold_keeps_wrong_answers_within_budget_on_the_fitted_data():
    data = examples()
    model = fit_answerability(data)
    wrong = sum(1 for e in data if model.predict(e.features)[0] >= model.answer_threshold and not e.answers)
    assert wrong <= WRONG_BUDGET * len(data)
    answered = sum(1 for e in data if model.predict(e.features)[0] >= model.answer_threshold)
    assert answered > 0.3 * len(data)


def test_model_round_trips_and_refuses_other_signals(tmp_path: Path):
    model = fit_answerability(examples())
    model.save(tmp_path)
    loaded = AnswerabilityModel.load(tmp_path)
    assert loaded == model
    (tmp_path / "answerability.json").write_text(
        (tmp_path / "answerability.json").read_text().replace('"confidence"', '"renamed"'))
    assert AnswerabilityModel.load(tmp_path) is None
    (tmp_path / "answerability.json").write_text("{not json")
    assert AnswerabilityModel.load(tmp_path) is None
