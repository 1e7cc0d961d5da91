"""The editors' desk: pre-fill a draft from residents' questions, check it as check-kb would, preview the
answers with it in place, and publish it into the knowledge files with a reindex."""

from __future__ import annotations

import datetime as dt
import difflib
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.answer.questions import load_questions
from app.editorial.documents import apply_any, changed_file, current_text, is_article_change, parse_document
from app.editorial.files import (
    Change,
    DraftInvalid,
    dump_entry,
    entry_file,
    parse_entry,
)
from app.index.pointer import MANIFEST, IndexUnusable, read_manifest
from app.index.store import build_index, load_index
from app.knowledge.checks import check_knowledge, entries_due
from app.knowledge.loader import KnowledgeError, load_knowledge
from app.knowledge.models import Knowledge
from app.privacy import redact
from app.service import Assistant, make_composer
from app.text.normalize import fold_diacritics

# a new entry is due for review after this long unless the editor says otherwise
REVIEW_AFTER = dt.timedelta(days=180)
REINDEX_WAIT_SECONDS = 900.0


class PublishFailed(RuntimeError):
    """The change was checked and written but the new index did not go live; the files were put back."""


@dataclass(frozen=True)
class Outcome:
    """How the assistant answers one question."""

    question: str
    status: str
    matched_id: str | None
    answer_type: str
    # the first citation's title ('Điều 12 khoản 2, Nghị định 69/2024/NĐ-CP') and its legal status
    cited: str | None = None
    cited_status: str | None = None


@dataclass
class Trial:
    """A change applied to a copy of the knowledge: the result loaded, and what check-kb says of it."""

    knowledge_dir: Path
    knowledge: Knowledge | None
    problems: list[str]
    warnings: list[str] = field(default_factory=list)


def clean_questions(questions: list[str]) -> list[str]:
    """The questions redacted again (they come from a browser) and without repeats."""
    return list(dict.fromkeys(" ".join(redact(q).text.split()) for q in questions if q.strip()))[:50]


def suggest_id(question: str) -> str:
    """A FAQ id from a question: folded, lower case, hyphenated, at most eight words."""
    words = re.findall(r"[a-z0-9]+", fold_diacritics(question.lower()).replace("đ", "d"))
    return "-".join(words[:8]) or "muc-moi"


