"""Documents uploaded from the admin page: read like `python -m app ingest` reads a file, held as a pending
draft (the article's front matter and paragraphs), and written at publication through the same writer.

A document draft never holds the file itself: what the extractors read from it is what an editor previews,
a publisher reviews as the Markdown file to be written, and what publication writes.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from app.editorial.files import Change, DraftInvalid, apply_change, target_file
from app.ingest.document import IngestError
from app.ingest.legal import ARTICLE
from app.ingest.pipeline import IngestOptions, IngestReport, article_text, read_document, write_article
from app.knowledge.models import Article, Knowledge
from app.text.normalize import normalize_text

ARTICLES = Path("articles")
# the front-matter fields an editor is shown with where each came from: the file, or the upload's options
DESCRIBED = ("title", "publisher", "published", "kind", "number", "issued", "status", "source", "url")
_UNSAFE_NAME = re.compile(r"[^\w.\- ]+")
MAX_SUGGESTED = 6


@dataclass(frozen=True)
class IngestedDocument:
    """An uploaded document as a draft holds it: the article file's front matter and paragraphs."""

    file_name: str
    content_hash: str
    front_matter: dict[str, Any]
    paragraphs: list[str]
    article: Article

    def payload(self) -> dict[str, Any]:
        """The draft's stored form (JSON: dates as ISO text, a null date kept)."""
        meta = {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in self.front_matter.items()}
        return {"file_name": self.file_name, "content_hash": self.content_hash, "front_matter": meta,
                "paragraphs": self.paragraphs}

    def text(self) -> str:
        """The Markdown file publication writes."""
        return article_text(self.front_matter, self.paragraphs)


def safe_file_name(name: str) -> str:
    """The uploaded file's own name, without any directory part or characters a file name should not have."""
    base = _UNSAFE_NAME.sub("", name.replace("\\", "/").rsplit("/", 1)[-1]).strip(" .")
    if not base or "." not in base:
        raise IngestError(f"'{name}': the file name needs an extension (.pdf, .docx, .html, .md, .txt)")
    return base[-150:]


def read_upload(file_name: str, data: bytes, knowledge_dir: Path, options: IngestOptions) -> IngestReport:
    """Read an uploaded file as the ingest command would (nothing is written into knowledge/); the
    IngestError's message names the file, not the temporary directory it was read from."""
    name = safe_file_name(file_name)
    with tempfile.TemporaryDirectory(prefix="upload-") as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        try:
            return read_document(path, knowledge_dir, options)
        except IngestError as exc:
            raise type(exc)(str(exc).replace(f"{tmp}/", "")) from exc
        except Exception as exc:  # an extractor failing on a malformed upload: a refusal, not a server error
            raise IngestError(f"{name}: the file could not be read ({type(exc).__name__})") from exc


def document_of(report: IngestReport) -> IngestedDocument:
    """The draft form of what was read."""
    return IngestedDocument(report.source_file.name, str(report.front_matter.get("content_hash", "")),
                            report.front_matter, report.paragraphs, report.article)


def parse_document(payload: dict[str, Any], knowledge_dir: Path) -> IngestedDocument:
    """A stored document draft, checked against the article model; DraftInvalid when it is not one."""
    try:
        meta = dict(payload["front_matter"])
        paragraphs = [str(p) for p in payload["paragraphs"]]
        file_name, digest = str(payload["file_name"]), str(payload["content_hash"])
    except (KeyError, TypeError, ValueError) as exc:
        raise DraftInvalid([f"a document draft needs front_matter, paragraphs, file_name and content_hash ({exc})"]
                           ) from exc
    if meta.get("origin") != file_name or meta.get("content_hash") != digest:
        raise DraftInvalid(["the document's front matter does not match its file name and content hash"])
    try:
        article = Article(**meta, paragraphs=[normalize_text(p) for p in paragraphs],
                          path=str(knowledge_dir / ARTICLES / f"{meta.get('id')}.md"))
    except (ValidationError, TypeError) as exc:
        errors = exc.errors() if isinstance(exc, ValidationError) else [{"loc": ("article",), "msg": str(exc)}]
        raise DraftInvalid([f"{'.'.join(str(x) for x in e['loc'])}: {e['msg']}" for e in errors]) from exc
    # written as the ingest command writes it: dates as dates, keys in their order, a null date kept
    front_matter = {k: getattr(article, k) for k in meta}
    return IngestedDocument(file_name, digest, front_matter, paragraphs, article)


