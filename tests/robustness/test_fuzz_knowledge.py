"""Fuzzing knowledge files: whatever an editor saves, loading either works or raises KnowledgeError.

KnowledgeError is what `check-kb` prints with file and line and what a reindex reports as failed; any
other exception is a traceback for the editor and, in a reindex thread, a job stuck in "running".
"""

from __future__ import annotations

import tempfile
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from app.knowledge.loader import KnowledgeError, load_knowledge
from app.settings import ROOT
from tests.conftest import SMALL_FAQ, write_small_kb

FILES = ("faq/faq.yaml", "sources.yaml", "synonyms.yaml", "articles/bai.md")
REAL_FAQ = sorted((ROOT / "knowledge" / "faq").glob("*.yaml"))
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# pieces of YAML, of the knowledge files' keys and of front matter, glued at random
YAML_TOKENS = st.sampled_from([
    "- ", "  ", "\n", "\t", ": ", ":", ",", "[", "]", "{", "}", "'", '"', "#", "&a ", "*a", "!!str ", "!!binary ",
    "!!python/object ", "---\n", "...\n", "|\n", ">\n", "? ", "null", "~", "true", "yes", "0x1F", "1e999", "-1",
    "2026-11-22", "2026-13-45", "2026-02-30", "2026-11-22T25:61:00", "id", "question", "phrasings", "answer", "en",
    "sources", "topics", "as_of", "path", "line", "kind", "title", "url", "published", "qd-06-2022", "Đề án 06",
    "dichvucong.gov.vn", "\u200b", "\ufeff", "\x85",
])
yaml_ish = st.lists(YAML_TOKENS, max_size=60).map("".join)
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20),
                    st.dates())
keys = st.one_of(st.sampled_from(["id", "question", "phrasings", "answer", "en", "sources", "topics", "as_of",
                                  "kind", "title", "url", "summary", "published", "path", "line"]),
                 st.text(max_size=8), st.integers(), st.booleans(), st.none(), st.dates())
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
                      max_leaves=12)
# well-formed YAML of the wrong shape: entries that are mappings with odd keys and values
structured = st.lists(st.dictionaries(keys, values, max_size=8), max_size=4).map(
    lambda entries: yaml.safe_dump(entries, allow_unicode=True))


def _load_with(relative: str, content: bytes) -> None:
    """Write `content` over one file of the small knowledge base and load it: success or KnowledgeError only."""
    with tempfile.TemporaryDirectory() as tmp:
        kb = write_small_kb(Path(tmp))
        (kb / relative).write_bytes(content)
        try:
            load_knowledge(kb)
        except KnowledgeError as exc:
            assert exc.problems and all(p.message for p in exc.problems)


def _article(front_matter: str) -> str:
    return f"---\n{front_matter}\n---\nChuyển đổi số.\n"


@FUZZ
@given(st.sampled_from(REAL_FAQ), st.data())
def test_truncated_faq_files_load_or_raise_knowledge_error(source: Path, data: st.DataObject):
    content = source.read_bytes()
    cut = data.draw(st.integers(0, len(content)), label="cut")  # may split a UTF-8 sequence
    _load_with("faq/faq.yaml", content[:cut])


# files that once escaped as ValueError/TypeError/UnicodeDecodeError; each is also an example of a fuzz test
KNOWN_BAD = {
    "faq impossible as_of": ("faq/faq.yaml", textwrap.dedent(SMALL_FAQ).replace("2026-11-22", "2026-02-30", 1)),
    "faq integer key": ("faq/faq.yaml", "- id: x\n  1: an integer key\n"),
    "faq path key": ("faq/faq.yaml", "- id: x\n  path: a key the loader passes itself\n"),
    "source integer key": ("sources.yaml", "- id: x\n  2: an integer key\n"),
    "article impossible published": ("articles/bai.md", _article("id: bai\ntitle: T\npublished: 2022-04-31")),
    "synonym impossible date": ("synonyms.yaml", "DVC: 2022-02-30\n"),
}
NOT_UTF8 = ("synonyms.yaml", b"\x80DVC: []\n")


@pytest.mark.parametrize("relative", list(FILES))
def test_random_bytes_load_or_raise_knowledge_error(relative: str):
    @FUZZ
    @given(st.binary(max_size=400))
    @example(NOT_UTF8[1])
    def fuzz(content: bytes) -> None:
        _load_with(relative, content)

    fuzz()


def _with_known_bad_examples(test: Callable[..., None]) -> Callable[..., None]:
    for relative, content in KNOWN_BAD.values():
        test = example(relative, content)(test)
    return test


@FUZZ
@given(st.sampled_from(FILES), st.one_of(yaml_ish, structured, yaml_ish.map(_article), structured.map(_article)))
@_with_known_bad_examples
def test_yaml_ish_text_loads_or_raises_knowledge_error(relative: str, content: str):
    _load_with(relative, content.encode())


@pytest.mark.parametrize(("relative", "content"), [
    *(pytest.param(relative, content.encode(), id=name) for name, (relative, content) in KNOWN_BAD.items()),
    pytest.param(*NOT_UTF8, id="synonyms not UTF-8"),
])
def test_each_known_bad_file_raises_knowledge_error(relative: str, content: bytes, tmp_path: Path):
    kb = write_small_kb(tmp_path)
    (kb / relative).write_bytes(content)
    with pytest.raises(KnowledgeError):
        load_knowledge(kb)


def test_the_small_knowledge_base_the_fuzzing_starts_from_loads(tmp_path: Path):
    assert load_knowledge(write_small_kb(tmp_path)).faqs
