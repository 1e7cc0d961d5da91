"""The benchmark table: typed rows, plain-text formatting, and JSON that round-trips."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

# fixed decimals for dimensionless figures; times and rates get decimals by magnitude
FIXED_DECIMALS = {"ratio": 2, "recall": 3, "mrr": 3}
HEADERS = ("section", "measure", "value", "note")


@dataclass(frozen=True)
class Row:
    """One figure of the table: one or more values sharing a unit (e.g. p50 / p95 / p99 in ms)."""

    section: str
    measure: str
    values: tuple[float | None, ...]
    unit: str
    note: str = ""


def format_number(value: float | None, unit: str) -> str:
    """A value with as many decimals as its unit and magnitude deserve."""
    if value is None:
        return "n/a"
    if unit in FIXED_DECIMALS:
        return f"{value:.{FIXED_DECIMALS[unit]}f}"
    size = abs(value)
    decimals = 0 if size >= 100 else 1 if size >= 10 else 2
    return f"{value:,.{decimals}f}"


def format_value(row: Row) -> str:
    """The values of a row joined by ' / ', followed by the unit when it is a physical one."""
    text = " / ".join(format_number(v, row.unit) for v in row.values)
    return f"{text} {row.unit}" if row.unit not in FIXED_DECIMALS and row.unit else text


def format_table(rows: list[Row], title: str) -> str:
    """The rows as one aligned plain-text table under a title line."""
    cells = [HEADERS] + [(r.section, r.measure, format_value(r), r.note) for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(3)]
    lines = [title]
    for n, cell in enumerate(cells):
        lines.append("  ".join([cell[0].ljust(widths[0]), cell[1].ljust(widths[1]),
                                cell[2].rjust(widths[2]), cell[3]]).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in [*widths, len(HEADERS[3])]))
    return "\n".join(lines)


def to_json(title: str, rows: list[Row], meta: dict[str, Any], raw: dict[str, Any]) -> dict[str, Any]:
    """The whole run as a JSON-ready dict: title, machine and run facts, table rows, raw figures."""
    return {"title": title, "meta": meta, "rows": [asdict(r) for r in rows], "raw": raw}


def rows_from_json(data: dict[str, Any]) -> list[Row]:
    """The table rows of a saved run."""
    return [Row(r["section"], r["measure"], tuple(r["values"]), r["unit"], r.get("note", "")) for r in data["rows"]]


def write_json(data: dict[str, Any], path: Path) -> None:
    """Save a run, so two runs can be compared."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
