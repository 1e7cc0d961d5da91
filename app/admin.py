"""Editors' view of what residents asked and could not get answered: grouping by similarity."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.index.embedder import Embedder
from app.storage import UnansweredRow
from app.text.normalize import fold_diacritics, normalize_text

SAME_QUESTION_COSINE = 0.9


@dataclass(frozen=True)
class QuestionGroup:
    """Unanswered questions that ask the same thing, most frequent first."""

    example: str
    count: int
    questions: list[str]
    last_asked: str
    partial: int = 0  # answered only in part: the topic is covered, the detail asked is not
    related_ids: tuple[str, ...] = ()  # the nearest entries those partial answers offered


def group_unanswered(rows: list[UnansweredRow], embedder: Embedder, limit: int = 50,
                     stored: dict[int, tuple[bytes, str]] | None = None) -> list[QuestionGroup]:
    """Group questions with the same folded text, then merge groups whose e5 vectors are near-identical.

    `stored` holds the vectors kept with the questions (by row id); only questions stored without one (or
    with another embedder's) are embedded here.
    """
    by_text: dict[str, list[UnansweredRow]] = {}
    for row in rows:
        key = " ".join(fold_diacritics(normalize_text(row.question)).split()).strip(" ?.!")
        by_text.setdefault(key, []).append(row)
    keys = list(by_text)
    if not keys:
        return []
    vectors = _vectors([by_text[k][0] for k in keys], embedder, stored or {})
    order = sorted(range(len(keys)), key=lambda i: len(by_text[keys[i]]), reverse=True)
    assigned: dict[int, int] = {}
    leaders: list[int] = []
    for i in order:
        if leaders:
            sims = vectors[leaders] @ vectors[i]
            best = int(np.argmax(sims))
            if sims[best] >= SAME_QUESTION_COSINE:
                assigned[i] = leaders[best]
                continue
        leaders.append(i)
        assigned[i] = i
    groups = []
    for leader in leaders:
        members = [r for i, lead in assigned.items() if lead == leader for r in by_text[keys[i]]]
        questions = list(dict.fromkeys(r.question for r in members))
        groups.append(QuestionGroup(
            example=by_text[keys[leader]][0].question, count=len(members), questions=questions[:10],
            last_asked=max(r.created_at for r in members).isoformat(timespec="seconds"),
            partial=sum(r.status == "partial" for r in members),
            related_ids=tuple(dict.fromkeys(r.related_id for r in members if r.related_id)),
        ))
    groups.sort(key=lambda g: g.count, reverse=True)
    return groups[:limit]


def _vectors(rows: list[UnansweredRow], embedder: Embedder, stored: dict[int, tuple[bytes, str]]) -> np.ndarray:
    out = np.zeros((len(rows), embedder.dim), dtype=np.float32)
    missing: list[int] = []
    for i, row in enumerate(rows):
        raw, model = stored.get(row.id, (b"", ""))
        if model == embedder.name and len(raw) == 4 * embedder.dim:
            out[i] = np.frombuffer(raw, dtype=np.float32)
        else:
            missing.append(i)
    if missing:
        out[missing] = embedder.embed_queries([rows[i].question for i in missing])
    return out
