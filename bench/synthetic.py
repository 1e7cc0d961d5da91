"""Synthetic knowledge bases N times larger than a real one, made by recombining its own text.

The copy keeps the real files; every extra round adds one new article per real article (its
paragraphs refilled with sentences drawn from all articles) and one new FAQ entry per real entry
(questions spliced from two real questions, answers refilled with sentences of real answers), with
fresh ids. Same shape as the real knowledge base, so the unit count grows N-fold, and the result
passes `app.knowledge.loader.load_knowledge`.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path
from typing import Any

import yaml

from app.knowledge.loader import load_knowledge
from app.knowledge.models import Article, FaqEntry, Knowledge
from app.text.normalize import fold_diacritics, normalize_text, split_sentences

SPLICE_TRIES = 50


def question_key(text: str) -> str:
    """The form under which two questions count as duplicates (as strict as the loader's check, or stricter)."""
    return " ".join(fold_diacritics(normalize_text(text)).split()).strip(" ?.!")


def _sentences(texts: list[str]) -> list[str]:
    return [s for text in texts for line in text.splitlines() for s in split_sentences(line)]


class _Recombiner:
    """Draws recombined questions, answers and paragraphs from the pools of one knowledge base."""

    def __init__(self, kb: Knowledge, rng: random.Random):
        self.rng = rng
        self.article_sentences = _sentences([p for a in kb.articles.values() for p in a.paragraphs])
        self.titles = [a.title for a in kb.articles.values()]
        self.questions = {
            lang: [q.split() for e in kb.faqs.values() for lg, q in e.all_questions() if lg == lang]
            for lang in ("vi", "en")
        }
        self.answers = {"vi": _sentences([e.answer for e in kb.faqs.values()]),
                        "en": _sentences([e.en.answer for e in kb.faqs.values() if e.en])}
        self.taken = {question_key(q) for e in kb.faqs.values() for _, q in e.all_questions()}

    def question(self, lang: str) -> str:
        """A question spliced from the head of one real question and the tail of another, never a duplicate."""
        pool = self.questions[lang] or self.questions["vi"]
        text = ""
        for _ in range(SPLICE_TRIES):
            head, tail = self.rng.choice(pool), self.rng.choice(pool)
            text = " ".join(head[: self.rng.randint(1, max(len(head) - 1, 1))] + tail[self.rng.randrange(len(tail)):])
            if question_key(text) not in self.taken:
                break
        # a tiny knowledge base runs out of fresh splices: a counter keeps the question unique
        base, n = text, 1
        while question_key(text) in self.taken:
            text, n = f"{base} {n}", n + 1
        self.taken.add(question_key(text))
        return text

    def answer(self, like: str, lang: str) -> str:
        """As many real answer sentences, drawn at random, as the answer it replaces has."""
        pool = self.answers[lang] or self.answers["vi"]
        return "\n".join(self.rng.choice(pool) for _ in range(max(len(_sentences([like])), 1)))

    def paragraph(self, like: str) -> str:
        """As many article sentences, drawn at random, as the paragraph it replaces has."""
        return " ".join(self.rng.choice(self.article_sentences) for _ in range(max(len(split_sentences(like)), 1)))


def _faq(entry: FaqEntry, ident: str, rec: _Recombiner) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": ident,
        "question": rec.question("vi"),
        "phrasings": [rec.question("vi") for _ in entry.phrasings],
        "answer": rec.answer(entry.answer, "vi"),
    }
    if entry.en:
        out["en"] = {"question": rec.question("en"), "phrasings": [rec.question("en") for _ in entry.en.phrasings],
                     "answer": rec.answer(entry.en.answer, "en")}
    out.update(sources=list(entry.sources), topics=list(entry.topics), as_of=entry.as_of)
    return out


def _article(article: Article, ident: str, rec: _Recombiner) -> str:
    meta = {"id": ident, "title": rec.rng.choice(rec.titles), "publisher": article.publisher,
            "author": article.author, "published": article.published, "url": article.url,
            "topics": list(article.topics), "language": article.language}
    body = "\n\n".join(rec.paragraph(p) for p in article.paragraphs)
    return f"---\n{yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)}---\n{body}\n"


def make_synthetic_kb(source: Path, target: Path, factor: int, seed: int = 0) -> Path:
    """Write into `target` (which must not exist) the knowledge base at `source` made `factor` times larger."""
    if factor < 1:
        raise ValueError(f"factor must be at least 1, not {factor}")
    kb = load_knowledge(source)
    shutil.copytree(source, target)
    (target / "articles").mkdir(exist_ok=True)
    (target / "faq").mkdir(exist_ok=True)
    rec = _Recombiner(kb, random.Random(seed))
    for round_ in range(1, factor):
        for article in kb.articles.values():
            ident = f"{article.id}-syn{round_}"
            (target / "articles" / f"{ident}.md").write_text(_article(article, ident, rec), encoding="utf-8")
        entries = [_faq(e, f"{e.id}-syn{round_}", rec) for e in kb.faqs.values()]
        (target / "faq" / f"synthetic-{round_:03d}.yaml").write_text(
            yaml.safe_dump(entries, allow_unicode=True, sort_keys=False, width=1000), encoding="utf-8")
    return target
