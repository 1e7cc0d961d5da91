"""Cut articles into passages along paragraph and sentence boundaries."""

from __future__ import annotations

from dataclasses import dataclass

from app.knowledge.models import Article
from app.text.normalize import split_sentences

# A heading is a short paragraph without a final full stop; it joins the passage that follows it.
HEADING_MAX_WORDS = 16


@dataclass(frozen=True)
class Passage:
    """A run of whole sentences from one article."""

    article_id: str
    number: int
    sentences: tuple[str, ...]

    @property
    def text(self) -> str:
        """The passage text without the title."""
        return " ".join(self.sentences)


def _is_heading(paragraph: str) -> bool:
    return len(paragraph.split()) <= HEADING_MAX_WORDS and not paragraph.rstrip().endswith((".", "!", "?", ":"))


def chunk_article(article: Article, max_words: int = 70) -> list[Passage]:
    """Pack each paragraph's sentences into passages of at most max_words (a longer sentence stands alone)."""
    passages: list[Passage] = []
    heading: str | None = None
    for paragraph in article.paragraphs:
        if _is_heading(paragraph):
            heading = paragraph if heading is None else f"{heading}. {paragraph}"
            continue
        current: list[str] = [heading] if heading else []
        heading = None
        words = sum(len(s.split()) for s in current)
        for sentence in split_sentences(paragraph):
            n = len(sentence.split())
            if current and words + n > max_words and any(s.endswith((".", "!", "?", "…")) for s in current):
                passages.append(Passage(article.id, len(passages), tuple(current)))
                current, words = [], 0
            current.append(sentence)
            words += n
        if current:
            passages.append(Passage(article.id, len(passages), tuple(current)))
    if heading:
        passages.append(Passage(article.id, len(passages), (heading,)))
    return passages
