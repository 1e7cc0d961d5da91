"""Word documents (.docx) by python-docx: paragraphs and tables in document order, headings, numbered lists.

python-docx is maintained and gives the document's own structure (paragraph styles, tables, core
properties) rather than a rendering, so headings, list items and table cells stay what they are. Word
numbers list items itself, so items of a numbered list style are numbered here, in order.
"""

from __future__ import annotations

from pathlib import Path

from app.ingest.document import PAGE_NUMBER, Extracted, IngestError, group_steps, table_rows


def extract_docx(path: Path) -> Extracted:
    """The text of a .docx: title from its properties or Title style, blocks in document order."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError) as exc:
        raise IngestError(f"{path}: not a readable .docx file ({exc})") from exc
    title = (document.core_properties.title or "").strip() or None
    blocks: list[str] = []
    lines: list[str] = []
    counter = 0
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            rows = [[cell.text for cell in row.cells] for row in item.rows]
            blocks += table_rows(rows)
            counter = 0
            continue
        assert isinstance(item, Paragraph)
        text = " ".join(item.text.split())
        style = (item.style.name if item.style is not None else "") or ""
        if not text or PAGE_NUMBER.match(text):
            continue
        if style == "Title" or (style == "Heading 1" and title is None and not blocks):
            title = title or text
            continue
        if style.startswith("List Number"):
            counter += 1
            text = f"{counter}. {text}"
        else:
            counter = 0
        blocks.append(text)
        lines.append(text)
    if not blocks:
        raise IngestError(f"{path}: the document has no text")
    return Extracted(blocks=group_steps(blocks), lines=lines, title=title)
