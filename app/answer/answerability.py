"""The fitted answerability model: P(a candidate answers this question) and P(it is on the topic asked).

Each probability is the mean of two models fitted on every top candidate of the dev questions when the
index is built, and saved in the index version (`answerability.json`): a logistic regression over the
signals in `app.answer.signals` and their pairwise products (a signal can matter more when another is
high: a missing word weighs less when the closest phrasing matches), and gradient-boosted trees over the
signals themselves (scikit-learn's HistGradientBoostingClassifier, exported to plain arrays so that
prediction needs no pickle). Against the regression alone, the mean kept the dev split's share of
covered questions answered (out-of-fold) and lowered its calibration error; on the held-out split it
answered fewer questions wrongly (README, "Quality").

The decision thresholds are chosen on out-of-fold predictions (folds by question), which behave like
predictions on new questions: the lowest answer threshold whose wrong answers stay within `WRONG_BUDGET`
of all questions and `UNCOVERED_BUDGET` of the uncovered ones, then the lowest partial threshold keeping
the total within `PARTIAL_BUDGET`. The cross-validation is repeated with `FOLD_ORDERS` assignments of
questions to folds and the wrong answers are counted as their mean over the assignments: with one
assignment the chosen threshold moved by up to 0.05 (five points of covered answers) with nothing but
the order of the questions (README, "Quality"). (A Platt recalibration of the chosen candidate's
probability on the same out-of-fold predictions was measured and left out: it did not improve
calibration on the held-out split.)
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from functools import cached_property
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
CALIBRATION_BINS = 10
FOLDS = 5
# assignments of questions to folds (the first is question order modulo FOLDS, the rest seeded shuffles)
FOLD_ORDERS = 3
# L2 strength of the regressions (scikit-learn's C; smaller is stronger), for ~200 standardised terms
REGULARISATION_C = 0.05
# the boosted trees: many small, slow steps, leaves of at least 30 candidates
TREES = {"learning_rate": 0.03, "max_iter": 500, "min_samples_leaf": 30, "max_leaf_nodes": 15,
         "l2_regularization": 1.0, "early_stopping": False, "random_state": 0}


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
class Trees:
    """Boosted trees as plain arrays, one row per tree (padded): go left when x[feature] <= threshold."""

    baseline: float
    feature: tuple[tuple[int, ...], ...]
    threshold: tuple[tuple[float, ...], ...]
    left: tuple[tuple[int, ...], ...]
    right: tuple[tuple[int, ...], ...]
    value: tuple[tuple[float, ...], ...]
    leaf: tuple[tuple[bool, ...], ...]

    @classmethod
    def from_sklearn(cls, model: Any) -> Trees:
        """Export a fitted binary HistGradientBoostingClassifier (numeric features, no missing values)."""
        nodes = [p.nodes for (p,) in model._predictors]  # one predictor per boosting step for two classes
        width = max(len(n) for n in nodes)

        def column(name: str, kind: type, pad: Any) -> tuple[tuple[Any, ...], ...]:
            return tuple(tuple(kind(v) for v in n[name]) + (pad,) * (width - len(n)) for n in nodes)

        return cls(baseline=float(np.ravel(model._baseline_prediction)[0]),
                   feature=column("feature_idx", int, 0), threshold=column("num_threshold", float, 0.0),
                   left=column("left", int, 0), right=column("right", int, 0),
                   value=column("value", float, 0.0), leaf=column("is_leaf", bool, True))

    @cached_property
    def _arrays(self) -> tuple[np.ndarray, ...]:
        """Every tree's nodes in one flat array each; children point into the flat arrays."""
        width = len(self.feature[0]) if self.feature else 0
        offsets = np.arange(len(self.feature), dtype=np.intp) * width
        feature = np.array(self.feature, dtype=np.intp).ravel()
        left = (np.array(self.left, dtype=np.intp) + offsets[:, None]).ravel()
        right = (np.array(self.right, dtype=np.intp) + offsets[:, None]).ravel()
        return (offsets, feature, np.array(self.threshold).ravel(), left, right, np.array(self.value).ravel(),
                np.array(self.leaf, dtype=bool).ravel())

    def probability(self, x: np.ndarray) -> np.ndarray:
        """Probabilities of standardised rows: every tree walked at once, one level per step."""
        offsets, feature, threshold, left, right, value, leaf = self._arrays
        x = np.atleast_2d(x)
        # at[r, t]: the node row r has reached in tree t, as an index into the flat arrays
        at = np.repeat(offsets[None, :], x.shape[0], axis=0)
        cells = (np.arange(x.shape[0]) * x.shape[1])[:, None]
        flat_x = x.ravel()
        while True:
            inner = ~leaf[at]
            if not inner.any():
                break
            go_left = flat_x[cells + feature[at]] <= threshold[at]
            at = np.where(inner, np.where(go_left, left[at], right[at]), at)
        raw = self.baseline + value[at].sum(axis=1)
        return 1 / (1 + np.exp(-raw))


