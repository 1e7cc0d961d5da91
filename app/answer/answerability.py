"""The fitted answerability model: P(a candidate answers this question) and P(it is on the topic asked).

Two logistic regressions over the signals in `app.answer.signals` and their pairwise products (a signal
can matter more when another is high: a missing word weighs less when the closest phrasing matches),
fitted on every top candidate of the dev questions when the index is built, and saved in the index
version (`answerability.json`). The decision thresholds are chosen on out-of-fold predictions (folds by
question), which behave like predictions on new questions: the lowest answer threshold whose wrong
answers stay within `WRONG_BUDGET` of all questions and `UNCOVERED_BUDGET` of the uncovered ones, then
the lowest partial threshold keeping the total within `PARTIAL_BUDGET`. (A Platt recalibration of the
chosen candidate's probability on the same out-of-fold predictions was measured and left out: it did
not improve calibration on the held-out split.)
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from app.answer.signals import FEATURES

# share of all dev questions allowed to end with a wrong entry shown (answered or partial)
WRONG_BUDGET = 0.02
PARTIAL_BUDGET = 0.025
# and of the in-domain questions no entry answers, the hardest near misses
UNCOVERED_BUDGET = 0.04
FILE = "answerability.json"
FOLDS = 5
# L2 strength of the regressions (scikit-learn's C; smaller is stronger), for ~200 standardised terms
REGULARISATION_C = 0.05


@dataclass(frozen=True)
class Candidate:
    """One ranked candidate of a dev question: its features, and whether it is an expected id."""

    features: dict[str, float]
    expected: bool


@dataclass(frozen=True)
class Example:
    """A dev question's top candidates, and whether its expected entries answer it in full."""

    candidates: list[Candidate]
    covered: bool
    uncovered: bool = False  # in-domain, and no entry answers it even in part

    def answers(self, c: Candidate) -> bool:
        """The candidate answers this question: expected, in full, and not an entry that only refers on."""
        return c.expected and self.covered and not c.features["says_unknown"]


def expand(z: np.ndarray) -> np.ndarray:
    """Standardised signals followed by all their pairwise products (squares included)."""
    z = np.atleast_2d(z)
    i, j = np.triu_indices(z.shape[1])
    return np.hstack([z, z[:, i] * z[:, j]])


@dataclass(frozen=True)
class Regression:
    """One logistic regression over the expanded signals."""

    coef: tuple[float, ...]
    intercept: float

    def probability(self, x: np.ndarray) -> np.ndarray:
        """Probabilities of expanded rows."""
        return 1 / (1 + np.exp(-(x @ np.array(self.coef) + self.intercept)))


