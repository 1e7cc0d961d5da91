"""What an extractor reads from a file, before it becomes an article."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

# a list item numbered in the text: "1. ...", "2) ...", "Bước 3: ..."
STEP_LINE = re.compile(r"^(?:Bước\s+)?(\d{1,2})\s*[.):]\s+\S", re.IGNORECASE)
PAGE_NUMBER = re.compile(r"^(?:-\s*)?(?:Trang\s+)?\d{1,4}(?:\s*/\s*\d{1,4})?(?:\s*-)?$", re.IGNORECASE)
SENTENCE_END = (".", "!", "?", ":", ";", "…")


class IngestError(Exception):
    """A file cannot be ingested; the message says why and what to do."""


class UnsupportedFormat(IngestError):
    """The file is of a type no extractor reads."""


class ExtractorMissing(IngestError):
    """The extractor for the file's format is not installed (the `ingest` extra)."""


@dataclass
class Extracted:
    """The text of a document as blocks (paragraphs, step lists, table rows) and what the file states."""

    blocks: list[str]
    # the text's lines in reading order, boilerplate removed: what legal structure is read from
    lines: list[str] = field(default_factory=list)
    title: str | None = None
    published: dt.date | None = None
    publisher: str | None = None
    notes: list[str] = field(default_factory=list)


def group_steps(blocks: list[str]) -> list[str]:
    """Join consecutive numbered items 1, 2, 3, ... into one block, one step per line, in order."""
    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        if len(run) >= 2:
            out.append("\n".join(run))
        else:
            out.extend(run)
        run.clear()

    for block in blocks:
        m = STEP_LINE.match(block)
        if m and int(m.group(1)) == len(run) + 1:
            run.append(block)
            continue
        flush()
        if m and m.group(1) == "1":
            run.append(block)
        else:
            out.append(block)
    flush()
    return out


def table_rows(rows: list[list[str]]) -> list[str]:
    """A table as text rows: each body row 'Header: value; Header: value.' (the header row names the cells)."""
    rows = [[" ".join(c.split()) for c in r] for r in rows if any(c.strip() for c in r)]
    if not rows:
        return []
    header, body = rows[0], rows[1:]
    if not body:
        return ["; ".join(c for c in header if c) + "."]
    out = []
    for row in body:
        cells = [f"{h}: {c}" if h else c for h, c in zip(header, row, strict=False) if c]
        if cells:
            out.append("; ".join(cells) + ".")
    return out
