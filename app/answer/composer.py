"""Turn retrieval hits into a cited answer: FAQ fast path, extractive sentences, or an honest no-answer."""

from __future__ import annotations

import copy
import dataclasses
import functools
import re
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from app.answer.answerability import AnswerabilityModel
from app.answer.messages import (
    ASKED_DETAIL,
    CAPABILITIES_ENTRY,
    EXTRACTIVE_INTRO,
    NO_ANSWER,
    PARTIAL_INTRO,
    PARTIAL_NEAREST,
    PARTIAL_REFERRAL,
    STARTER_QUESTIONS,
)
from app.answer.sessions import FOLLOWUP_MAX_WORDS, is_elliptical, merge_followup
from app.answer.signals import (
    FEATURES,
    Offer,
    Signals,
    content_terms,
    entities,
    folded,
    offer_of_entry,
    offer_of_text,
    place_names,
    question_types,
)
from app.index.chunking import chunk_article
from app.knowledge.models import Knowledge
from app.search.fusion import scale_cosine
from app.search.retriever import Hit, Retriever
from app.text.normalize import fold_diacritics, tokenize
from app.text.query import ProcessedQuery, SynonymExpander, process_query
from app.text.restore import DiacriticRestorer

SNIPPET_CHARS = 280
# within the chosen passages, a sentence is picked half for meaning and half for the words asked about
SENTENCE_DENSE_WEIGHT = 0.5
# how many of the ranked candidates the answerability model scores and re-ranks
RERANK_DEPTH = 8
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
    source_kind: str | None = None
    status: str | None = None
    superseded_by: str | None = None
    superseded_by_title: str | None = None
    retrieved: str | None = None


@dataclass(frozen=True)
class Retrieval:
    """What retrieval found for one question."""

    query: ProcessedQuery
    vector: np.ndarray
    hits: list[Hit]
    followup: bool = False


@dataclass(frozen=True)
class Assessment:
    """The candidate most likely to answer the question and the one most likely on its topic, how likely,
    and what the question asks that the topic candidate lacks."""

    best: Hit
    p_answer: float
    topic: Hit
    p_topic: float
    features: list[dict[str, float]]
    missing: list[str]
    says_unknown: bool
    ranked: list[Hit]
    # the model's (answer, topic) probabilities for each candidate in retrieval order; empty without a model
    probabilities: list[tuple[float, float]] = field(default_factory=list)


@dataclass
class Answer:
    """What the assistant replies to one question."""

    answer: str
    status: Literal["answered", "partial", "no_answer"]
    answer_type: Literal["faq", "extractive", "none"]
    confidence: float
    citations: list[Citation] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)
    language: str = "vi"
    matched_id: str | None = None
    vector: np.ndarray | None = field(default=None, repr=False, compare=False)


