"""Vietnamese legal documents (Luật, Nghị định, Thông tư, Quyết định, Nghị quyết): the header's kind, number,
date and issuing body, and the body as Chương / Mục / Điều / khoản / điểm paragraphs."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

# the kind line of the header, and the kind of source it makes (app.knowledge.models.SOURCE_KINDS)
KINDS = {"LUẬT": "law", "NGHỊ ĐỊNH": "decree", "THÔNG TƯ": "circular", "QUYẾT ĐỊNH": "decision",
         "NGHỊ QUYẾT": "resolution"}
CHAPTER = re.compile(r"^Chương\s+([IVXLC]+|\d+)\b\.?\s*(.*)$")
SECTION = re.compile(r"^Mục\s+(\d+)\b\.?\s*(.*)$")
ARTICLE = re.compile(r"^Điều\s+(\d+[a-z]?)\s*[.:]\s*(.*)$")
CLAUSE = re.compile(r"^(\d{1,2})\.\s+\S")
POINT = re.compile(r"^([a-zđ])\)\s+\S")
_NUMBER = re.compile(r"^(?:Luật\s+)?Số(?:\s+hiệu)?\s*:\s*(\S+)", re.IGNORECASE)
_DATE = re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})", re.IGNORECASE)
_MOTTO = re.compile(r"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM|Độc lập\s*-\s*Tự do\s*-\s*Hạnh phúc|^[-_=*.\s]{3,}$",
                    re.IGNORECASE)
# where the body ends: the recipients list and the signature block
_END = re.compile(r"^(Nơi nhận\s*:|(TM|KT|Q|TL|TUQ)\.\s)")
_STEP_OR_BULLET = re.compile(r"^(?:Bước\s+\d+|[-*+•])\s")


@dataclass
class LegalDocument:
    """What a legal document's header states, and its body as structured paragraphs."""

    kind: str
    number: str | None
    issued: dt.date | None
    issuer: str | None
    title: str
    paragraphs: list[str]

    @property
    def articles(self) -> int:
        """How many Điều the body has."""
        return sum(1 for p in self.paragraphs if ARTICLE.match(p))


def starts_unit(line: str) -> bool:
    """True when a line opens a structural unit or a list item, so it never continues the previous line."""
    return any(p.match(line) for p in (CHAPTER, SECTION, ARTICLE, CLAUSE, POINT, _STEP_OR_BULLET))


def stated_date(lines: list[str]) -> dt.date | None:
    """The first date written out in the lines ('Hà Nội, ngày 01 tháng 7 năm 2024'), if a real date."""
    for line in lines:
        if m := _DATE.search(line):
            try:
                return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
            except ValueError:
                return None
    return None


def _kind_line(line: str) -> tuple[str, str] | None:
    for label, kind in KINDS.items():
        if line == label or line.startswith(label + " "):
            return kind, line[len(label):].strip()
    return None


def read_legal(lines: list[str]) -> LegalDocument | None:
    """Read a legal document's header and structure; None when the text is not one (no kind line or no Điều)."""
    first_unit = next((i for i, ln in enumerate(lines) if CHAPTER.match(ln) or ARTICLE.match(ln)), None)
    if first_unit is None:
        return None
    header = lines[:first_unit]
    located = next(((i, found) for i, ln in enumerate(header) if (found := _kind_line(ln))), None)
    if located is None:
        return None
    kind_at, (kind, name) = located
    number = next((m.group(1).rstrip(".,;") for ln in header if (m := _NUMBER.match(ln))), None)
    issued = stated_date(header)
    # a two-column header prints the issuer and the motto on one line: "CHÍNH PHỦ CỘNG HÒA XÃ HỘI ..."
    issuer_lines = [rest for ln in header[:kind_at] if not _NUMBER.match(ln) and not _DATE.search(ln)
                    and (rest := _MOTTO.sub("", ln).strip(" -")) and rest.isupper()]
    issuer = issuer_lines[0].capitalize() if issuer_lines else None
    # the subject follows the kind line ("Quy định về ..."), up to the legal basis ("Căn cứ ...")
    subject = [name] if name else []
    for ln in header[kind_at + 1:]:
        if ln.startswith(("Căn cứ", "Theo đề nghị")) or _DATE.search(ln) or _NUMBER.match(ln):
            break
        subject.append(ln)
    about = " ".join(subject)
    about = about.lower() if about.isupper() else about[:1].lower() + about[1:]
    if kind == "law":
        title = f"Luật {about[:1].upper()}{about[1:]}".strip() + (f" số {number}" if number else "")
    else:
        kind_label = next(label for label, k in KINDS.items() if k == kind).capitalize()
        title = " ".join(w for w in (kind_label, number or "", about) if w)
    return LegalDocument(kind, number, issued, issuer, title, structure_body(lines[first_unit:]))


def structure_body(lines: list[str]) -> list[str]:
    """One paragraph per Chương, Mục and Điều heading, per khoản and per điểm; wrapped lines joined."""
    paragraphs: list[str] = []
    heading_open = False  # a Chương or Mục line whose name is on the next line
    for line in lines:
        if _END.match(line):
            break
        if _MOTTO.search(line):
            continue
        if heading := CHAPTER.match(line) or SECTION.match(line):
            paragraphs.append(line)
            heading_open = not heading.group(2)
            continue
        if heading_open and line.isupper():
            paragraphs[-1] = f"{paragraphs[-1]}. {line}"
            heading_open = False
            continue
        heading_open = False
        if starts_unit(line) or not paragraphs or ARTICLE.match(paragraphs[-1]):
            paragraphs.append(line)
        else:
            paragraphs[-1] = f"{paragraphs[-1]} {line}"
    return paragraphs
