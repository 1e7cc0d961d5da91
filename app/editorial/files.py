"""Write a change to one FAQ entry into the knowledge YAML files, touching only that entry's lines.

The entry is dumped from the loader's own model with a safe YAML dumper, so what is written is what the
loader reads back; the rest of the file, comments included, is left byte for byte as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import yaml
from pydantic import ValidationError

from app.knowledge.models import FaqEntry, Knowledge

if TYPE_CHECKING:
    from app.editorial.documents import IngestedDocument

# new entries go to one file of their own, so a git diff shows at a glance what editors added
NEW_ENTRIES_FILE = Path("faq") / "editor-drafts.yaml"
NEW_ENTRIES_HEADER = "# Mục hỏi đáp do biên tập viên soạn và đăng từ trang quản trị (/admin).\n"
Action = Literal["add", "edit", "retire", "ingest"]


class DraftInvalid(ValueError):
    """The draft is not a valid FAQ entry, or does not fit the knowledge base; `problems` says why."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass(frozen=True)
class Change:
    """One change to the knowledge base: a new entry, a new version of an entry, or its retirement; or an
    uploaded document (action "ingest") that becomes an article."""

    action: Action
    entry_id: str
    entry: FaqEntry | None
    document: IngestedDocument | None = None


def parse_entry(data: dict[str, Any]) -> FaqEntry:
    """The payload as a FAQ entry; DraftInvalid with the model's messages when it is not one."""
    reserved = sorted(k for k in data if k in ("path", "line"))
    if reserved:
        raise DraftInvalid([f"unexpected keys {reserved}"])
    try:
        return FaqEntry(**data)
    except ValidationError as exc:
        raise DraftInvalid([f"{'.'.join(str(x) for x in e['loc']) or 'entry'}: {e['msg']}"
                            for e in exc.errors()]) from exc
    except TypeError as exc:
        raise DraftInvalid([str(exc)]) from exc


def entry_data(entry: FaqEntry) -> dict[str, Any]:
    """The entry as the YAML files hold it (no defaults, no load positions)."""
    return entry.model_dump(exclude={"path", "line"}, exclude_defaults=True)


class _EntryDumper(yaml.SafeDumper):
    """Safe dumping in the house style: lists indented under their key, multi-line text as a `|` block."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        """Indent block sequences under their key, as the hand-written files do."""
        super().increase_indent(flow, False)


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_EntryDumper.add_representer(str, _text)


def dump_entry(entry: FaqEntry) -> str:
    """The entry as one YAML list item."""
    return yaml.dump([entry_data(entry)], Dumper=_EntryDumper, allow_unicode=True, sort_keys=False,
                     width=1_000_000, default_flow_style=False)


def _entry_span(kb: Knowledge, entry: FaqEntry, lines: list[str]) -> tuple[int, int]:
    """The 0-based line range of the entry in its file, without the comments and blank lines after it
    (those open the next entry)."""
    starts = sorted(e.line for e in kb.faqs.values() if e.path == entry.path and e.line > entry.line)
    start, end = entry.line - 1, (starts[0] - 1 if starts else len(lines))
    while end > start + 1 and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")):
        end -= 1
    return start, end


def entry_file(knowledge_dir: Path, entry: FaqEntry) -> Path:
    """The file an entry was loaded from (the loader records it relative to the knowledge dir's parent)."""
    return knowledge_dir.resolve().parent / entry.path


def target_file(knowledge_dir: Path, kb: Knowledge, change: Change) -> Path:
    """The file a change is written to: the new entries' file for an addition, else the entry's own file."""
    current = kb.faqs.get(change.entry_id)
    if change.action == "add" or current is None:
        return knowledge_dir / NEW_ENTRIES_FILE
    return entry_file(knowledge_dir, current)


def apply_change(knowledge_dir: Path, kb: Knowledge, change: Change) -> Path:
    """Write the change into the knowledge files `kb` was loaded from; returns the file written."""
    current = kb.faqs.get(change.entry_id)
    if change.action == "add":
        if current is not None:
            raise DraftInvalid([f"FAQ '{change.entry_id}' already exists ({current.path}:{current.line})"])
        assert change.entry is not None
        path = target_file(knowledge_dir, kb, change)
        text = path.read_text(encoding="utf-8") if path.exists() else NEW_ENTRIES_HEADER
        text = (text.rstrip("\n") + "\n\n" if text.strip() else text) + dump_entry(change.entry)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path
    if current is None:
        raise DraftInvalid([f"FAQ '{change.entry_id}' does not exist"])
    path = target_file(knowledge_dir, kb, change)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    start, end = _entry_span(kb, current, lines)
    new = [] if change.action == "retire" else [dump_entry(change.entry)] if change.entry else []
    if change.action == "retire" and end < len(lines) and not lines[end].strip():
        end += 1  # the blank line that separated it from the next entry goes with it
    path.write_text("".join(lines[:start] + new + lines[end:]), encoding="utf-8")
    return path
