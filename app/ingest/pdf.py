"""PDF files with a text layer, read by pypdf; running headers, footers and page numbers removed.

pypdf is maintained, pure Python (no system libraries), and extracts text in reading order well enough for
the single-column documents the state publishes. A scanned PDF has no text layer: it is refused, since
reading it would need OCR, which this tool does not do.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from app.ingest.document import PAGE_NUMBER, SENTENCE_END, Extracted, IngestError, group_steps
from app.ingest.legal import starts_unit

# fewer letters than this per page on average: the pages are images
MIN_LETTERS_PER_PAGE = 40
# lines at the top or bottom of a page that repeat on this share of pages are running headers or footers
REPEATED_SHARE = 0.5
EDGE_LINES = 2


def _page_lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def extract_pdf(path: Path) -> Extracted:
    """The text of a PDF as lines and paragraphs; refuse a PDF without a text layer."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(path)
        pages = [_page_lines(page.extract_text() or "") for page in reader.pages]
    except (PdfReadError, OSError, ValueError) as exc:
        raise IngestError(f"{path}: not a readable PDF ({exc})") from exc
    letters = sum(ch.isalpha() for lines in pages for line in lines for ch in line)
    if not pages or letters < MIN_LETTERS_PER_PAGE * len(pages):
        raise IngestError(f"{path}: the PDF has no text layer (a scanned document?); run OCR on it first, "
                          "or ingest the document's text version")
    edges: Counter[str] = Counter()
    for lines in pages:
        edges.update(set(lines[:EDGE_LINES] + lines[-EDGE_LINES:]))
    repeated = {line for line, n in edges.items() if len(pages) > 1 and n >= max(2, REPEATED_SHARE * len(pages))}
    lines = [line for page in pages for i, line in enumerate(page)
             if not PAGE_NUMBER.match(line)
             and not (line in repeated and (i < EDGE_LINES or i >= len(page) - EDGE_LINES))]
    title = None
    info = reader.metadata
    if info is not None and info.title and info.title.strip():
        title = info.title.strip()
    return Extracted(blocks=group_steps(join_wrapped(lines)), lines=lines, title=title)


def join_wrapped(lines: list[str]) -> list[str]:
    """Paragraphs from hard-wrapped lines: a new one at a numbered item or after a line ending a sentence."""
    blocks: list[str] = []
    for line in lines:
        if blocks and not starts_unit(line) and not (blocks[-1].endswith(SENTENCE_END) and line[:1].isupper()):
            blocks[-1] = f"{blocks[-1]} {line}"
        else:
            blocks.append(line)
    return blocks
