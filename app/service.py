"""The assistant as one domain object: loads knowledge and index, answers, searches, takes feedback."""

from __future__ import annotations

import json
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path

from app.answer.cache import AnswerCache
from app.answer.composer import Answer, Composer, Thresholds
from app.answer.sessions import FOLLOWUP_MAX_WORDS, SessionStore, is_followup, merge_followup
from app.index.embedder import Embedder, load_embedder
from app.index.store import IndexError_, check_manifest, load_index
from app.knowledge.loader import KnowledgeError, hash_knowledge, load_knowledge
from app.search.retriever import Hit, RetrievalConfig, Retriever
from app.settings import Settings


class NotReady(RuntimeError):
    """The index is not loaded; the message says what to run."""


class UnknownMessage(LookupError):
    """Feedback names a message this service never sent."""


@dataclass
class ChatResult:
    """An answer with the ids the client needs to follow up and give feedback."""

    answer: Answer
    session_id: str
    message_id: str
    kb_version: str


def retrieval_config(settings: Settings) -> RetrievalConfig:
    """Retrieval knobs from settings."""
    return RetrievalConfig(
        candidates=settings.search_candidates, fusion=settings.fusion,
        question_weight=settings.question_weight, answer_weight=settings.answer_weight,
        coverage_weight=settings.coverage_weight, bm25_weight=settings.bm25_weight,
        passage_factor=settings.passage_factor, rrf_k=settings.rrf_k,
        cosine_floor=settings.cosine_floor, cosine_ceiling=settings.cosine_ceiling,
    )


def thresholds(settings: Settings) -> Thresholds:
    """Answer thresholds from settings."""
    return Thresholds(
        faq=settings.faq_threshold, extract=settings.extract_threshold, related=settings.related_threshold,
        max_sentences=settings.max_extract_sentences,
    )


class Assistant:
    """Everything a request needs, loaded once."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None):
        self.settings = settings
        self.embedder = embedder or load_embedder(settings.embedder, settings.embed_threads)
        self.sessions = SessionStore(settings.session_ttl_seconds, settings.max_sessions)
        self.cache = AnswerCache(settings.answer_cache_size)
        self.composer: Composer | None = None
        self.load_error: str | None = None
        self._messages: dict[str, str] = {}
        self._lock = threading.Lock()
        self.reload()

    def reload(self) -> None:
        """(Re)load knowledge and the index; on failure keep serving what was loaded before."""
        try:
            knowledge = load_knowledge(self.settings.knowledge_dir)
            index = load_index(self.settings.index_dir)
            check_manifest(index.manifest, self.embedder.name, knowledge.content_hash)
        except (IndexError_, KnowledgeError) as exc:
            self.load_error = str(exc)
            return
        retriever = Retriever(index, self.embedder, retrieval_config(self.settings))
        self.composer = Composer(knowledge, retriever, thresholds(self.settings), self.settings.expand_synonyms,
                                 self.settings.restore_diacritics)
        self.load_error = None

    @property
    def ready(self) -> bool:
        """True when an index is loaded."""
        return self.composer is not None

    def _composer(self) -> Composer:
        if self.composer is None:
            raise NotReady(self.load_error or "index not loaded: run `make index`")
        return self.composer

    @property
    def kb_version(self) -> str:
        """Version of the loaded index."""
        return self._composer().retriever.index.version

    def resolve(self, question: str, session_id: str | None) -> str:
        """The question to search for: a follow-up is merged with its session's previous question.

        A question with follow-up wording ("còn mức 2 thì sao?") is merged outright. Another short
        question in a live session is merged only when the merged form matches the knowledge base
        clearly better than the question alone ("mất bao lâu?" after a question about dossiers).
        """
        previous = self.sessions.previous(session_id) if session_id else None
        if not previous or len(question.split()) > FOLLOWUP_MAX_WORDS:
            return question
        merged = merge_followup(previous, question)
        if is_followup(question):
            return merged
        composer = self._composer()
        alone, joined = (composer.retriever.search(composer.prepare(q), k=1) for q in (question, merged))
        alone_conf = alone[0].confidence if alone else 0.0
        joined_conf = joined[0].confidence if joined else 0.0
        if alone_conf < self.settings.faq_threshold and joined_conf > alone_conf:
            return merged
        return question

    def chat(self, question: str, session_id: str | None) -> ChatResult:
        """Answer a question within a session (a new session id is made when none is given)."""
        composer = self._composer()
        session = session_id or uuid.uuid4().hex
        resolved = self.resolve(question, session)
        kb_version = composer.retriever.index.version
        answer = self.cache.get(resolved, kb_version)
        if answer is None:
            answer = composer.answer(resolved)
            self.cache.put(resolved, kb_version, answer)
        if answer.status == "answered":
            self.sessions.remember(session, resolved)
        message_id = uuid.uuid4().hex
        with self._lock:
            self._messages[message_id] = session
            if len(self._messages) > self.settings.max_sessions * 4:
                self._messages.pop(next(iter(self._messages)))
        return ChatResult(answer, session, message_id, kb_version)

    def search(self, query: str, k: int) -> list[Hit]:
        """Ranked hits for the help desk."""
        composer = self._composer()
        return composer.retriever.search(composer.prepare(query), k=k)

    def record_feedback(self, message_id: str, helpful: bool) -> None:
        """Append feedback on an answer to the feedback log."""
        with self._lock:
            session = self._messages.get(message_id)
        if session is None:
            raise UnknownMessage(message_id)
        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        record = {"message_id": message_id, "session_id": session, "helpful": helpful}
        with (self.settings.data_dir / "feedback.jsonl").open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")


def index_is_current(settings: Settings, embedder_name: str) -> bool:
    """True when the index exists, loads, and matches the knowledge and embedder."""
    try:
        index = load_index(settings.index_dir)
        check_manifest(index.manifest, embedder_name, hash_knowledge(Path(settings.knowledge_dir)))
    except IndexError_:
        return False
    return True