def _snippet(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SNIPPET_CHARS else text[: SNIPPET_CHARS - 1].rsplit(" ", 1)[0] + "…"


class Composer:
    """Answers questions from a knowledge base through a retriever."""

    def __init__(self, knowledge: Knowledge, retriever: Retriever, thresholds: Thresholds,
                 expand_synonyms: bool = True, restore_diacritics: bool = True,
                 answerability: AnswerabilityModel | None = None, signals_off: tuple[str, ...] = ()):
        self.knowledge = knowledge
        self.retriever = retriever
        self.thresholds = thresholds
        unknown = sorted(set(signals_off) - set(FEATURES))
        if unknown:
            raise ValueError(f"ANSWERABILITY_OFF names unknown signals {unknown}; known: {list(FEATURES)}")
        self.answerability = answerability
        self.signals_off = signals_off
        self.signals = Signals(*retriever.term_idf, places=place_names(
            [n for p in knowledge.provinces.values() for n in (p.name, *p.merged_from)]))
        self._offers = {ref: offer_of_entry(entry) for ref, entry in knowledge.faqs.items()}
        self._passage_offers = {(u.ref, u.chunk): offer_of_text(u.text)
                                for u in retriever.index.units if u.kind == "passage"}
        self.expander = SynonymExpander(knowledge.synonyms) if expand_synonyms else None
        self.restorer = (DiacriticRestorer(u.text for u in retriever.index.units)
                         if restore_diacritics else None)
        self._area_entries = [e for e in knowledge.faqs.values() if e.area is not None]
        self._hidden: dict[str, frozenset[str]] = {}

    @staticmethod
    def confidence(hit: Hit) -> float:
        """How sure a hit answers the question (absolute, comparable across questions)."""
        return hit.confidence

    def prepare(self, question: str) -> ProcessedQuery:
        """Normalise and expand a question."""
        return process_query(question, self.expander, self.restorer)

    def with_questions_embedded(self, texts: list[str]) -> Composer:
        """A copy of this composer whose retriever already holds the vectors of these questions (each as
        `prepare` reads it), embedded in batches: for running many known questions at once."""
        twin = copy.copy(self)
        twin.retriever = self.retriever.with_query_vectors([self.prepare(t) for t in texts])
        return twin

    def hidden_for(self, area: str | None) -> frozenset[str]:
        """Entries a resident of `area` does not see: other areas' own entries, and the national entries that
        their area (or its province) replaces."""
        if not self._area_entries:
            return frozenset()
        found = self._hidden.get(area or "")
        if found is None:
            described = self.knowledge.area(area)
            scope = {described.id, described.province} if described else set()
            found = frozenset(
                {e.id for e in self._area_entries if e.area not in scope}
                | {ref for e in self._area_entries if e.area in scope for ref in e.overrides})
            if described is not None or not area:
                # unknown names are not kept: a caller cannot grow this map
                self._hidden[area or ""] = found
        return found

    def _search(self, query: ProcessedQuery, k: int, vector: np.ndarray, hidden: frozenset[str]) -> list[Hit]:
        if not hidden:
            return self.retriever.search(query, k=k, vector=vector)
        hits = self.retriever.search(query, k=k + len(hidden), vector=vector)
        return [h for h in hits if h.unit.kind == "passage" or h.unit.ref not in hidden][:k]

    def retrieve(self, question: str, context: str | None = None, k: int = 12, area: str | None = None) -> Retrieval:
        """Ranked hits for a question, among the entries its area sees; with a context (the question merged
        with the session's previous one), each document's confidence blends how it matches the question alone
        and in context."""
        hidden = self.hidden_for(area)
        query = self.prepare(question)
        vector = self.retriever.embed_query(query)
        hits = self._search(query, FOLLOWUP_DEPTH if context else k, vector, hidden)
        if context is None:
            return Retrieval(query, vector, hits)
        merged_query = self.prepare(context)
        merged_vector = self.retriever.embed_query(merged_query)
        merged = self._search(merged_query, FOLLOWUP_DEPTH, merged_vector, hidden)
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
        return Retrieval(merged_query, merged_vector, blended[:k], followup=True)

    def followup_context(self, question: str, previous: str | None) -> str | None:
        """The question rewritten with the previous one when it leans on it (it is short and elliptical);
        a question that names its own need gets no context."""
        if not previous or len(question.split()) > FOLLOWUP_MAX_WORDS:
            return None
        if not is_elliptical(question, len(content_terms(self.prepare(question)))):
            return None
        return merge_followup(previous, question)

    def offer(self, hit: Hit) -> Offer:
        """What a candidate offers: a FAQ entry's questions and answer, or a passage's text."""
        if hit.unit.kind == "passage":
            return self._passage_offers[hit.key]
        return self._offers[hit.unit.ref]

    def assess(self, found: Retrieval) -> Assessment | None:
        """Score the top candidates for answering this question (the fitted model, or the retrieval
        thresholds without one) and rank them by it."""
        hits = found.hits[:RERANK_DEPTH]
        if not hits:
            return None
        reading = self.signals.read(found.query)
        features = [self.signals.features(reading, hits, i, self.offer(h)) for i, h in enumerate(hits)]
        for row in features:
            row["followup"] = float(found.followup)
            for name in self.signals_off:
                # a switched-off signal is a constant, so the fitted model cannot use it
                row[name] = 0.0
        probabilities = self.answerability.predict_many(features) if self.answerability is not None else []
        scored = probabilities or [(self._threshold_score(h), h.confidence) for h in hits]
        # an entry that only says it does not know never answers; one about another country is not even the topic
        scored = [(0.0, 0.0) if self.signals.other_country(reading, self.offer(h)) else
                  (0.0 if self.offer(h).says_unknown else a, t) for h, (a, t) in zip(hits, scored, strict=True)]
        order = sorted(range(len(hits)), key=lambda i: (scored[i][0], hits[i].confidence), reverse=True)
        best = order[0]
        topic = max(range(len(hits)), key=lambda i: (scored[i][1], hits[i].confidence))
        offer = self.offer(hits[topic])
        return Assessment(
            best=hits[best], p_answer=round(scored[best][0], 3), topic=hits[topic], p_topic=round(scored[topic][1], 3),
            features=features, missing=self.signals.missing_terms(reading, offer), says_unknown=offer.says_unknown,
            ranked=[hits[i] for i in order] + found.hits[RERANK_DEPTH:], probabilities=probabilities,
        )

    def _threshold_score(self, hit: Hit) -> float:
        threshold = self.thresholds.extract if hit.unit.kind == "passage" else self.thresholds.faq
        return hit.confidence if hit.confidence >= threshold else min(hit.confidence, 0.49)

    def _decide(self, assessment: Assessment) -> Literal["answered", "partial", "no_answer"]:
        if self.answerability is not None:
            answer_at, topic_at = self.answerability.answer_threshold, self.answerability.topic_threshold
        else:
            answer_at = 0.5
            topic_at = self.thresholds.related if assessment.says_unknown else self.thresholds.faq
        if assessment.p_answer >= answer_at:
            return "answered"
        if assessment.topic.unit.kind != "passage" and assessment.p_topic >= topic_at:
            return "partial"
        return "no_answer"

    def answer(self, question: str, context: str | None = None, area: str | None = None) -> Answer:
        """Answer one question, optionally in the context of the session's previous question, for an area."""
        found = self.retrieve(question, context, area=area)
        # the question's vector goes with the answer, so an unanswered question is stored with it
        return dataclasses.replace(self.answer_retrieved(found), vector=found.vector)

    def answer_retrieved(self, found: Retrieval, assessment: Assessment | None = None) -> Answer:
        """The answer to what `retrieve` found (without the question's vector); `assessment` is `assess(found)`
        when the caller has it already."""
        query, vector = found.query, found.vector
        lang = "en" if query.english else "vi"
        if assessment is None:
            assessment = self.assess(found)
        if assessment is None:
            return self._no_answer(query, [], lang, 0.0, in_domain=False)
        hits = assessment.ranked
        faq_hits = [h for h in hits if h.unit.kind != "passage"]
        decision = self._decide(assessment)
        best = assessment.best
        if decision == "answered" and best.unit.kind != "passage":
            others = [h for h in faq_hits if h.key != best.key]
            return self._faq_answer(best, others, query, lang, assessment.p_answer)
        if decision == "answered":
            passages = [h for h in hits if h.unit.kind == "passage" and h.confidence >= self.thresholds.extract]
            extracted = self._extractive_answer(query, vector, passages[:3] or [best], lang)
            if extracted:
                extracted.confidence = assessment.p_answer
                extracted.suggestions = self._suggestions(faq_hits, query, lang, exclude=None)
                return extracted
            # no sentence names what the question names: the passage does not answer it after all
            return self._no_answer(query, faq_hits, lang, 0.0, in_domain=True)
        if decision == "partial":
            return self._partial_answer(assessment.topic, assessment, faq_hits, query, lang)
        return self._no_answer(query, faq_hits, lang, assessment.p_answer,
                               in_domain=assessment.p_topic >= self.thresholds.related)

    def _no_answer(self, query: ProcessedQuery, faq_hits: list[Hit], lang: str, confidence: float,
                   in_domain: bool) -> Answer:
        suggestions = self._suggestions(faq_hits, query, lang, exclude=None) if in_domain else []
        if not suggestions:
            capabilities = self.knowledge.faqs.get(CAPABILITIES_ENTRY)
            if capabilities is not None:
                suggestions = [capabilities.en.question if lang == "en" and capabilities.en else capabilities.question]
            else:
                suggestions = STARTER_QUESTIONS[lang][:1]
        return Answer(answer=NO_ANSWER[lang], status="no_answer", answer_type="none",
                      confidence=round(confidence, 3), suggestions=suggestions, language=lang)

    def _partial_answer(self, top: Hit, assessment: Assessment, faq_hits: list[Hit], query: ProcessedQuery,
                        lang: str) -> Answer:
        entry = self.knowledge.faqs[top.unit.ref]
        nearest = entry.en.question if lang == "en" and entry.en else entry.question
        words = {fold_diacritics(word.lower()): word for word in re.findall(r"\w+", query.text)}
        named = [words[t] for t in assessment.missing[:3] if t in words]
        if named and not assessment.says_unknown:
            missing = "\"" + " ".join(named) + "\""
        else:
            types = question_types(folded(query.text))
            missing = ASKED_DETAIL[lang][types[0] if types else ""]
        text = " ".join([PARTIAL_INTRO[lang].format(missing=missing), PARTIAL_NEAREST[lang].format(question=nearest),
                         PARTIAL_REFERRAL[lang]])
        others = self._suggestions(faq_hits, query, lang, exclude=entry.id)
        return Answer(answer=text, status="partial", answer_type="none", confidence=assessment.p_answer,
                      suggestions=[nearest, *[o for o in others if o != nearest]][:3], language=lang,
                      matched_id=entry.id)

    def _suggestions(self, faq_hits: list[Hit], query: ProcessedQuery, lang: str, exclude: str | None) -> list[str]:
        """Questions of entries related to this one: close enough, and sharing a word that carries the need."""
        asked = set(content_terms(query))
        out: list[str] = []
        for hit in faq_hits:
            if hit.unit.ref == exclude or self.confidence(hit) < self.thresholds.related:
                continue
            if asked and not asked & self._offers[hit.unit.ref].question_terms:
                continue
            entry = self.knowledge.faqs[hit.unit.ref]
            text = entry.en.question if lang == "en" and entry.en else entry.question
            if text not in out:
                out.append(text)
            if len(out) == 3:
                break
        return out

    def article_citation(self, n: int, ref: str, text: str, chunk: int | None = None) -> Citation:
        """Citation of an article, with the given text as its snippet. A passage of a legal document is cited
        by its place and the document's number ('Điều 12 khoản 2, Nghị định 69/2024/NĐ-CP'), with the status
        of its sources entry (or its own)."""
        art = self.knowledge.articles[ref]
        name = art.legal_name
        if name is None:
            return Citation(n, ref, "article", art.title, _snippet(text), art.url, art.publisher,
                            art.published.isoformat() if art.published else None)
        reference = self._legal_references.get((ref, chunk)) if chunk is not None else None
        src = self.knowledge.sources.get(art.source or "")
        superseded_by = src.superseded_by if src else None
        replacement = self.knowledge.sources.get(superseded_by or "")
        date = art.issued or art.published
        return Citation(n, ref, "article", f"{reference}, {name}" if reference else name, _snippet(text),
                        art.url or (src.url if src else None), art.publisher, date.isoformat() if date else None,
                        source_kind=art.kind, status=(src.status if src and src.status else art.status),
                        superseded_by=superseded_by, superseded_by_title=replacement.title if replacement else None)

    @functools.cached_property
    def _legal_references(self) -> dict[tuple[str, int], str]:
        """'Điều 12 khoản 2' for each passage of a legal document, by (article id, passage number)."""
        return {(p.article_id, p.number): p.reference for art in self.knowledge.articles.values()
                if art.layout == "legal" for p in chunk_article(art) if p.reference}

    def source_citation(self, n: int, ref: str) -> Citation:
        """Citation of an article or sources.yaml entry named by a FAQ entry."""
        if ref in self.knowledge.articles:
            return self.article_citation(n, ref, self.knowledge.articles[ref].paragraphs[0])
        src = self.knowledge.sources[ref]
        replacement = self.knowledge.sources.get(src.superseded_by or "")
        return Citation(n, ref, "source", src.title, _snippet(src.summary), src.url, src.publisher,
                        src.date.isoformat() if src.date else None, source_kind=src.kind, status=src.status,
                        superseded_by=src.superseded_by, superseded_by_title=replacement.title if replacement else None,
                        retrieved=src.retrieved.isoformat() if src.retrieved else None)

    def _faq_answer(self, hit: Hit, others: list[Hit], query: ProcessedQuery, lang: str, confidence: float) -> Answer:
        entry = self.knowledge.faqs[hit.unit.ref]
        use_en = lang == "en" and entry.en is not None
        text = entry.en.answer if use_en and entry.en else entry.answer
        citations = [self.source_citation(i + 1, ref) for i, ref in enumerate(entry.sources)]
        markers = "".join(f"[{c.n}]" for c in citations)
        return Answer(
            answer=f"{text.strip()} {markers}", status="answered", answer_type="faq",
            confidence=confidence, citations=citations,
            suggestions=self._suggestions(others, query, lang, exclude=entry.id),
            language="en" if use_en else "vi", matched_id=entry.id,
        )

    def _extractive_answer(self, query: ProcessedQuery, vector: np.ndarray, passages: list[Hit],
                           lang: str) -> Answer | None:
        index = self.retriever.index
        wanted = {(h.unit.ref, h.unit.chunk): h for h in passages}
        # a sentence must name what the question names (a country, a year, a number, a document):
        # a sentence about Vietnam's figure does not answer a question about Singapore's
        needed = entities(folded(query.text))
        rows = [i for i, s in enumerate(index.sentences) if (s.ref, s.chunk) in wanted
                and all(e in folded(s.text) for e in needed)]
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
                citations.append(self.article_citation(numbers[key], sentence.ref, wanted[key].unit.text,
                                                              sentence.chunk))
            parts.append(f"{sentence.text} [{numbers[key]}]")
        top = max(self.confidence(h) for h in passages)
        return Answer(
            answer=f"{EXTRACTIVE_INTRO[lang]} " + " ".join(parts), status="answered", answer_type="extractive",
            confidence=round(top, 3), citations=citations, language=lang, matched_id=passages[0].unit.ref,
        )
