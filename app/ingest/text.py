"""Markdown and plain text (also the form HTML is read into): headings, paragraphs, lists, tables."""

from __future__ import annotations

import re
from pathlib import Path

from app.ingest.document import PAGE_NUMBER, Extracted, IngestError, group_steps, table_rows

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*$")
_BULLET = re.compile(r"^[-*+•]\s+")
_TABLE_RULE = re.compile(r"^\|?\s*:?-{3,}")
_EMPHASIS = re.compile(r"(\*\*|__|\*|`)(.+?)\1")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")


def _clean(line: str) -> str:
    return _EMPHASIS.sub(r"\2", _LINK.sub(r"\1", line)).strip()


def markdown_blocks(text: str) -> tuple[str | None, list[str]]:
    """The first level-1 heading (the title, if any) and the blocks of a Markdown or plain text."""
    title: str | None = None
    blocks: list[str] = []
    para: list[str] = []
    table: list[list[str]] = []

    def flush() -> None:
        if para:
            blocks.append(" ".join(para))
            para.clear()
        if table:
            blocks.extend(table_rows(table))
            table.clear()

    for raw in text.replace("\r\n", "\n").split("\n"):
        line = raw.strip()
        if not line or PAGE_NUMBER.match(line):
            flush()
            continue
        if line.startswith("|"):
            if para:
                flush()
            if not _TABLE_RULE.match(line):
                table.append([_clean(c) for c in line.strip("|").split("|")])
            continue
        heading = _HEADING.match(line)
        if heading:
            flush()
            if heading.group(1) == "#" and title is None and not blocks:
                title = _clean(heading.group(2))
            else:
                blocks.append(_clean(heading.group(2)))
            continue
        if _BULLET.match(line) or re.match(r"^\d{1,2}[.)]\s", line):
            flush()
            blocks.append(_clean(_BULLET.sub("", line)))
            continue
        if table:
            flush()
        para.append(_clean(line))
    flush()
    return title, group_steps(blocks)


def extract_text_file(path: Path) -> Extracted:
    """Read a .md or .txt file (UTF-8); a leading YAML front matter block is not part of the text."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise IngestError(f"{path}: not UTF-8 text") from exc
    if text.startswith("---\n") and (end := text.find("\n---\n", 4)) > 0:
        text = text[end + 5 :]
    return read_markdown(text)


def read_markdown(text: str) -> Extracted:
    """Blocks, lines and title of a Markdown text."""
    title, blocks = markdown_blocks(text)
    lines = [_clean(_HEADING.sub(r"\2", ln.strip())) for ln in text.splitlines()]
    lines = [ln for ln in lines if ln and not PAGE_NUMBER.match(ln) and not ln.startswith("|")]
    return Extracted(blocks=blocks, lines=lines, title=title)
