"""The assistant as one domain object: loads knowledge and index, answers, searches, records, reindexes."""

from __future__ import annotations

import dataclasses
import functools
import logging
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from app.answer.answerability import FILE as ANSWERABILITY_FILE
from app.answer.answerability import AnswerabilityModel, fit_answerability
from app.answer.cache import AnswerCache
from app.answer.composer import Answer, Composer, Thresholds
from app.answer.questions import collect_examples, load_questions
from app.answer.referral import with_area_referral
from app.answer.relevance import search_relevant
from app.answer.sessions import SessionStore
from app.index.embedder import Embedder, load_embedder
from app.index.pointer import BuildMode
from app.index.store import IndexData, IndexUnusable, build_index, check_manifest, load_index, read_manifest
from app.knowledge.loader import KnowledgeError, hash_knowledge, load_knowledge, with_live_areas
from app.knowledge.models import Area, Knowledge, Office
from app.privacy import PRIVACY_REMINDER, redact
from app.privacy.session_token import SessionTokens
from app.search.retriever import Hit, RetrievalConfig, Retriever
from app.settings import Settings
from app.storage import AsyncWriter, ConversationRecord, Store
from app.storage.link import StorageDown, StorageLink

log = logging.getLogger(__name__)


class NotReady(RuntimeError):
    """The index is not loaded; the message says what to run."""


class UnknownMessage(LookupError):
    """Feedback names a message this service never sent."""


class UnknownSession(LookupError):
    """A session token this service never signed: it names no session, so nothing is erased."""


class StorageUnavailable(RuntimeError):
    """The database could not be reached for a request that needs it."""


@dataclass
class ChatResult:
    """An answer with the ids the client needs to follow up and give feedback."""

    answer: Answer
    session_token: str  # signed: the client sends it back for follow-ups; only its id part is stored
    message_id: str
    kb_version: str
    # the resident's area when the call named a known one, and its offices named in a referral
    area: Area | None = None
    offices: list[Office] = field(default_factory=list)


@dataclass
class SearchResult:
    """Help-desk hits, whether each is relevant to the search, and the composer (one index version) they
    came from."""

    hits: list[Hit]
    composer: Composer
    relevant: tuple[bool, ...] = ()

    @property
    def kb_version(self) -> str:
        """Version of the index the hits came from."""
        return self.composer.retriever.index.version


def retrieval_config(settings: Settings) -> RetrievalConfig:
    """Retrieval knobs from settings."""
    return RetrievalConfig(
        candidates=settings.search_candidates, fusion=settings.fusion,
        question_weight=settings.question_weight, answer_weight=settings.answer_weight,
        coverage_weight=settings.coverage_weight, bm25_weight=settings.bm25_weight,
        passage_factor=settings.passage_factor, rrf_k=settings.rrf_k, segmenter=settings.segmenter,
        cosine_floor=settings.cosine_floor, cosine_ceiling=settings.cosine_ceiling,
    )


def thresholds(settings: Settings) -> Thresholds:
    """Answer thresholds from settings."""
    return Thresholds(
        faq=settings.faq_threshold, extract=settings.extract_threshold, related=settings.related_threshold,
        max_sentences=settings.max_extract_sentences, followup_alone_weight=settings.followup_alone_weight,
    )


def make_composer(settings: Settings, knowledge: Knowledge, index: IndexData, embedder: Embedder,
                  answerability: AnswerabilityModel | None) -> Composer:
    """A composer over one index version, with the settings' knobs."""
    retriever = Retriever(index, embedder, retrieval_config(settings))
    return Composer(knowledge, retriever, thresholds(settings), settings.expand_synonyms,
                    settings.restore_diacritics, answerability, tuple(settings.answerability_off))


def build_from_settings(settings: Settings, embedder: Embedder, mode: BuildMode = "forward") -> dict[str, Any]:
    """Validate knowledge/ and build a new index generation from it (the live one keeps serving meanwhile).

    The answerability model is fitted on the dev questions against the new index and saved with it.
    `mode` says what the build may replace (app.index.pointer): by default any live index except one whose
    knowledge this one already replaced, so an older image's knowledge does not come back by accident.
    """
    knowledge = load_knowledge(settings.knowledge_dir)
    path = settings.answerability_questions
    questions = [q for q in load_questions(path) if q.split == "dev"] if path and path.exists() else []

    def fit(index: IndexData) -> dict[str, Any]:
        composer = make_composer(settings, knowledge, index, embedder, None)
        examples = collect_examples(composer, questions)
        if len({e.answers for e in examples}) < 2:
            log.warning("answerability not fitted: too few dev questions match this knowledge base")
            return {}
        return {ANSWERABILITY_FILE: fit_answerability(examples).to_json()}

    return build_index(knowledge, embedder, settings.index_dir, settings.knowledge_dir, extras=fit, mode=mode)