def article_path(knowledge_dir: Path, article_id: str) -> Path:
    """Where an article's file is."""
    return knowledge_dir / ARTICLES / f"{article_id}.md"


def is_article_change(kb: Knowledge, change: Change) -> bool:
    """True for a document upload, and for retiring an article (an id that is no FAQ entry's)."""
    return change.document is not None or (change.action == "retire" and change.entry_id not in kb.faqs
                                            and change.entry_id in kb.articles)


def changed_file(knowledge_dir: Path, kb: Knowledge, change: Change) -> Path:
    """The file a change writes (or removes)."""
    if is_article_change(kb, change):
        return article_path(knowledge_dir, change.entry_id)
    return target_file(knowledge_dir, kb, change)


def apply_any(knowledge_dir: Path, kb: Knowledge, change: Change) -> Path:
    """Write a change into the knowledge files: a document's article, an article's removal, or a FAQ change."""
    if not is_article_change(kb, change):
        return apply_change(knowledge_dir, kb, change)
    path = article_path(knowledge_dir, change.entry_id)
    current = kb.articles.get(change.entry_id)
    if change.document is None:
        if current is None or not current.origin:
            raise DraftInvalid([f"article '{change.entry_id}' was not ingested from a file: retire it by hand"])
        path.unlink()
        return path
    # a file never overwrites an article it did not write (as the ingest command refuses to)
    if current is not None and current.origin != change.document.file_name:
        raise DraftInvalid([f"article '{change.entry_id}' exists and was not ingested from "
                            f"{change.document.file_name}: upload it under another id"])
    write_article(path, change.document.front_matter, change.document.paragraphs)
    return path


def current_text(knowledge_dir: Path, kb: Knowledge, change: Change) -> tuple[str, str]:
    """The article file's text now, and its name relative to the knowledge dir."""
    path = article_path(knowledge_dir, change.entry_id)
    return (path.read_text(encoding="utf-8") if path.exists() else ""), str(ARTICLES / path.name)


def describe(report: IngestReport, options: IngestOptions) -> dict[str, Any]:
    """What the editor is shown: each field's value and whether the file stated it or the options gave it,
    and what neither gave."""
    fields: dict[str, Any] = {}
    for name in DESCRIBED:
        value = report.front_matter.get(name)
        given = getattr(options, name, None)
        origin = None if value is None else "options" if given is not None and value == given else "file"
        fields[name] = {"value": value.isoformat() if isinstance(value, dt.date) else value, "from": origin}
    article = report.article
    return {"article_id": article.id, "title": article.title, "file_name": report.source_file.name,
            "outcome": report.outcome, "layout": article.layout, "passages": report.passages,
            "content_hash": report.front_matter.get("content_hash"), "fields": fields,
            "missing": report.missing, "notes": report.notes, "questions": suggest_questions(article)}


def suggest_questions(article: Article) -> list[str]:
    """Questions to preview with: one per Điều of a legal text (by its title), else one per heading that
    leads a numbered procedure, and one about the document itself."""
    out: list[str] = []
    if article.layout == "legal":
        name = article.legal_name or article.title
        for paragraph in article.paragraphs:
            if m := ARTICLE.match(paragraph):
                topic = m.group(2).rstrip(".").strip()
                out.append(f"Điều {m.group(1)} {name} quy định gì" + (f" về {topic[:1].lower()}{topic[1:]}?"
                                                                        if topic else "?"))
    else:
        lead = article.title
        for paragraph in article.paragraphs:
            if "\n" in paragraph and re.match(r"^(?:Bước\s+)?1\s*[.):]", paragraph, re.IGNORECASE):
                title = article.title
                out.append(f"{lead} ({title})?" if lead != title else f"Các bước {title[:1].lower()}{title[1:]}?")
            elif len(paragraph) < 80 and not paragraph.endswith((".", ";", ":")):
                lead = paragraph
        out.append(f"{article.title}?")
    return list(dict.fromkeys(out))[:MAX_SUGGESTED]
