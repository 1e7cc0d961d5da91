"""The fitted answerability model: P(the top entry answers this question) and P(it is on the topic asked).

Two logistic regressions over the signals in `app.answer.signals`, fitted on the dev split of the question
set when the index is built and saved in the index version (`answerability.json`). Their decision
thresholds are chosen on the same dev questions: the lowest answer threshold whose answered-wrong rate
stays within `WRONG_BUDGET`, then the lowest partial threshold keeping the total within budget.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from app.answer.signals import FEATURES, sigmoid

# share of all dev questions allowed to end with a wrong entry shown (answered or partial)
WRONG_BUDGET = 0.02
PARTIAL_BUDGET = 0.025
# and of the in-domain questions no entry answers, the hardest near misses
UNCOVERED_BUDGET = 0.04
FILE = "answerability.json"


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


@dataclass(frozen=True)
class AnswerabilityModel:
    """Standardised logistic regressions and the thresholds chosen for them."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    answer_coef: tuple[float, ...]
    answer_intercept: float
    topic_coef: tuple[float, ...]
    topic_intercept: float
    answer_threshold: float
    topic_threshold: float
    fitted: dict[str, Any] = field(default_factory=dict)

    def _z(self, features: dict[str, float]) -> np.ndarray:
        x = np.array([features[name] for name in self.features], dtype=np.float64)
        return (x - np.array(self.mean)) / np.array(self.scale)

    def predict(self, features: dict[str, float]) -> tuple[float, float]:
        """(probability the top entry answers the question, probability it is on the topic asked)."""
        z = self._z(features)
        p_answer = sigmoid(float(z @ np.array(self.answer_coef)) + self.answer_intercept)
        p_topic = sigmoid(float(z @ np.array(self.topic_coef)) + self.topic_intercept)
        return p_answer, p_topic

    def save(self, directory: Path) -> None:
        """Write the model next to the index files."""
        (directory / FILE).write_text(json.dumps(asdict(self), ensure_ascii=False, indent=1), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> AnswerabilityModel | None:
        """The model saved in an index version, or None when the build fitted none."""
        path = directory / FILE
        if not path.exists():
            return None
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            for key in ("features", "mean", "scale", "answer_coef", "topic_coef"):
                raw[key] = tuple(raw[key])
            model = cls(**raw)
        except (ValueError, TypeError, KeyError):
            return None
        # a model fitted on other signals (an older build) cannot read today's features
        return model if model.features == FEATURES else None


def _fit_logistic(x: np.ndarray, y: np.ndarray) -> tuple[tuple[float, ...], float]:
    from sklearn.linear_model import LogisticRegression

    if len(set(y.tolist())) < 2:
        # one class only: a constant model that says what the data says
        return tuple(0.0 for _ in range(x.shape[1])), 6.0 if y.all() else -6.0
    reg = LogisticRegression(C=1.0, max_iter=2000)
    reg.fit(x, y)
    return tuple(float(c) for c in reg.coef_[0]), float(reg.intercept_[0])


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


def fit_answerability(examples: list[Example]) -> AnswerabilityModel:
    """Fit both regressions on every candidate of every dev question, then their thresholds on the
    candidate each question would get (the most probable one)."""
    rows = [(c, e) for e in examples for c in e.candidates]
    x = np.array([[c.features[name] for name in FEATURES] for c, _ in rows], dtype=np.float64)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    z = (x - mean) / scale
    a_coef, a_int = _fit_logistic(z, np.array([e.answers(c) for c, e in rows], dtype=int))
    t_coef, t_int = _fit_logistic(z, np.array([c.expected for c, _ in rows], dtype=int))
    p_rows_a = 1 / (1 + np.exp(-(z @ np.array(a_coef) + a_int)))
    p_rows_t = 1 / (1 + np.exp(-(z @ np.array(t_coef) + t_int)))
    p_answer, answer_good, p_topic, topic_good = [], [], [], []
    at = 0
    for e in examples:
        n = len(e.candidates)
        pa, pt = p_rows_a[at:at + n], p_rows_t[at:at + n]
        best_a, best_t = int(pa.argmax()), int(pt.argmax())
        p_answer.append(pa[best_a])
        answer_good.append(e.answers(e.candidates[best_a]))
        p_topic.append(pt[best_t])
        topic_good.append(e.candidates[best_t].expected)
        at += n
    pa_arr, pt_arr = np.array(p_answer), np.array(p_topic)
    good_a, good_t = np.array(answer_good), np.array(topic_good)
    n = len(examples)
    uncovered = np.array([e.uncovered for e in examples])
    answer_threshold = _choose(pa_arr, good_a, np.ones(n, dtype=bool), WRONG_BUDGET, n,
                               watched=uncovered, watched_budget=UNCOVERED_BUDGET)
    answered = pa_arr >= answer_threshold
    wrong_answered = int((answered & ~good_a).sum())
    topic_threshold = _choose(pt_arr, good_t, ~answered, PARTIAL_BUDGET, n, wrong_answered,
                              watched=uncovered, watched_budget=UNCOVERED_BUDGET,
                              watched_already=int((answered & ~good_a & uncovered).sum()))
    return AnswerabilityModel(
        features=FEATURES, mean=tuple(float(v) for v in mean), scale=tuple(float(v) for v in scale),
        answer_coef=a_coef, answer_intercept=a_int, topic_coef=t_coef, topic_intercept=t_int,
        answer_threshold=answer_threshold, topic_threshold=topic_threshold,
        fitted={"questions": n, "candidates": len(rows), "answerable": int(good_a.sum()),
                "covered": int(sum(e.covered for e in examples))},
    )