@dataclass(frozen=True)
class Mean:
    """The mean of the regression's and the trees' probabilities."""

    linear: Regression
    trees: Trees

    def probability(self, z: np.ndarray) -> np.ndarray:
        """Probabilities of standardised rows."""
        return (self.linear.probability(expand(z)) + self.trees.probability(z)) / 2

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Mean:
        """Read back what `asdict` wrote."""
        linear = raw["linear"]
        t = raw["trees"]

        def rows(name: str) -> tuple[tuple[Any, ...], ...]:
            return tuple(tuple(r) for r in t[name])

        trees = Trees(float(t["baseline"]), rows("feature"), rows("threshold"), rows("left"), rows("right"),
                      rows("value"), rows("leaf"))
        return cls(Regression(tuple(linear["coef"]), linear["intercept"]), trees)


@dataclass(frozen=True)
class AnswerabilityModel:
    """Standardisation, the two regressions and the thresholds chosen for them."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    answer: Mean
    topic: Mean
    answer_threshold: float
    topic_threshold: float
    fitted: dict[str, Any] = field(default_factory=dict)

    def predict(self, features: dict[str, float]) -> tuple[float, float]:
        """(probability the candidate answers the question, probability it is on the topic asked)."""
        return self.predict_many([features])[0]

    def predict_many(self, rows: list[dict[str, float]]) -> list[tuple[float, float]]:
        """`predict` for several candidates at once."""
        x = np.array([[row[name] for name in self.features] for row in rows], dtype=np.float64)
        z = (x - np.array(self.mean)) / np.array(self.scale)
        return list(zip(self.answer.probability(z).tolist(), self.topic.probability(z).tolist(), strict=True))

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
                answer=Mean.from_json(raw["answer"]), topic=Mean.from_json(raw["topic"]),
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


def _fit(z: np.ndarray, y: np.ndarray) -> Mean:
    """The regression on the expanded signals and the trees on the signals, fitted on the same rows."""
    linear = _fit_logistic(expand(z), y)
    if len(set(y.tolist())) < 2:
        return Mean(linear, Trees(linear.intercept, ((0,),), ((0.0,),), ((0,),), ((0,),), ((0.0,),), ((True,),)))
    from sklearn.ensemble import HistGradientBoostingClassifier

    return Mean(linear, Trees.from_sklearn(HistGradientBoostingClassifier(**TREES).fit(z, y)))


def calibration(pairs: list[tuple[float, bool]], bins: int = CALIBRATION_BINS) -> dict[str, Any]:
    """Expected calibration error and the reliability table of (confidence, answer was right) pairs."""
    table = []
    ece = 0.0
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        inside = [(p, y) for p, y in pairs if lo <= p < hi or (b == bins - 1 and p == 1.0)]
        if not inside:
            continue
        mean_p = sum(p for p, _ in inside) / len(inside)
        rate = sum(y for _, y in inside) / len(inside)
        ece += len(inside) / len(pairs) * abs(mean_p - rate)
        table.append({"bin": f"{lo:.1f}-{hi:.1f}", "n": len(inside), "confidence": mean_p, "right": rate})
    return {"ece": ece if pairs else None, "table": table}


def _choose(scores: list[np.ndarray], good: list[np.ndarray], allowed: list[np.ndarray], budget: float, n: int,
            already_wrong: list[int] | None = None, watched: np.ndarray | None = None, watched_budget: float = 1.0,
            watched_already: list[int] | None = None) -> float:
    """The lowest threshold whose wrong picks (with those already made), averaged over the fold
    assignments, stay within budget * n, and whose wrong picks among the `watched` questions stay within
    watched_budget of them. Each list holds one array (or count) per fold assignment."""
    orders = len(scores)
    already = already_wrong or [0] * orders
    watched_before = watched_already or [0] * orders
    best = 1.01
    for t in sorted(set(np.round(np.concatenate(scores), 4).tolist()), reverse=True):
        wrong = watched_wrong = 0.0
        for k in range(orders):
            bad = allowed[k] & (scores[k] >= t) & ~good[k]
            wrong += (int(bad.sum()) + already[k]) / orders
            if watched is not None:
                watched_wrong += (int((bad & watched).sum()) + watched_before[k]) / orders
        if wrong > budget * n:
            break
        if watched is not None and watched_wrong > watched_budget * max(watched.sum(), 1):
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
    z = (x - mean) / scale
    y_answer = np.array([e.answers(c) for c, e in rows], dtype=int)
    y_topic = np.array([c.expected for c, _ in rows], dtype=int)
    sizes = [len(e.candidates) for e in examples]
    question_of = np.repeat(np.arange(len(examples)), sizes)
    n = len(examples)
    rng = np.random.default_rng(0)
    assignments = [np.arange(n) % FOLDS] + [rng.permutation(n) % FOLDS for _ in range(FOLD_ORDERS - 1)]
    p_answer, p_topic, good_a, good_t = [], [], [], []
    for fold_of in assignments:
        oof_answer = np.zeros(len(rows))
        oof_topic = np.zeros(len(rows))
        for fold in range(FOLDS):
            held = fold_of[question_of] == fold
            oof_answer[held] = _fit(z[~held], y_answer[~held]).probability(z[held])
            oof_topic[held] = _fit(z[~held], y_topic[~held]).probability(z[held])
        pick_a, prob_a = _best_per_question(oof_answer, sizes)
        pick_t, prob_t = _best_per_question(oof_topic, sizes)
        p_answer.append(prob_a)
        p_topic.append(prob_t)
        good_a.append(np.array([e.answers(e.candidates[i]) for e, i in zip(examples, pick_a, strict=True)]))
        good_t.append(np.array([e.candidates[i].expected for e, i in zip(examples, pick_t, strict=True)]))
    answer, topic = _fit(z, y_answer), _fit(z, y_topic)
    uncovered = np.array([e.uncovered for e in examples])
    everyone = [np.ones(n, dtype=bool)] * len(assignments)
    answer_threshold = _choose(p_answer, good_a, everyone, WRONG_BUDGET, n,
                               watched=uncovered, watched_budget=UNCOVERED_BUDGET)
    answered = [p >= answer_threshold for p in p_answer]
    topic_threshold = _choose(p_topic, good_t, [~a for a in answered], PARTIAL_BUDGET, n,
                              [int((a & ~g).sum()) for a, g in zip(answered, good_a, strict=True)],
                              watched=uncovered, watched_budget=UNCOVERED_BUDGET,
                              watched_already=[int((a & ~g & uncovered).sum())
                                               for a, g in zip(answered, good_a, strict=True)])
    covered = np.array([e.covered for e in examples])
    # what new questions would see: every dev question decided by a model that was not fitted on it
    # (the mean over the fold assignments)
    figures: dict[str, list[float]] = {"answered_wrong": [], "uncovered_wrong": [], "covered_right": [], "ece": []}
    for k in range(len(assignments)):
        partial = ~answered[k] & (p_topic[k] >= topic_threshold)
        wrong = (answered[k] & ~good_a[k]) | (partial & ~good_t[k])
        figures["answered_wrong"].append(float(wrong.mean()))
        if uncovered.any():
            figures["uncovered_wrong"].append(float(wrong[uncovered].mean()))
        if covered.any():
            figures["covered_right"].append(float((answered[k] & good_a[k])[covered].mean()))
        figures["ece"].append(calibration(list(zip(p_answer[k].tolist(), good_a[k].tolist(), strict=True)))["ece"]
                              or 0.0)
    out_of_fold = {name: round(float(np.mean(v)), 4) if v else None for name, v in figures.items()}
    return AnswerabilityModel(
        features=FEATURES, mean=tuple(float(v) for v in mean), scale=tuple(float(v) for v in scale),
        answer=answer, topic=topic, answer_threshold=answer_threshold, topic_threshold=topic_threshold,
        fitted={"questions": n, "candidates": len(rows), "answerable": int(good_a[0].sum()),
                "covered": int(covered.sum()), "folds": FOLDS, "fold_orders": len(assignments),
                "out_of_fold": out_of_fold},
    )
