"""Which help-desk search hits are relevant to the search (README, "Help-desk search").

A hit is relevant when the answer composer would answer with it or point to it (the answerability model's
probabilities pass its thresholds), or when retrieval places it as close as an answer needs (the FAQ or
passage threshold) and the model does not rule the whole search off the knowledge base's topics. The
second arm keeps keyword searches ("căn cước", "định danh mức 2"), which the model, fitted on whole
questions, rarely calls answered. Without a model, the retrieval thresholds alone decide.
"""

from __future__ import annotations

from app.answer.composer import RERANK_DEPTH, Composer, Retrieval
from app.search.retriever import Hit

# no candidate is even this likely to be the entry asked for: the search is off topic, however close
# retrieval places some entries (on the question set: off-topic questions with a relevant hit 7/44 -> 5/44
# on dev, 3/17 -> 2/17 held out; covered questions with one unchanged)
OFF_TOPIC_BELOW = 0.05


def judge_hits(composer: Composer, found: Retrieval) -> list[bool]:
    """For each hit of `found`, whether it is relevant to the search."""
    assessment = composer.assess(found)
    if assessment is None:
        return []
    t = composer.thresholds
    close = [h.confidence >= (t.extract if h.unit.kind == "passage" else t.faq) for h in found.hits]
    model = composer.answerability
    if model is None:
        return close
    scored = assessment.probabilities
    chosen = [a >= model.answer_threshold or p >= model.topic_threshold for a, p in scored]
    on_topic = max(p for _, p in scored) >= OFF_TOPIC_BELOW
    return [(i < len(chosen) and chosen[i]) or (on_topic and near) for i, near in enumerate(close)]


def search_relevant(composer: Composer, query: str, k: int, area: str | None = None) -> tuple[list[Hit], list[bool]]:
    """The k best hits for a help-desk search, and whether each is relevant."""
    # the model reads a question's top RERANK_DEPTH candidates together, as when answering it
    found = composer.retrieve(query, k=max(k, RERANK_DEPTH), area=area)
    return found.hits[:k], judge_hits(composer, found)[:k]