class Assistant:
    """Everything a request needs, loaded once; a reload swaps the whole composer in one assignment."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None, storage: StorageLink | None = None):
        self.settings = settings
        self.embedder = embedder or load_embedder(settings.embedder, settings.embed_threads, settings.embed_instances)
        self.sessions = SessionStore(settings.session_ttl_seconds, settings.max_sessions)
        self.session_tokens = SessionTokens(settings.session_secret.get_secret_value() or None)
        self.cache = AnswerCache(settings.answer_cache_size)
        self.storage = storage
        self.writer = AsyncWriter(storage, settings.storage_queue) if storage is not None else None
        self.composer: Composer | None = None
        self.load_error: str | None = None
        self.reindex_status: dict[str, Any] = {"state": "idle"}
        self._messages: dict[str, str] = {}
        self._lock = threading.Lock()
        # questions composed at once: the rest wait their turn here instead of crowding the GIL and the engines
        self._answering = threading.BoundedSemaphore(settings.answer_slots or settings.embed_instances + 1)
        self._reindex_lock = threading.Lock()
        self._failed_version: str | None = None
        self._reported: str | None = None  # the index problem last logged, so a poll does not log it again
        self._load_lock = threading.Lock()
        self.reload()

    # Loading -----------------------------------------------------------------------------------

    def reload(self) -> bool:
        """(Re)load the live index and its knowledge; on failure keep serving what was loaded before.

        A generation lower than the one served is refused: an older build never takes the answers back.
        """
        with self._load_lock:  # two loads at once (poll, reindex) must not assign out of order
            try:
                index = load_index(self.settings.index_dir)
                check_manifest(index.manifest, self.embedder.name, None)
                self._refuse_older(index.manifest)
                snapshot = index.knowledge_snapshot
                knowledge = load_knowledge(snapshot or self.settings.knowledge_dir)
                if snapshot is None:
                    check_manifest(index.manifest, self.embedder.name, knowledge.content_hash)
                else:
                    # contacts change without a rebuild: this server's own areas/ when it has one; when that
                    # does not check out, the index's copy (check-kb says what is wrong)
                    live = with_live_areas(knowledge, self.settings.knowledge_dir)
                    if live is None:
                        log.warning("areas in the knowledge directory do not check out; serving the index's copy",
                                    extra={"fields": {"knowledge_dir": str(self.settings.knowledge_dir)}})
                    knowledge = live or knowledge
                answerability = AnswerabilityModel.load(Path(index.manifest["path"]))
            except (IndexUnusable, KnowledgeError, OSError) as exc:
                self._index_problem(str(exc))
                return False
            composer = make_composer(self.settings, knowledge, index, self.embedder, answerability)
            # requests in flight keep the composer they started with: nothing mixes two versions
            self.composer = composer
            self.load_error = self._reported = None
        log.info("index loaded", extra={"fields": {"kb_version": index.version, "generation": index.generation,
                                                   "units": len(index.units)}})
        return True

    def _refuse_older(self, manifest: dict[str, Any]) -> None:
        """IndexUnusable when the manifest's generation is lower than the one this replica serves."""
        served = self.composer.retriever.index if self.composer else None
        if served is not None and manifest["generation"] < served.generation:
            raise IndexUnusable(
                f"index generation {manifest['generation']} ({manifest['version']}) is older than generation "
                f"{served.generation} ({served.version}) served here: not loaded, generation {served.generation} "
                "serves on. An older build replaced manifest.json; for a deliberate rollback build the older "
                "knowledge as a new generation: `python -m app index --force`")

    def _index_problem(self, reason: str) -> None:
        """Remember why the live index is not (re)loaded; log it once, not on every poll."""
        self.load_error = reason
        if reason != self._reported:
            self._reported = reason
            log.error("index not loaded", extra={"fields": {"reason": reason}})

    def refresh_if_changed(self) -> bool:
        """Load a new index version written by another replica or a reindex job; True when one was loaded.

        A malformed manifest or a lower generation than the one served is refused and logged once.
        """
        try:
            live = read_manifest(self.settings.index_dir)
        except IndexUnusable as exc:
            self._index_problem(str(exc))
            return False
        served = self.composer.retriever.index if self.composer else None
        if served is not None and live["version"] == served.version:
            self.load_error = self._reported = None  # back to what is served: nothing is wrong any more
            return False
        if live["version"] == self._failed_version:
            return False
        try:
            self._refuse_older(live)
        except IndexUnusable as exc:
            self._index_problem(str(exc))
            self._failed_version = live["version"]
            return False
        loaded = self.reload()
        # a broken version is not re-read (and re-logged) on every poll; the next good one is
        self._failed_version = None if loaded else live["version"]
        return loaded

    def reindex(self, mode: BuildMode = "forward") -> dict[str, Any]:
        """Rebuild from knowledge/ and swap the new index in; a failed build leaves the old one serving.

        `forward` (POST /admin/reindex) refuses knowledge a later generation replaced; `force` is for a
        publisher's deliberate change, which may bring back an earlier state of an entry."""
        if not self._reindex_lock.acquire(blocking=False):
            return {"state": "running"}
        started = time.time()
        try:
            self.reindex_status = {"state": "running", "started": started}
            manifest = build_from_settings(self.settings, self.embedder, mode)
            if not self.reload():
                raise IndexUnusable(self.load_error or "new index did not load")
            self.reindex_status = {"state": "done", "started": started, "finished": time.time(),
                                   "version": manifest["version"], "generation": manifest["generation"],
                                   "embedded": manifest["embedded"]}
        except Exception as exc:  # whatever failed, the job must end and say so; the old index serves on
            log.error("reindex failed", extra={"fields": {"reason": str(exc)[:500]}})
            self.reindex_status = {"state": "failed", "started": started, "finished": time.time(),
                                   "error": str(exc)[:2000]}
        finally:
            self._reindex_lock.release()
        return self.reindex_status

    @property
    def ready(self) -> bool:
        """True when an index is loaded."""
        return self.composer is not None

    def _composer(self) -> Composer:
        composer = self.composer
        if composer is None:
            raise NotReady(self.load_error or "index not loaded: run `make index`")
        return composer

    @property
    def knowledge(self) -> Knowledge:
        """The knowledge base the loaded index was built from."""
        return self._composer().knowledge

    @property
    def kb_version(self) -> str:
        """Version of the loaded index."""
        return self._composer().retriever.index.version

    # Answering ---------------------------------------------------------------------------------

    def context_for(self, question: str, session_token: str | None) -> str | None:
        """The question rewritten with the session's previous one, when it may be a follow-up.

        "còn mức 2 thì sao?" after "Đăng ký định danh mức 1 thế nào?" gives "Đăng ký định danh mức 2
        thế nào". Only short questions in a live session get a context; retrieval then blends how each
        document matches the question alone and in context, so a new short question on another topic
        is not dragged back to the previous one. A question that names its own need (not elliptical)
        gets no context at all. A token this service did not sign has no session, hence no context.
        """
        session_id = self.session_tokens.verify(session_token)
        if not self.settings.resolve_followups or not session_id:
            return None
        return self._composer().followup_context(question, self.sessions.previous(session_id))

    def chat(self, question: str, session_token: str | None, area: str | None = None) -> ChatResult:
        """Answer a question within a session, for the resident's area when one is named (an unknown area is
        answered as the national one); a missing, unknown, malformed or forged token starts a new session.

        Personal data is redacted before anything else sees the question: retrieval, the session
        memory, the cache and the database only ever hold the redacted text.
        """
        started = time.perf_counter()
        composer = self._composer()
        redaction = redact(question)
        session = self.session_tokens.verify(session_token) or uuid.uuid4().hex
        session_token = self.session_tokens.sign(session)
        question = redaction.text
        context = self.context_for(question, session_token)
        kb_version = composer.retriever.index.version
        known_area = composer.knowledge.area(area)
        area_id = known_area.id if known_area else None
        # the area changes which entries are seen (its own ones, the national ones they replace)
        cache_text = "\x00".join([question, context or "", area_id or ""])
        answer = self.cache.get(cache_text, kb_version)
        if answer is None:
            with self._answering:
                answer = composer.answer(question, context, area=area_id)
            self.cache.put(cache_text, kb_version, answer)
        offices: list[Office] = []
        if known_area is not None:
            answer, offices = with_area_referral(answer, composer.knowledge, known_area)
        if redaction.found:
            answer = dataclasses.replace(answer, answer=f"{answer.answer}\n\n{PRIVACY_REMINDER[answer.language]}")
        if answer.status == "answered":
            # the next follow-up builds on the topic answered: the curated question, or what was asked
            entry = composer.knowledge.faqs.get(answer.matched_id or "") if answer.answer_type == "faq" else None
            self.sessions.remember(session, entry.question if entry else (context or question))
        message_id = uuid.uuid4().hex
        with self._lock:
            self._messages[message_id] = session
            if len(self._messages) > self.settings.max_sessions * 4:
                self._messages.pop(next(iter(self._messages)))
        self._record(ConversationRecord(
            message_id=message_id, session_id=session, question=redaction.text, answer_type=answer.answer_type,
            status=answer.status, cited_ids=tuple(c.id for c in answer.citations), matched_id=answer.matched_id,
            confidence=answer.confidence, latency_ms=(time.perf_counter() - started) * 1000,
            kb_version=kb_version, language=answer.language, had_personal_data=redaction.found,
            **self._kept_vector(answer),
        ))
        return ChatResult(answer, session_token, message_id, kb_version, known_area, offices)

    def search(self, query: str, k: int, area: str | None = None) -> SearchResult:
        """Ranked hits for the help desk (the query is redacted like a question) and which are relevant, with
        the composer that found them, so the caller reads titles and sources from the same index version."""
        composer = self._composer()
        hits, relevant = search_relevant(composer, redact(query).text, k, area=area)
        return SearchResult(hits, composer, tuple(relevant))

    # Records -----------------------------------------------------------------------------------

    def _kept_vector(self, answer: Answer) -> dict[str, Any]:
        """An unanswered question is stored with its search vector, for the editors' grouped page."""
        if answer.status == "answered" or answer.vector is None:
            return {}
        return {"vector": np.asarray(answer.vector, dtype=np.float32).tobytes(), "vector_model": self.embedder.name}

    @property
    def store(self) -> Store | None:
        """The open database, or None when there is none or it is down."""
        try:
            return self.storage.acquire() if self.storage is not None else None
        except StorageDown:
            return None

    def _record(self, record: ConversationRecord) -> None:
        """Queue a conversation write; a storage fault is counted by the writer, never raised here."""
        if self.writer is not None:
            self.writer.submit(functools.partial(Store.record_conversation, rec=record))

    def record_feedback(self, message_id: str, helpful: bool) -> None:
        """Store feedback on an answer; UnknownMessage when no replica ever sent that message,
        StorageUnavailable when the database cannot take it now (the resident is asked to retry)."""
        with self._lock:
            known_here = message_id in self._messages
        if self.storage is None or self.writer is None:
            if not known_here:
                raise UnknownMessage(message_id)
            return
        if not self.storage.up:
            raise StorageUnavailable(self.storage.last_error or "database unavailable")
        if known_here:
            # queued behind the conversation's own write, so the row it refers to exists first
            if not self.writer.submit(functools.partial(Store.record_feedback, message_id=message_id, helpful=helpful)):
                raise StorageUnavailable("the storage queue is full")
            return
        try:
            found = self.storage.call(functools.partial(Store.record_feedback, message_id=message_id, helpful=helpful))
        except StorageDown as exc:
            log.warning("feedback not stored", extra={"fields": {"error": str(exc)}})
            raise StorageUnavailable(str(exc)) from exc
        if not found:
            raise UnknownMessage(message_id)

    def forget_session(self, session_token: str) -> int:
        """Delete a session's records (on the resident's request) and its follow-up memory;
        StorageUnavailable when the database cannot delete them now (nothing is then claimed deleted)."""
        # only the signed token the resident holds names a session: an id alone, or a forged token, erases nothing
        session_id = self.session_tokens.verify(session_token)
        if session_id is None:
            raise UnknownSession("session token not signed by this service")
        self.sessions.forget(session_id)
        if self.storage is None or self.writer is None:
            return 0
        # the session's own queued writes land first, so none of them comes back after the deletion
        if not self.writer.flush(timeout=self.storage.call_timeout):
            raise StorageUnavailable("pending writes could not be stored")
        try:
            return self.storage.call(functools.partial(Store.delete_session, session_id=session_id))
        except StorageDown as exc:
            log.warning("erasure not done", extra={"fields": {"error": str(exc)}})
            raise StorageUnavailable(str(exc)) from exc

    def close(self) -> None:
        """Flush pending writes and release the database."""
        if self.writer is not None and not self.writer.close(timeout=self.settings.storage_drain_seconds):
            log.error("storage queue not drained before shutdown", extra={"fields": {"lost": self.writer.pending}})
        if self.storage is not None:
            self.storage.close()


def index_is_current(settings: Settings, embedder_name: str) -> bool:
    """True when the index exists, loads, and matches the knowledge and embedder."""
    try:
        index = load_index(settings.index_dir)
        check_manifest(index.manifest, embedder_name, hash_knowledge(settings.knowledge_dir))
    except IndexUnusable:
        return False
    return True