class Desk:
    """Editorial work over one assistant's knowledge dir and index; one publication at a time."""

    def __init__(self, assistant: Assistant):
        self.assistant = assistant
        self.settings = assistant.settings
        self._publishing = threading.Lock()

    def knowledge(self) -> Knowledge:
        """The knowledge files as they are now."""
        return load_knowledge(self.settings.knowledge_dir)

    def prefill(self, questions: list[str], today: dt.date | None = None) -> dict[str, Any]:
        """A new entry's fields from a group of residents' questions: the first is the question, the rest
        its phrasings; the editor writes the answer and picks sources and topics."""
        today = today or dt.date.today()
        asked = clean_questions(questions)
        first = asked[0] if asked else ""
        return {"id": suggest_id(first), "question": first, "phrasings": asked[1:], "answer": "", "sources": [],
                "topics": [], "as_of": today.isoformat(), "review_by": (today + REVIEW_AFTER).isoformat()}

    def change(self, action: str, entry_id: str, payload: dict[str, Any] | None) -> Change:
        """The change a draft asks for; DraftInvalid when the entry is not a valid FAQ entry (or an uploaded
        document's draft not a valid article)."""
        if action == "retire":
            return Change("retire", entry_id, None)
        if action == "ingest":
            document = parse_document(payload or {}, self.settings.knowledge_dir)
            if entry_id and entry_id != document.article.id:
                raise DraftInvalid([f"the document is article '{document.article.id}', not '{entry_id}'"])
            return Change("ingest", document.article.id, None, document)
        entry = parse_entry(payload or {})
        if action == "edit" and entry.id != entry_id:
            raise DraftInvalid([f"an edit keeps the entry's id '{entry_id}' (retire it and add a new one to rename)"])
        return Change("add" if action == "add" else "edit", entry.id, entry)

    def diff(self, change: Change) -> dict[str, str]:
        """The entry's YAML (or the article's Markdown file) before and after the change, and a unified diff."""
        kb = self.knowledge()
        current = kb.faqs.get(change.entry_id)
        before = dump_entry(current) if current else ""
        after = dump_entry(change.entry) if change.entry else ""
        where = str(entry_file(self.settings.knowledge_dir, current).name) if current else "editor-drafts.yaml"
        if is_article_change(kb, change):
            before, where = current_text(self.settings.knowledge_dir, kb, change)
            after = change.document.text() if change.document else ""
        lines = difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                     f"a/{where}", f"b/{where}")
        return {"before": before, "after": after, "diff": "".join(lines)}

    @contextmanager
    def trial(self, change: Change) -> Iterator[Trial]:
        """The change applied to a temporary copy of knowledge/, loaded and checked with check-kb's rules."""
        with tempfile.TemporaryDirectory(prefix="editorial-") as tmp:
            copy = Path(tmp) / "knowledge"
            shutil.copytree(self.settings.knowledge_dir, copy)
            yield self._apply_and_check(copy, change, tmp)

    def _apply_and_check(self, copy: Path, change: Change, tmp: str) -> Trial:
        try:
            apply_any(copy, load_knowledge(copy), change)
            kb = load_knowledge(copy)
        except KnowledgeError as exc:
            return Trial(copy, None, [_relative(str(p), tmp) for p in exc.problems])
        except DraftInvalid as exc:
            return Trial(copy, None, exc.problems)
        report = check_knowledge(kb)
        warnings = [_relative(str(w), tmp) for w in report.warnings]
        if change.action == "retire":
            warnings += self._expected_by_questions(change.entry_id)
        return Trial(copy, kb, [_relative(str(p), tmp) for p in report.problems], warnings)

    def _expected_by_questions(self, entry_id: str) -> list[str]:
        path = self.settings.answerability_questions
        if not path or not path.exists():
            return []
        count = sum(entry_id in q.expect for q in load_questions(path))
        return [f"{count} evaluation question(s) in {path.name}/ expect '{entry_id}': update them"] if count else []

    def preview(self, change: Change, questions: list[str]) -> dict[str, Any]:
        """How the assistant answers each question now and with the change in place (a temporary index
        built with the same embedder, reusing the live index's vectors for unchanged texts)."""
        started = time.perf_counter()
        asked = clean_questions(questions)
        live = self.assistant.composer
        before = [_outcome(live, q) for q in asked] if live else []
        with self.trial(change) as trial:
            if trial.knowledge is None or trial.problems:
                return {"problems": trial.problems, "warnings": trial.warnings, "before": before, "after": [],
                        "seconds": round(time.perf_counter() - started, 2)}
            with tempfile.TemporaryDirectory(prefix="editorial-index-") as tmp:
                index_dir = Path(tmp)
                self._seed_with_live_vectors(index_dir)
                build_index(trial.knowledge, self.assistant.embedder, index_dir)
                index = load_index(index_dir)
                composer = make_composer(self.settings, trial.knowledge, index, self.assistant.embedder,
                                         live.answerability if live else None)
                after = [_outcome(composer, q) for q in asked]
        return {"problems": [], "warnings": trial.warnings, "before": before, "after": after,
                "seconds": round(time.perf_counter() - started, 2)}

    def _seed_with_live_vectors(self, index_dir: Path) -> None:
        """Point a temporary index dir at the live version, so the build reuses its vectors (read only)."""
        try:
            manifest = read_manifest(self.settings.index_dir)
        except IndexUnusable:
            return
        live_version = self.settings.index_dir / manifest["dir"]
        if live_version.is_dir():
            (index_dir / manifest["dir"]).symlink_to(live_version.resolve(), target_is_directory=True)
            shutil.copyfile(self.settings.index_dir / MANIFEST, index_dir / MANIFEST)

    def publish(self, change: Change, questions: list[str]) -> dict[str, Any]:
        """Check the change as check-kb does (DraftInvalid with its messages), write it into knowledge/,
        reindex, and answer the questions again with the new index."""
        with self._publishing:
            with self.trial(change) as trial:
                if trial.knowledge is None or trial.problems:
                    raise DraftInvalid(trial.problems)
            kb = self.knowledge()
            target = changed_file(self.settings.knowledge_dir, kb, change)
            # the file as it was, to put back if the new index does not go live
            saved = target.read_bytes() if target.exists() else None
            apply_any(self.settings.knowledge_dir, kb, change)
            status = self._reindex()
            if status.get("state") != "done":
                if saved is None:
                    target.unlink()
                else:
                    target.write_bytes(saved)
                raise PublishFailed(str(status.get("error") or status))
        composer = self.assistant.composer
        after = [_outcome(composer, q) for q in clean_questions(questions)] if composer else []
        return {"index_version": status.get("version"), "file": target.name, "after": after,
                "warnings": trial.warnings}

    def _reindex(self) -> dict[str, Any]:
        """Rebuild and load the index; when another build is running (it may predate this change), wait and
        build again."""
        deadline = time.monotonic() + REINDEX_WAIT_SECONDS
        while True:
            # a publisher's deliberate change: it may restore an earlier state of the knowledge
            status = self.assistant.reindex(mode="force")
            if status.get("state") != "running" or time.monotonic() > deadline:
                return status
            time.sleep(0.2)

    def due(self, today: dt.date | None = None) -> list[dict[str, Any]]:
        """Entries past their review_by date (check-kb --due), oldest first."""
        return [{"id": e.id, "question": e.question, "review_by": e.review_by.isoformat() if e.review_by else None,
                 "path": e.path} for e in entries_due(self.knowledge(), today)]

    def sources(self) -> list[dict[str, Any]]:
        """Everything an entry may cite: sources, and articles that have a link."""
        kb = self.knowledge()
        out = [{"id": s.id, "title": s.title, "kind": s.kind, "openable": s.openable} for s in kb.sources.values()]
        out += [{"id": a.id, "title": a.title, "kind": "article", "openable": bool(a.url)}
                for a in kb.articles.values()]
        return sorted(out, key=lambda s: s["id"])


def _outcome(composer: Any, question: str) -> Outcome:
    answer = composer.answer(question, None)
    cited = answer.citations[0] if answer.citations else None
    return Outcome(question, answer.status, answer.matched_id, answer.answer_type,
                   cited.title if cited else None, cited.status if cited else None)


def _relative(text: str, tmp: str) -> str:
    return text.replace(tmp + "/", "")

