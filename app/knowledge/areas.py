"""Areas: the province list (knowledge/areas/provinces.yaml) and the provinces or communes described with their
own offices (knowledge/areas/<id>.yaml). Area-only entries (<id>.faq.yaml) are FAQ files read by the loader."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from app.knowledge.models import Area, PageSource, Province

PROVINCES_FILE = "provinces.yaml"
AREA_FAQ_SUFFIX = ".faq.yaml"


def describe_error(err: ValidationError) -> str:
    """A pydantic error as 'field: message; ...'."""
    return "; ".join(f"{'.'.join(str(x) for x in e['loc']) or 'entry'}: {e['msg']}" for e in err.errors())


def area_faq_files(root: Path) -> list[Path]:
    """The area-only FAQ files, each named after its area."""
    return sorted((root / "areas").glob("*" + AREA_FAQ_SUFFIX))


def area_of_faq_file(path: Path) -> str:
    """'ha-noi-phuong-ba-dinh' for knowledge/areas/ha-noi-phuong-ba-dinh.faq.yaml."""
    return path.name.removesuffix(AREA_FAQ_SUFFIX)


def _mapping(path: Path, rel: str, problems: list[tuple[str, int, str]]) -> dict[str, Any] | None:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problems.append((rel, (mark.line + 1) if mark else 1, f"invalid YAML: {exc}"))
        return None
    except ValueError as exc:  # not UTF-8, or a date that cannot exist
        problems.append((rel, 1, f"invalid file: {exc}"))
        return None
    if not isinstance(raw, dict):
        problems.append((rel, 1, "expected a mapping"))
        return None
    return raw


def load_provinces(root: Path, rel: str) -> tuple[dict[str, Province], PageSource | None, list[tuple[str, int, str]]]:
    """The province list with the page it was read from; problems as (path, line, message)."""
    problems: list[tuple[str, int, str]] = []
    path = root / "areas" / PROVINCES_FILE
    if not path.exists():
        return {}, None, problems
    raw = _mapping(path, rel, problems)
    if raw is None:
        return {}, None, problems
    source: PageSource | None = None
    try:
        source = PageSource(**(raw.get("source") or {}))
    except (ValidationError, TypeError) as exc:
        reason = describe_error(exc) if isinstance(exc, ValidationError) else str(exc)
        problems.append((rel, 1, f"provinces source: {reason}"))
    provinces: dict[str, Province] = {}
    for i, item in enumerate(raw.get("provinces") or []):
        try:
            province = Province(**item) if isinstance(item, dict) else None
        except ValidationError as exc:
            problems.append((rel, 1, f"provinces[{i}]: {describe_error(exc)}"))
            continue
        if province is None:
            problems.append((rel, 1, f"provinces[{i}]: must be a mapping"))
        elif province.id in provinces:
            problems.append((rel, 1, f"provinces[{i}]: duplicate province id '{province.id}'"))
        else:
            provinces[province.id] = province
    return provinces, source, problems


def load_areas(root: Path, rel_of: Any) -> tuple[dict[str, Area], list[tuple[str, int, str]]]:
    """Every described area (one file each, named after its id); problems as (path, line, message)."""
    problems: list[tuple[str, int, str]] = []
    areas: dict[str, Area] = {}
    for path in sorted((root / "areas").glob("*.yaml")):
        if path.name == PROVINCES_FILE or path.name.endswith(AREA_FAQ_SUFFIX):
            continue
        rel = rel_of(path)
        raw = _mapping(path, rel, problems)
        if raw is None:
            continue
        reserved = sorted(str(k) for k in raw if k == "path" or not isinstance(k, str))
        if reserved:
            problems.append((rel, 1, f"area: unexpected keys {reserved}"))
            continue
        try:
            area = Area(**raw, path=rel)
        except ValidationError as exc:
            problems.append((rel, 1, f"area: {describe_error(exc)}"))
            continue
        if area.id != path.stem:
            problems.append((rel, 1, f"area '{area.id}' must be in a file named {area.id}.yaml"))
            continue
        areas[area.id] = area
    return areas, problems
