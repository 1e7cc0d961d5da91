"""Load and validate the knowledge directory, reporting problems with file and line."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from app.knowledge.areas import (
    AREA_FAQ_SUFFIX,
    PROVINCES_FILE,
    area_faq_files,
    area_of_faq_file,
    describe_error,
    load_areas,
    load_provinces,
)
from app.knowledge.models import Area, Article, FaqEntry, Knowledge, Province, Source
from app.text.normalize import fold_diacritics, normalize_text

# libyaml's parser when PyYAML was built with it: the same documents and line marks, several times faster
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class KnowledgeProblem:
    """One problem found in the knowledge base."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class KnowledgeError(Exception):
    """The knowledge base has problems; `problems` lists each with file and line."""

    def __init__(self, problems: list[KnowledgeProblem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


_describe = describe_error


def _yaml_items(path: Path, rel: str, problems: list[KnowledgeProblem]) -> list[tuple[int, Any]]:
    """Parse a YAML list file into (line, item) pairs; a parse error becomes a problem."""
    try:
        loader = SAFE_LOADER(path.read_text(encoding="utf-8"))
        try:
            root = loader.get_single_node()
            if root is None:
                return []
            if not isinstance(root, yaml.SequenceNode):
                problems.append(KnowledgeProblem(rel, root.start_mark.line + 1, "expected a list of entries"))
                return []
            return [(n.start_mark.line + 1, loader.construct_document(n)) for n in root.value]
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problems.append(KnowledgeProblem(rel, (mark.line + 1) if mark else 1, f"invalid YAML: {exc}"))
        return []
    except ValueError as exc:  # a well-formed scalar YAML cannot build, such as the date 2026-02-30
        problems.append(KnowledgeProblem(rel, 1, f"invalid value: {exc}"))
        return []
    except UnicodeDecodeError:
        problems.append(KnowledgeProblem(rel, 1, "file is not UTF-8 text"))
        return []


def _load_article(path: Path, rel: str, problems: list[KnowledgeProblem]) -> Article | None:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        problems.append(KnowledgeProblem(rel, 1, "file is not UTF-8 text"))
        return None
    if not text.startswith("---\n"):
        problems.append(KnowledgeProblem(rel, 1, "missing YAML front matter ('---' on the first line)"))
        return None
    end = text.find("\n---\n", 4)
    if end < 0:
        problems.append(KnowledgeProblem(rel, 1, "front matter is not closed by a '---' line"))
        return None
    try:
        meta = yaml.safe_load(text[4:end]) or {}
    except (yaml.YAMLError, ValueError) as exc:
        problems.append(KnowledgeProblem(rel, 1, f"invalid front matter: {exc}"))
        return None
    if not isinstance(meta, dict):
        problems.append(KnowledgeProblem(rel, 1, "front matter must be a mapping"))
        return None
    body = text[end + 5 :]
    paragraphs = [normalize_text(p) for p in body.split("\n\n") if p.strip()]
    if not paragraphs:
        problems.append(KnowledgeProblem(rel, 1, "article has no text"))
        return None
    try:
        return Article(**meta, paragraphs=paragraphs, path=rel)
    except (ValidationError, TypeError) as exc:
        msg = _describe(exc) if isinstance(exc, ValidationError) else str(exc)
        problems.append(KnowledgeProblem(rel, 1, msg))
        return None


def _check_unique(kind: str, ident: str, where: KnowledgeProblem, seen: dict[str, KnowledgeProblem],
                  problems: list[KnowledgeProblem]) -> None:
    if ident in seen:
        first = seen[ident]
        problems.append(KnowledgeProblem(where.path, where.line,
                                         f"duplicate {kind} id '{ident}' (first at {first.path}:{first.line})"))
    else:
        seen[ident] = where


def _question_key(text: str) -> str:
    return " ".join(fold_diacritics(normalize_text(text)).split()).strip(" ?.!")


def load_knowledge(directory: Path) -> Knowledge:
    """Load the knowledge directory; raise KnowledgeError listing every problem found."""
    problems: list[KnowledgeProblem] = []
    ids: dict[str, KnowledgeProblem] = {}
    root = directory.resolve()
    if not root.is_dir():
        raise KnowledgeError([KnowledgeProblem(str(directory), 0, "knowledge directory not found")])

    def rel(p: Path) -> str:
        return str(p.relative_to(root.parent)) if root.parent in p.parents else str(p)

    sources: dict[str, Source] = {}
    # sources.yaml and/or one file per topic under sources/
    source_files = [root / "sources.yaml"] if (root / "sources.yaml").exists() else []
    for src_path in source_files + sorted((root / "sources").glob("*.yaml")):
        for line, item in _yaml_items(src_path, rel(src_path), problems):
            where = KnowledgeProblem(rel(src_path), line, "")
            if not isinstance(item, dict):
                problems.append(KnowledgeProblem(where.path, line, "source must be a mapping"))
                continue
            reserved = sorted(str(k) for k in item if k in ("path", "line") or not isinstance(k, str))
            if reserved:
                problems.append(KnowledgeProblem(where.path, line, f"source: unexpected keys {reserved}"))
                continue
            try:
                source = Source(**item, path=where.path, line=line)
            except ValidationError as exc:
                problems.append(KnowledgeProblem(where.path, line, f"source: {_describe(exc)}"))
                continue
            _check_unique("source", source.id, where, ids, problems)
            sources[source.id] = source

    articles: dict[str, Article] = {}
    for path in sorted((root / "articles").glob("*.md")):
        article = _load_article(path, rel(path), problems)
        if article:
            _check_unique("article", article.id, KnowledgeProblem(rel(path), 1, ""), ids, problems)
            articles[article.id] = article

    faqs: dict[str, FaqEntry] = {}
    questions: dict[str, KnowledgeProblem] = {}
    for path in sorted((root / "faq").glob("*.yaml")) + area_faq_files(root):
        area = area_of_faq_file(path) if path.name.endswith(AREA_FAQ_SUFFIX) else None
        for line, item in _yaml_items(path, rel(path), problems):
            where = KnowledgeProblem(rel(path), line, "")
            if not isinstance(item, dict):
                problems.append(KnowledgeProblem(where.path, line, "FAQ entry must be a mapping"))
                continue
            label = item.get("id", "?")
            reserved = sorted(str(k) for k in item if k in ("path", "line") or not isinstance(k, str))
            if reserved:
                problems.append(KnowledgeProblem(where.path, line, f"FAQ '{label}': unexpected keys {reserved}"))
                continue
            try:
                entry = FaqEntry(**item, path=rel(path), line=line)
            except ValidationError as exc:
                problems.append(KnowledgeProblem(where.path, line, f"FAQ '{label}': {_describe(exc)}"))
                continue
            if entry.area != area:
                problems.append(KnowledgeProblem(where.path, line, f"FAQ '{entry.id}': " + (
                    f"an area-only entry belongs in knowledge/areas/{entry.area}{AREA_FAQ_SUFFIX}" if entry.area
                    else f"an entry in this file needs `area: {area}`")))
                continue
            _check_unique("FAQ", entry.id, where, ids, problems)
            faqs[entry.id] = entry
            # The same question typed without diacritics is a useful phrasing of one entry, but two
            # entries whose questions fold to the same text would compete for it.
            own: set[str] = set()
            for _lang, q in entry.all_questions():
                exact, key = " ".join(normalize_text(q).lower().split()).strip(" ?.!"), _question_key(q)
                first = questions.get(key)
                other_entry = first is not None and (first.path, first.line) != (where.path, line)
                if exact in own or other_entry:
                    problems.append(KnowledgeProblem(
                        where.path, line, f"FAQ '{entry.id}': duplicate question '{q}'"
                        + (f" (also at {first.path}:{first.line})" if first and other_entry else "")))
                own.add(exact)
                questions.setdefault(key, where)

    for source in sources.values():
        for ref in [source.superseded_by, *source.amended_by]:
            if ref is not None and ref not in sources:
                problems.append(KnowledgeProblem(source.path, source.line,
                                                 f"source '{source.id}': unknown document '{ref}'"))
    for article in articles.values():
        if article.source is not None and article.source not in sources:
            problems.append(KnowledgeProblem(article.path, 1, f"article '{article.id}': unknown source "
                                             f"'{article.source}'"))
    for entry in faqs.values():
        for ref in entry.sources:
            if ref not in sources and ref not in articles:
                problems.append(KnowledgeProblem(entry.path, entry.line,
                                                 f"FAQ '{entry.id}': unknown source '{ref}'"))

    provinces, provinces_source, found = load_provinces(root, rel(root / "areas" / "provinces.yaml"))
    areas, more = load_areas(root, rel)
    problems += [KnowledgeProblem(*p) for p in found + more]
    problems += _area_problems(areas, provinces, faqs)
    for entry in faqs.values():
        for ref in entry.overrides:
            target = faqs.get(ref)
            if entry.area is None:
                problems.append(KnowledgeProblem(entry.path, entry.line, f"FAQ '{entry.id}': only an area-only "
                                                 "entry overrides others"))
            elif target is None or target.area is not None:
                problems.append(KnowledgeProblem(entry.path, entry.line, f"FAQ '{entry.id}': overrides "
                                                 f"'{ref}', which is not a national entry"))

    synonyms: dict[str, list[str]] = {}
    syn_path = root / "synonyms.yaml"
    if syn_path.exists():
        try:
            raw = yaml.safe_load(syn_path.read_text(encoding="utf-8")) or {}
        except (yaml.YAMLError, ValueError) as exc:  # UnicodeDecodeError is a ValueError too
            raw = {}
            problems.append(KnowledgeProblem(rel(syn_path), 1, f"invalid synonyms file: {exc}"))
        if not isinstance(raw, dict):
            problems.append(KnowledgeProblem(rel(syn_path), 1, "synonyms must map a term to a list"))
            raw = {}
        for term, expansions in raw.items():
            if not isinstance(expansions, list) or not all(isinstance(x, str) for x in expansions):
                problems.append(KnowledgeProblem(rel(syn_path), 1, f"synonym '{term}' must map to a list"))
                continue
            synonyms[str(term)] = expansions

    if not faqs and not articles:
        problems.append(KnowledgeProblem(rel(root), 0, "knowledge base has no articles and no FAQ entries"))
    if problems:
        raise KnowledgeError(problems)
    return Knowledge(articles=articles, faqs=faqs, sources=sources, synonyms=synonyms,
                     content_hash=hash_knowledge(root), areas=areas, provinces=provinces,
                     provinces_source=provinces_source)


def _indexed(path: Path, directory: Path) -> bool:
    """True for a file whose text reaches the index: every knowledge file but the READMEs and the areas'
    offices and province list (a changed phone number needs no rebuild; area-only entries do)."""
    if path.suffix not in {".md", ".yaml", ".yml"} or path.name == "README.md":
        return False
    return path.parent != directory / "areas" or path.name.endswith(AREA_FAQ_SUFFIX)


def hash_knowledge(directory: Path) -> str:
    """A stable hash of the path and bytes of every knowledge file the index is built from."""
    digest = hashlib.sha256()
    for path in sorted(directory.rglob("*")):
        if path.is_file() and _indexed(path, directory):
            digest.update(str(path.relative_to(directory)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _area_problems(areas: dict[str, Area], provinces: dict[str, Province],
                   faqs: dict[str, FaqEntry]) -> list[KnowledgeProblem]:
    """Areas that name an unknown province (or a province that does not name itself), and area-only entries
    for an area that is neither described nor a province."""
    problems = []
    for described in areas.values():
        if provinces and described.province not in provinces:
            problems.append(KnowledgeProblem(described.path, 1, f"area '{described.id}': unknown province "
                                             f"'{described.province}' (see areas/provinces.yaml)"))
        if described.level == "province" and described.province != described.id:
            problems.append(KnowledgeProblem(described.path, 1, f"area '{described.id}': a province names itself "
                                             "as its province"))
    for entry in faqs.values():
        if entry.area is not None and entry.area not in areas and entry.area not in provinces:
            problems.append(KnowledgeProblem(entry.path, entry.line, f"FAQ '{entry.id}': unknown area "
                                             f"'{entry.area}' (describe it in areas/{entry.area}.yaml)"))
    return problems


def with_live_areas(knowledge: Knowledge, directory: Path) -> Knowledge | None:
    """`knowledge` (read from an index's copy) with the province list and offices of `directory`'s areas/,
    which change without a rebuild; None when that folder does not check out (a broken file, an unknown
    province, a missing area that an indexed area-only entry needs). `knowledge` itself when there is none."""
    if not (directory / "areas").is_dir():
        return knowledge

    def rel(path: Path) -> str:
        return str(path.relative_to(directory))

    provinces, provinces_source, problems = load_provinces(directory, rel(directory / "areas" / PROVINCES_FILE))
    areas, more = load_areas(directory, rel)
    if problems or more or _area_problems(areas, provinces, knowledge.faqs):
        return None
    return knowledge.model_copy(update={"areas": areas, "provinces": provinces, "provinces_source": provinces_source})
