"""The fitted answerability model: probabilities that follow the data, thresholds within budget, saved and
loaded with the index."""

import json
import random
from pathlib import Path

from app.answer.answerability import WRONG_BUDGET, AnswerabilityModel, Candidate, Example, fit_answerability
from app.answer.signals import FEATURES


def candidate(rng: random.Random, right: bool) -> Candidate:
    features = {name: rng.random() for name in FEATURES}
    # a right candidate tends to score higher and to miss fewer of the question's words
    features["confidence"] = rng.gauss(0.8 if right else 0.55, 0.1)
    features["missing_entry"] = rng.gauss(0.1 if right else 0.5, 0.15)
    features["says_unknown"] = 0.0
    return Candidate(features, expected=right)


def examples(n: int = 300, seed: int = 7) -> list[Example]:
    """Questions with three candidates; 60% have an expected entry among them."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        covered = rng.random() < 0.6
        right_at = rng.randrange(3) if covered else -1
        out.append(Example([candidate(rng, i == right_at) for i in range(3)], covered=covered))
    return out


def chosen(model: AnswerabilityModel, e: Example) -> tuple[float, bool]:
    """The probability and correctness of the candidate the model would answer with."""
    scored = [(model.predict(c.features)[0], e.answers(c)) for c in e.candidates]
    return max(scored)


def test_probabilities_follow_the_signals():
    model = fit_answerability(examples())
    base = dict.fromkeys(FEATURES, 0.5)
    good = {**base, "confidence": 0.85, "missing_entry": 0.05}
    bad = {**base, "confidence": 0.5, "missing_entry": 0.6}
    assert model.predict(good)[0] > 0.8 > 0.2 > model.predict(bad)[0]


def test_answer_threshold_keeps_wrong_answers_within_budget_on_the_fitted_data():
    data = examples()
    model = fit_answerability(data)
    picks = [chosen(model, e) for e in data]
    wrong = sum(1 for p, right in picks if p >= model.answer_threshold and not right)
    assert wrong <= WRONG_BUDGET * len(data)
    answered = sum(1 for p, _ in picks if p >= model.answer_threshold)
    assert answered > 0.3 * len(data)


def test_model_round_trips_and_refuses_other_signals(tmp_path: Path):
    model = fit_answerability(examples())
    (tmp_path / "answerability.json").write_text(json.dumps(model.to_json()))
    loaded = AnswerabilityModel.load(tmp_path)
    assert loaded == model
    (tmp_path / "answerability.json").write_text(
        (tmp_path / "answerability.json").read_text().replace('"confidence"', '"renamed"'))
    assert AnswerabilityModel.load(tmp_path) is None
    (tmp_path / "answerability.json").write_text("{not json")
    assert AnswerabilityModel.load(tmp_path) is None


def test_exported_trees_predict_what_scikit_learn_predicts():
    import numpy as np
    from sklearn.ensemble import HistGradientBoostingClassifier

    from app.answer.answerability import TREES, Trees

    rng = np.random.default_rng(3)
    x = rng.normal(size=(1500, 4))
    y = (x[:, 0] + x[:, 1] * x[:, 2] + rng.normal(size=1500) > 0).astype(int)
    fitted = HistGradientBoostingClassifier(**{**TREES, "max_iter": 60}).fit(x, y)
    probe = rng.normal(size=(200, 4))
    assert np.allclose(Trees.from_sklearn(fitted).probability(probe), fitted.predict_proba(probe)[:, 1])
