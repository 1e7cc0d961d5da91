"""HTML pages: the main text by trafilatura (menus, related news, footers dropped), tables kept as rows.

trafilatura is maintained, scores content blocks against boilerplate (navigation, "Tin liên quan", footers)
rather than relying on one site's markup, keeps tables and lists, and reads the title, site name and the
date the page states in its metadata. Date search is limited to what the page declares (no guessing from
URLs or copyright lines).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from app.ingest.document import Extracted, IngestError
from app.ingest.text import read_markdown

# "Tin liên quan", "Bài viết liên quan", "Xem thêm": a block trafilatura kept that only lists other pages
_RELATED = re.compile(r"^(tin|bài viết|bài|tin tức)\s+(liên quan|khác|cùng chuyên mục)|^xem thêm\b", re.IGNORECASE)


def extract_html(path: Path) -> Extracted:
    """The main text and stated metadata of an HTML page."""
    import trafilatura

    raw = path.read_bytes().decode("utf-8", errors="replace")
    params = {"extensive_search": False, "original_date": True}
    found = trafilatura.bare_extraction(raw, include_tables=True, include_comments=False, with_metadata=True,
                                        date_extraction_params=params)
    doc = found if isinstance(found, dict) or found is None else found.as_dict()
    body = trafilatura.extract(raw, include_tables=True, include_comments=False, output_format="markdown",
                               date_extraction_params=params)
    if not isinstance(doc, dict) or not body:
        raise IngestError(f"{path}: no main text found in the page")
    extracted = read_markdown(body)
    kept = []
    for block in extracted.blocks:
        if _RELATED.match(block):
            break  # everything after a related-news heading is links to other pages
        kept.append(block)
    extracted.blocks = kept
    title = str(doc.get("title") or "").strip() or extracted.title
    extracted.blocks = [b for b in extracted.blocks if b != title]
    extracted.title = title
    extracted.publisher = str(doc.get("sitename") or "").strip() or None
    if doc.get("date"):
        extracted.published = dt.date.fromisoformat(str(doc["date"])[:10])
    return extracted
