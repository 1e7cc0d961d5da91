"""Turn retrieval hits into a cited answer: FAQ fast path, extractive sentences, or an honest no-answer."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from app.answer.messages import EXTRACTIVE_INTRO, NO_ANSWER, STARTER_QUESTIONS
from app.knowledge.models import Knowledge
from app.search.fusion import scale_cosine
from app.search.retriever import Hit, Retriever
from app.text.normalize import fold_diacritics, tokenize
from app.text.query import ProcessedQuery, SynonymExpander, process_query
from app.text.restore import DiacriticRestorer

SNIPPET_CHARS = 280
# within the chosen passages, a sentence is picked half for meaning and half for the words asked about
SENTENCE_DENSE_WEIGHT = 0.5
# how deep both rankings of a follow-up go before blending, so a document found by one is scored by both
FOLLOWUP_DEPTH = 40


@dataclass(frozen=True)
class Thresholds:
    """Calibrated decision thresholds (from Settings)."""

    faq: float
    extract: float
    related: float
    max_sentences: int = 3
    followup_alone_weight: float = 0.7


@dataclass(frozen=True)
class Citation:
    """A numbered reference to what an answer came from."""

    n: int
    id: str
    kind: Literal["faq", "article", "source"]
    title: str
    snippet: str
    url: str | None
    publisher: str | None
    published: str | None


@dataclass(frozen=True)
class Retrieval:
    """What retrieval found for one question."""

    query: ProcessedQuery
    vector: np.ndarray
    hits: list[Hit]


@dataclass
class Answer:
    """What the assistant replies to one question."""

    answer: str
    status: Literal["answered", "no_answer"]
    answer_type: Literal["faq", "extractive", "none"]
    confidence: float
    citations: list[Citation] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)
    language: str = "vi"
    matched_id: str | None = None


def _snippet(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SNIPPET_CHARS else text[: SNIPPET_CHARS - 1].rsplit(" ", 1)[0] + "…"


class Composer:
    """Answers questions from a knowledge base through a retriever."""

    def __init__(self, knowledge: Knowledge, retriever: Retriever, thresholds: Thresholds,
                 expand_synonyms: bool = True, restore_diacritics: bool = True):
        self.knowledge = knowledge
        self.retriever = retriever
        self.thresholds = thresholds
        self.expander = SynonymExpander(knowledge.synonyms) if expand_synonyms else None
        self.restorer = (DiacriticRestorer(u.text for u in retriever.index.units)
                         if restore_diacritics else None)

    @staticmethod
    def confidence(hit: Hit) -> float:
        """How sure a hit answers the question (absolute, comparable across questions)."""
        return hit.confidence

    def prepare(self, question: str) -> ProcessedQuery:
        """Normalise and expand a question."""
        return process_query(question, self.expander, self.restorer)

    def retrieve(self, question: str, context: str | None = None, k: int = 12) -> Retrieval:
        """Ranked hits for a question; with a context (the question merged with the session's previous
        one), each document's confidence blends how it matches the question alone and in context."""
        query = self.prepare(question)
        vector = self.retriever.embed_query(query)
        hits = self.retriever.search(query, k=FOLLOWUP_DEPTH if context else k, vector=vector)
        if context is None:
            return Retrieval(query, vector, hits)
        merged_query = self.prepare(context)
        merged_vector = self.retriever.embed_query(merged_query)
        merged = self.retriever.search(merged_query, k=FOLLOWUP_DEPTH, vector=merged_vector)
        w = self.thresholds.followup_alone_weight
        scores: dict[tuple[str, int], list[float]] = {}
        best: dict[tuple[str, int], Hit] = {}
        for column, found in enumerate((hits, merged)):
            for hit in found:
                scores.setdefault(hit.key, [0.0, 0.0])[column] = hit.confidence
                best.setdefault(hit.key, hit)
        # ranked by the blend; a document that answers the question on its own keeps that confidence
        blended = [dataclasses.replace(best[key], confidence=max(a, w * a + (1 - w) * m), score=w * a + (1 - w) * m)
                   for key, (a, m) in scores.items()]
        blended.sort(key=lambda h: h.score, reverse=True)
        # the merged wording picks the sentences of an extractive answer, and the answer language stays
        # the one the resident just used
        merged_query = dataclasses.replace(merged_query, english=query.english)
        return Retrieval(merged_query, merged_vector, blended[:k])

    def answer(self, question: str, context: str | None = None) -> Answer:
        """Answer one question, optionally in the context of the session's previous question."""
        found = self.retrieve(question, context)
        query, vector, hits = found.query, found.vector, found.hits
        lang = "en" if query.english else "vi"
        faq_hits = [h for h in hits if h.unit.kind != "passage"]
        top = hits[0] if hits else None
        if top is not None and top.unit.kind != "passage" and top.confidence >= self.thresholds.faq:
            return self._faq_answer(top, faq_hits[1:], lang)
        if top is not None and top.unit.kind == "passage" and top.confidence >= self.thresholds.extract:
            passages = [h for h in hits if h.unit.kind == "passage" and h.confidence >= self.thresholds.extract]
            extracted = self._extractive_answer(query, vector, passages[:3], lang)
            if extracted:
                extracted.suggestions = self._suggestions(faq_hits, lang, exclude=None)
                return extracted
        return Answer(
            answer=NO_ANSWER[lang], status="no_answer", answer_type="none",
            confidence=round(max((self.confidence(h) for h in hits), default=0.0), 3),
            suggestions=self._suggestions(faq_hits, lang, exclude=None) or STARTER_QUESTIONS[lang],
            language=lang,
        )

    def _suggestions(self, faq_hits: list[Hit], lang: str, exclude: str | None) -> list[str]:
        out: list[str] = []
        for hit in faq_hits:
            if hit.unit.ref == exclude or self.confidence(hit) < self.thresholds.related:
                continue
            entry = self.knowledge.faqs[hit.unit.ref]
            text = entry.en.question if lang == "en" and entry.en else entry.question
            if text not in out:
                out.append(text)
            if len(out) == 3:
                break
        return out

    def article_citation(self, n: int, ref: str, text: str) -> Citation:
        """Citation of an article, with the given text as its snippet."""
        art = self.knowledge.articles[ref]
        return Citation(n, ref, "article", art.title, _snippet(text), art.url, art.publisher,
                        art.published.isoformat() if art.published else None)

    def source_citation(self, n: int, ref: str) -> Citation:
        """Citation of an article or sources.yaml entry named by a FAQ entry."""
        if ref in self.knowledge.articles:
            return self.article_citation(n, ref, self.knowledge.articles[ref].paragraphs[0])
        src = self.knowledge.sources[ref]
        return Citation(n, ref, "source", src.title, _snippet(src.summary), src.url, src.publisher,
                        src.date.isoformat() if src.date else None)

    def _faq_answer(self, hit: Hit, others: list[Hit], lang: str) -> Answer:
        entry = self.knowledge.faqs[hit.unit.ref]
        use_en = lang == "en" and entry.en is not None
        text = entry.en.answer if use_en and entry.en else entry.answer
        citations = [self.source_citation(i + 1, ref) for i, ref in enumerate(entry.sources)]
        markers = "".join(f"[{c.n}]" for c in citations)
        return Answer(
            answer=f"{text.strip()} {markers}", status="answered", answer_type="faq",
            confidence=round(self.confidence(hit), 3), citations=citations,
            suggestions=self._suggestions(others, lang, exclude=entry.id),
            language="en" if use_en else "vi", matched_id=entry.id,
        )

    def _extractive_answer(self, query: ProcessedQuery, vector: np.ndarray, passages: list[Hit],
                           lang: str) -> Answer | None:
        index = self.retriever.index
        wanted = {(h.unit.ref, h.unit.chunk): h for h in passages}
        rows = [i for i, s in enumerate(index.sentences) if (s.ref, s.chunk) in wanted]
        if not rows:
            return None
        cos = index.sentence_vectors[rows] @ vector
        dense = scale_cosine(cos, self.retriever.config.cosine_floor, self.retriever.config.cosine_ceiling)
        terms = set(query.coverage_terms)
        scored = []
        for j, row in enumerate(rows):
            sentence = index.sentences[row]
            present = {fold_diacritics(t) for t in tokenize(sentence.text)}
            coverage = len(terms & present) / max(len(terms), 1)
            scored.append((SENTENCE_DENSE_WEIGHT * float(dense[j]) + (1 - SENTENCE_DENSE_WEIGHT) * coverage, row))
        scored.sort(reverse=True)
        # keep sentences nearly as relevant as the best one, so the answer stays on the point asked
        top_score = scored[0][0]
        chosen = [row for score, row in scored[: self.thresholds.max_sentences] if score >= top_score - 0.1]
        chosen.sort()
        citations: list[Citation] = []
        numbers: dict[tuple[str, int], int] = {}
        parts: list[str] = []
        for row in chosen:
            sentence = index.sentences[row]
            key = (sentence.ref, sentence.chunk)
            if key not in numbers:
                numbers[key] = len(citations) + 1
                citations.append(self.article_citation(numbers[key], sentence.ref, wanted[key].unit.text))
            parts.append(f"{sentence.text} [{numbers[key]}]")
        top = max(self.confidence(h) for h in passages)
        return Answer(
            answer=f"{EXTRACTIVE_INTRO[lang]} " + " ".join(parts), status="answered", answer_type="extractive",
            confidence=round(top, 3), citations=citations, language=lang, matched_id=passages[0].unit.ref,
        )
