"""From a file to an article in the knowledge base: extract, read legal structure, write front matter + text.

What the file states (title, date, issuing body, number) is read from it; the rest comes from the options;
nothing is guessed: a date neither stated nor given stays null and is reported.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import ValidationError

from app.index.chunking import chunk_article
from app.ingest.document import Extracted, ExtractorMissing, IngestError, UnsupportedFormat
from app.ingest.legal import read_legal, stated_date
from app.knowledge.models import LEGAL_KINDS, Article
from app.text.normalize import fold_diacritics, normalize_text

# how many lines from the top of a document may state its date
DATE_LINES = 5


@dataclass(frozen=True)
class IngestOptions:
    """What the file does not state, given on the command line."""

    publisher: str | None = None
    published: dt.date | None = None
    url: str | None = None
    kind: str | None = None
    status: str | None = None
    source: str | None = None
    topics: tuple[str, ...] = ()
    article_id: str | None = None


@dataclass
class IngestReport:
    """What ingesting one file did."""

    source_file: Path
    article: Article
    written: Path
    outcome: Literal["added", "replaced", "unchanged"]
    passages: int
    missing: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # what is written: the front matter (a null date kept) and the paragraphs as extracted
    front_matter: dict[str, Any] = field(default_factory=dict)
    paragraphs: list[str] = field(default_factory=list)


def _extractor(path: Path) -> Callable[[Path], Extracted]:
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm"):
        from app.ingest.html import extract_html
        return extract_html
    if suffix == ".pdf":
        from app.ingest.pdf import extract_pdf
        return extract_pdf
    if suffix == ".docx":
        from app.ingest.word import extract_docx
        return extract_docx
    if suffix in (".md", ".markdown", ".txt"):
        from app.ingest.text import extract_text_file
        return extract_text_file
    raise UnsupportedFormat(f"{path}: unsupported file type '{suffix}' (HTML, PDF, DOCX, Markdown or plain text)")


def article_id_for(path: Path) -> str:
    """An article id from a file name: 'Nghị định 69-2024.pdf' -> 'nghi-dinh-69-2024'."""
    slug = re.sub(r"[^a-z0-9]+", "-", fold_diacritics(path.stem)).strip("-")
    if not slug:
        raise IngestError(f"{path}: cannot make an article id from the file name; pass --id")
    return slug


def content_hash(data: bytes, options: IngestOptions) -> str:
    """Hash of the file's bytes and the options: the same file ingested the same way hashes the same."""
    digest = hashlib.sha256(data)
    digest.update(json.dumps(asdict(options), default=str, sort_keys=True).encode())
    return digest.hexdigest()[:16]


def _front_matter(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    end = text.find("\n---\n", 4)
    meta = yaml.safe_load(text[4:end]) if text.startswith("---\n") and end > 0 else None
    return meta if isinstance(meta, dict) else {}


def ingest_file(path: Path, knowledge_dir: Path, options: IngestOptions) -> IngestReport:
    """Ingest one file into knowledge_dir/articles/<id>.md; an unchanged file changes nothing."""
    report = read_document(path, knowledge_dir, options)
    if report.outcome != "unchanged":
        write_article(report.written, report.front_matter, report.paragraphs)
    return report


def read_document(path: Path, knowledge_dir: Path, options: IngestOptions) -> IngestReport:
    """Everything ingest_file does but writing: the article, and whether it would be added, replace its
    previous version or leave it unchanged."""
    if not path.is_file():
        raise IngestError(f"{path}: no such file")
    article_id = options.article_id or article_id_for(path)
    target = knowledge_dir / "articles" / f"{article_id}.md"
    digest = content_hash(path.read_bytes(), options)
    previous = _front_matter(target) if target.exists() else None
    if previous is not None and previous.get("origin") != path.name:
        raise IngestError(f"{target} exists and was not ingested from {path.name}; pass another --id")
    extract = _extractor(path)
    try:
        extracted = extract(path)
    except ImportError as exc:  # the extractors are an optional extra, not in the server's runtime
        raise ExtractorMissing(f"{path}: the extractor for this format is not installed ({exc.name}): "
                               "pip install -e '.[ingest]'") from exc
    meta, paragraphs, missing, notes = _describe(path, extracted, options, article_id, digest)
    try:
        article = Article(**meta, paragraphs=[normalize_text(p) for p in paragraphs], path=str(target))
    except ValidationError as exc:
        raise IngestError(f"{path}: {exc.errors()[0]['loc'][0]}: {exc.errors()[0]['msg']}") from exc
    passages = len(chunk_article(article))
    outcome: Literal["added", "replaced", "unchanged"] = (
        "added" if previous is None else "unchanged" if previous.get("content_hash") == digest else "replaced")
    return IngestReport(path, article, target, outcome, passages, missing, notes, meta, paragraphs)


def _describe(path: Path, extracted: Extracted, options: IngestOptions, article_id: str,
              digest: str) -> tuple[dict[str, Any], list[str], list[str], list[str]]:
    """Front matter and paragraphs: the file's statements first, the options for the rest."""
    notes = list(extracted.notes)
    missing: list[str] = []
    legal = read_legal(extracted.lines)
    kind = options.kind or (legal.kind if legal else None)
    meta: dict[str, Any] = {"id": article_id}
    title: str | None
    if legal is not None:
        title, paragraphs, layout = legal.title, legal.paragraphs, "legal"
        publisher, stated = legal.issuer, None
        meta.update(number=legal.number, issued=legal.issued)
        if legal.kind != kind:
            notes.append(f"the text is a {legal.kind}, --kind says {kind}: --kind kept")
        for name, value in (("number", legal.number), ("issued", legal.issued)):
            if value is None:
                missing.append(name)
        notes.append(f"legal structure: {legal.articles} Điều")
    else:
        title, paragraphs, layout = extracted.title, extracted.blocks, "steps"
        # a date written out at the top of the text ("Hà Nội, ngày 15 tháng 3 năm 2025") is stated by the file
        publisher = extracted.publisher
        stated = extracted.published or stated_date(extracted.lines[:DATE_LINES])
    if not title:
        title = paragraphs[0] if paragraphs else path.stem
        notes.append("no title stated in the file: the first line is the title")
    published = stated or options.published
    if stated and options.published and stated != options.published:
        notes.append(f"the file states {stated}; --published {options.published} not used")
    if published is None and legal is None:
        missing.append("published")
    if kind in LEGAL_KINDS and legal is None:
        missing.append("number and issued (--kind names a legal document, but no legal header with Điều was found)")
    if kind in LEGAL_KINDS and not options.status and not options.source:
        missing.append("status (--status or --source)")
    meta.update(title=title, publisher=publisher or options.publisher, published=published, url=options.url,
                topics=list(options.topics), language="vi", kind=kind,
                status=options.status if kind in LEGAL_KINDS else None,
                source=options.source, layout=layout, origin=path.name, content_hash=digest)
    # a date neither stated nor given is written as null, so an editor sees it is unknown
    return {k: v for k, v in meta.items() if v is not None or k == "published"}, paragraphs, missing, notes


def article_text(meta: dict[str, Any], paragraphs: list[str]) -> str:
    """An article file's text: YAML front matter, then the paragraphs."""
    return "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False) + "---\n" \
        + "\n\n".join(paragraphs) + "\n"


def write_article(target: Path, meta: dict[str, Any], paragraphs: list[str]) -> None:
    """Write front matter and text, atomically: a reader sees the old file or the new one."""
    text = article_text(meta, paragraphs)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.stem}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
