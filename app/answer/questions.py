"""The question set (tests/data/questions/*.yaml): what residents ask and which entries answer it.

Used by `make eval` to measure, and by the index build to fit the answerability model on the dev split.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from app.answer.answerability import Candidate, Example
from app.answer.composer import Composer

# slices whose questions have an entry that answers them
COVERED_SLICES = ("accented", "no_diacritics", "abbrev_typo", "english", "followup")
# in-domain questions no entry answers; off-topic questions; questions an entry answers only in part
UNCOVERED, OFFTOPIC, PARTIAL = "uncovered", "offtopic", "partial"


@dataclass(frozen=True)
class EvalQuestion:
    """One question of the set."""

    q: str
    expect: tuple[str, ...]
    slice: str
    prev: str | None = None
    split: str = "dev"

    @property
    def covered(self) -> bool:
        """An expected entry answers it in full."""
        return bool(self.expect) and self.slice != PARTIAL


def load_questions(path: Path) -> list[EvalQuestion]:
    """Read a question set: one YAML file, or every *.yaml in a directory (lists of {q, expect, slice,
    prev?, split?})."""
    files = sorted(path.glob("*.yaml")) if path.is_dir() else [path]
    out: list[EvalQuestion] = []
    for file in files:
        for i in yaml.safe_load(file.read_text(encoding="utf-8")) or []:
            out.append(EvalQuestion(q=str(i["q"]), expect=tuple(i.get("expect") or ()), slice=str(i["slice"]),
                                    prev=i.get("prev"), split=str(i.get("split", "dev"))))
    return out


def collect_examples(composer: Composer, questions: list[EvalQuestion]) -> list[Example]:
    """The answerability features of each stand-alone question's top candidates, with their labels.

    A follow-up is read with its previous question as the service reads it when it is elliptical (the
    previous question standing for what the session remembered). Questions that expect an entry this
    knowledge base does not have (a smaller or older knowledge base) are left out.
    """
    known = set(composer.knowledge.faqs) | set(composer.knowledge.articles)
    asked = [(item, composer.followup_context(item.q, item.prev)) for item in questions
             if set(item.expect) <= known]
    # every question and context embedded in batches beforehand: the same vectors, a few calls
    composer = composer.with_questions_embedded([text for item, context in asked
                                                 for text in (item.q, context) if text is not None])
    examples: list[Example] = []
    for item, context in asked:
        found = composer.retrieve(item.q, context)
        assessment = composer.assess(found)
        if assessment is None:
            continue
        hits = found.hits[:len(assessment.features)]
        candidates = [Candidate(row, hit.unit.ref in item.expect)
                      for row, hit in zip(assessment.features, hits, strict=True)]
        examples.append(Example(candidates, item.covered, uncovered=item.slice == UNCOVERED))
    return examples
