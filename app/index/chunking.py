"""Cut articles into passages: along paragraph and sentence boundaries, keeping a numbered procedure whole,
and a legal document along its Điều and khoản."""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.knowledge.models import Article
from app.text.normalize import split_sentences

# A heading is a short paragraph without a final full stop; it joins the passage that follows it.
HEADING_MAX_WORDS = 16
# step markers inside one paragraph: "1. ", "2) ", "Bước 3: " at its start or after a sentence's end
_STEP = re.compile(r"(?:^|(?<=[.;:!?…])\s)(?:Bước\s+)?(\d{1,2})\s*[.):]\s", re.IGNORECASE)
_CHAPTER = re.compile(r"^(Chương\s+(?:[IVXLC]+|\d+))\b")
_SECTION = re.compile(r"^(Mục\s+\d+)\b")
_ARTICLE = re.compile(r"^Điều\s+(\d+[a-z]?)\s*[.:]\s*(.*)$")
_CLAUSE = re.compile(r"^(\d{1,2})\.\s+(.*)$")


@dataclass(frozen=True)
class Passage:
    """A run of whole sentences from one article; a legal passage has its place, e.g. (Chương II, Điều 12, khoản 2)."""

    article_id: str
    number: int
    sentences: tuple[str, ...]
    path: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """The passage text without the title."""
        return " ".join(self.sentences)

    @property
    def reference(self) -> str:
        """Where the passage sits in its legal document, as cited: 'Điều 12 khoản 2' ('' outside a Điều)."""
        return " ".join(p for p in self.path if p.startswith(("Điều", "khoản")))


def _is_heading(paragraph: str) -> bool:
    return len(paragraph.split()) <= HEADING_MAX_WORDS and not paragraph.rstrip().endswith((".", "!", "?", ":"))


def is_step_list(paragraph: str) -> bool:
    """True for a paragraph that is a numbered procedure: markers 1, 2, ... in order, starting at its start."""
    numbers = [int(m.group(1)) for m in _STEP.finditer(paragraph)]
    return len(numbers) >= 2 and paragraph.lstrip().startswith(("1", "Bước 1", "bước 1")) \
        and numbers == list(range(1, len(numbers) + 1))


def chunk_article(article: Article, max_words: int = 70) -> list[Passage]:
    """Cut an article by its layout: legal documents by Điều and khoản, others by paragraphs and sentences."""
    if article.layout == "legal":
        return _chunk_legal(article, max_words)
    return _chunk_prose(article, article.paragraphs, max_words, keep_steps=article.layout == "steps")


def _chunk_prose(article: Article, paragraphs: list[str], max_words: int, keep_steps: bool = False,
                 first: int = 0) -> list[Passage]:
    """Pack each paragraph's sentences into passages of at most max_words (a longer sentence stands alone);
    with keep_steps a numbered procedure, with its heading or lead-in, is one passage and one sentence."""
    passages: list[Passage] = []
    heading: str | None = None
    for i, paragraph in enumerate(paragraphs):
        # "... làm theo các bước sau:" introduces the procedure that follows: it goes with it
        lead_in = keep_steps and paragraph.endswith(":") and i + 1 < len(paragraphs) \
            and is_step_list(paragraphs[i + 1])
        if _is_heading(paragraph) or lead_in:
            heading = paragraph if heading is None else f"{heading}. {paragraph}"
            continue
        current: list[str] = [heading] if heading else []
        heading = None
        if keep_steps and is_step_list(paragraph):
            # one sentence with its heading: quoting any of it quotes the whole procedure, in order
            intro = current[0] + ("" if current[0].endswith(":") else ":") if current else ""
            passages.append(Passage(article.id, first + len(passages), (f"{intro} {paragraph}".strip(),)))
            continue
        words = sum(len(s.split()) for s in current)
        for sentence in split_sentences(paragraph):
            n = len(sentence.split())
            if current and words + n > max_words and any(s.endswith((".", "!", "?", "…")) for s in current):
                passages.append(Passage(article.id, first + len(passages), tuple(current)))
                current, words = [], 0
            current.append(sentence)
            words += n
        if current:
            passages.append(Passage(article.id, first + len(passages), tuple(current)))
    if heading:
        passages.append(Passage(article.id, first + len(passages), (heading,)))
    return passages


def _chunk_legal(article: Article, max_words: int) -> list[Passage]:
    """One passage per khoản (with its điểm), or per Điều without khoản. Its one sentence names where it sits,
    'Khoản 2 Điều 12 Nghị định 69/2024/NĐ-CP (title of the Điều): ...', so a question naming the Điều finds it
    and an extractive answer quoting it says what it quotes."""
    name = article.legal_name or article.title
    passages: list[Passage] = []
    outer: list[str] = []  # Chương, Mục
    preamble: list[str] = []
    units: list[tuple[tuple[str, ...], str, list[str]]] = []  # (path, Điều title, texts)
    article_no, article_title = "", ""
    for paragraph in article.paragraphs:
        if m := _CHAPTER.match(paragraph):
            outer, article_no = [m.group(1)], ""
        elif m := _SECTION.match(paragraph):
            outer, article_no = outer[:1] + [m.group(1)], ""
        elif m := _ARTICLE.match(paragraph):
            article_no, article_title = m.group(1), m.group(2).rstrip(".")
            units.append(((*outer, f"Điều {article_no}"), article_title, []))
        elif not article_no:
            preamble.append(paragraph)
        elif (m := _CLAUSE.match(paragraph)) and (not units[-1][2] or _continues(units[-1], m.group(1))):
            path = (*outer, f"Điều {article_no}", f"khoản {m.group(1)}")
            units.append((path, article_title, [m.group(2)]))
        else:
            units[-1][2].append(paragraph)
    if preamble:
        passages += _chunk_prose(article, preamble, max_words)
    for path, title, texts in units:
        if not texts:
            continue
        where = " ".join(p.capitalize() if i == 0 else p for i, p in
                         enumerate(reversed([p for p in path if p.startswith(("Điều", "khoản"))])))
        label = f"{where} {name}" + (f" ({title})" if title else "")
        passages.append(Passage(article.id, len(passages), (f"{label}: {' '.join(texts)}",), path))
    return passages


def _continues(unit: tuple[tuple[str, ...], str, list[str]], clause: str) -> bool:
    """A numbered paragraph is the next khoản when it follows the previous one (khoản 1 after a lead-in)."""
    last = unit[0][-1]
    return int(clause) == (int(last.split()[1]) + 1 if last.startswith("khoản") else 1)