@dataclass(frozen=True)
class AnswerabilityModel:
    """Standardisation, the two regressions and the thresholds chosen for them."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    answer: Regression
    topic: Regression
    answer_threshold: float
    topic_threshold: float
    fitted: dict[str, Any] = field(default_factory=dict)

    def predict(self, features: dict[str, float]) -> tuple[float, float]:
        """(probability the candidate answers the question, probability it is on the topic asked)."""
        x = np.array([features[name] for name in self.features], dtype=np.float64)
        row = expand((x - np.array(self.mean)) / np.array(self.scale))
        p_answer = float(self.answer.probability(row)[0])
        p_topic = float(self.topic.probability(row)[0])
        return p_answer, p_topic

    def to_json(self) -> dict[str, Any]:
        """The model as the JSON saved in an index version (FILE), which `load` reads back."""
        return asdict(self)

    @classmethod
    def load(cls, directory: Path) -> AnswerabilityModel | None:
        """The model saved in an index version, or None when the build fitted none (or an older kind)."""
        path = directory / FILE
        if not path.exists():
            return None
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            model = cls(
                features=tuple(raw["features"]), mean=tuple(raw["mean"]), scale=tuple(raw["scale"]),
                answer=Regression(**{**raw["answer"], "coef": tuple(raw["answer"]["coef"])}),
                topic=Regression(**{**raw["topic"], "coef": tuple(raw["topic"]["coef"])}),
                answer_threshold=raw["answer_threshold"], topic_threshold=raw["topic_threshold"],
                fitted=raw.get("fitted", {}),
            )
        except (ValueError, TypeError, KeyError):
            return None
        # a model fitted on other signals (an older build) cannot read today's features
        return model if model.features == FEATURES else None


def _fit_logistic(x: np.ndarray, y: np.ndarray) -> Regression:
    from sklearn.linear_model import LogisticRegression

    if len(set(y.tolist())) < 2:
        # one class only: a constant model that says what the data says
        return Regression(tuple(0.0 for _ in range(x.shape[1])), 6.0 if y.all() else -6.0)
    reg = LogisticRegression(C=REGULARISATION_C, max_iter=5000)
    reg.fit(x, y)
    return Regression(tuple(float(c) for c in reg.coef_[0]), float(reg.intercept_[0]))


def _choose(scores: np.ndarray, good: np.ndarray, allowed: np.ndarray, budget: float, n: int,
            already_wrong: int = 0, watched: np.ndarray | None = None, watched_budget: float = 1.0,
            watched_already: int = 0) -> float:
    """The lowest threshold whose wrong picks (with those already made) stay within budget * n, and
    whose wrong picks among the `watched` questions stay within watched_budget of them."""
    best = 1.01
    for t in sorted(set(np.round(scores, 4).tolist()), reverse=True):
        picked = allowed & (scores >= t)
        wrong = int((picked & ~good).sum()) + already_wrong
        if wrong > budget * n:
            break
        if watched is not None and \
                (picked & ~good & watched).sum() + watched_already > watched_budget * max(watched.sum(), 1):
            break
        best = t
    return float(best)


def _best_per_question(p: np.ndarray, sizes: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """For each question, the index (within its candidates) and probability of its most probable one."""
    at, picks, probs = 0, [], []
    for n in sizes:
        i = int(p[at:at + n].argmax())
        picks.append(i)
        probs.append(p[at + i])
        at += n
    return np.array(picks), np.array(probs)


def fit_answerability(examples: list[Example]) -> AnswerabilityModel:
    """Fit both regressions on every candidate of every dev question; choose thresholds on out-of-fold
    predictions (folds by question)."""
    rows = [(c, e) for e in examples for c in e.candidates]
    x = np.array([[c.features[name] for name in FEATURES] for c, _ in rows], dtype=np.float64)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    z = expand((x - mean) / scale)
    y_answer = np.array([e.answers(c) for c, e in rows], dtype=int)
    y_topic = np.array([c.expected for c, _ in rows], dtype=int)
    sizes = [len(e.candidates) for e in examples]
    question_of = np.repeat(np.arange(len(examples)), sizes)
    fold_of = np.arange(len(examples)) % FOLDS
    oof_answer = np.zeros(len(rows))
    oof_topic = np.zeros(len(rows))
    for fold in range(FOLDS):
        held = fold_of[question_of] == fold
        oof_answer[held] = _fit_logistic(z[~held], y_answer[~held]).probability(z[held])
        oof_topic[held] = _fit_logistic(z[~held], y_topic[~held]).probability(z[held])
    n = len(examples)
    pick_a, p_answer = _best_per_question(oof_answer, sizes)
    pick_t, p_topic = _best_per_question(oof_topic, sizes)
    good_a = np.array([e.answers(e.candidates[i]) for e, i in zip(examples, pick_a, strict=True)])
    good_t = np.array([e.candidates[i].expected for e, i in zip(examples, pick_t, strict=True)])
    answer, topic = _fit_logistic(z, y_answer), _fit_logistic(z, y_topic)
    uncovered = np.array([e.uncovered for e in examples])
    answer_threshold = _choose(p_answer, good_a, np.ones(n, dtype=bool), WRONG_BUDGET, n,
                               watched=uncovered, watched_budget=UNCOVERED_BUDGET)
    answered = p_answer >= answer_threshold
    topic_threshold = _choose(p_topic, good_t, ~answered, PARTIAL_BUDGET, n, int((answered & ~good_a).sum()),
                              watched=uncovered, watched_budget=UNCOVERED_BUDGET,
                              watched_already=int((answered & ~good_a & uncovered).sum()))
    return AnswerabilityModel(
        features=FEATURES, mean=tuple(float(v) for v in mean), scale=tuple(float(v) for v in scale),
        answer=answer, topic=topic, answer_threshold=answer_threshold, topic_threshold=topic_threshold,
        fitted={"questions": n, "candidates": len(rows), "answerable": int(good_a.sum()),
                "covered": int(sum(e.covered for e in examples)), "folds": FOLDS},
    )
