"""Retrieval and answer quality on a question set: Recall@k, MRR, abstention, latency, per slice."""

from __future__ import annotations

import json
import statistics
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from app.service import Assistant

SLICES = ("accented", "no_diacritics", "abbrev_typo", "english", "followup")


@dataclass(frozen=True)
class EvalQuestion:
    """One question of the evaluation set."""

    q: str
    expect: tuple[str, ...]
    slice: str
    prev: str | None = None
    split: str = "dev"


def load_questions(path: Path) -> list[EvalQuestion]:
    """Read a question set (YAML list of {q, expect, slice, prev?, split?})."""
    items = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    return [EvalQuestion(q=str(i["q"]), expect=tuple(i.get("expect") or ()), slice=str(i["slice"]),
                         prev=i.get("prev"), split=str(i.get("split", "dev"))) for i in items]


def ranked_ids(assistant: Assistant, question: str, session_id: str | None = None, k: int = 10) -> list[str]:
    """Distinct FAQ and article ids in the order retrieval ranks them (in the session's context)."""
    composer = assistant.composer
    assert composer is not None, assistant.load_error
    context = assistant.context_for(question, session_id)
    out: list[str] = []
    for hit in composer.retrieve(question, context, k=k * 3).hits:
        if hit.unit.ref not in out:
            out.append(hit.unit.ref)
    return out[:k]


def evaluate(assistant: Assistant, questions: list[EvalQuestion]) -> dict[str, Any]:
    """Run every question through retrieval and the answer composer, and aggregate the metrics."""
    per_slice: dict[str, list[tuple[int | None, bool]]] = {s: [] for s in SLICES}
    offtopic: list[bool] = []
    latencies: list[float] = []
    misses: list[dict[str, Any]] = []
    for item in questions:
        session = uuid.uuid4().hex
        if item.prev:
            assistant.chat(item.prev, session)
        ranking = ranked_ids(assistant, item.q, session)
        start = time.perf_counter()
        result = assistant.chat(item.q, session)
        latencies.append(time.perf_counter() - start)
        refused = result.answer.status == "no_answer"
        if not item.expect:
            offtopic.append(refused)
            if not refused:
                misses.append({"q": item.q, "slice": "offtopic", "answered_with": result.answer.matched_id})
            continue
        rank = next((i + 1 for i, ref in enumerate(ranking) if ref in item.expect), None)
        per_slice.setdefault(item.slice, []).append((rank, refused))
        if rank != 1 or refused:
            misses.append({"q": item.q, "slice": item.slice, "expect": list(item.expect), "rank": rank,
                           "top": ranking[:3], "refused": refused})
    rows = {}
    for name, results in per_slice.items():
        if not results:
            continue
        ranks = [r for r, _ in results]
        rows[name] = {
            "n": len(results),
            "recall@1": sum(1 for r in ranks if r == 1) / len(ranks),
            "recall@5": sum(1 for r in ranks if r is not None and r <= 5) / len(ranks),
            "mrr@10": sum(1 / r for r in ranks if r is not None and r <= 10) / len(ranks),
            "refused": sum(1 for _, refused in results if refused) / len(results),
        }
    in_domain = [refused for results in per_slice.values() for _, refused in results]
    refused_total = sum(offtopic) + sum(in_domain)
    return {
        "slices": rows,
        "offtopic": {
            "n": len(offtopic),
            "abstention_recall": sum(offtopic) / len(offtopic) if offtopic else None,
            "abstention_precision": sum(offtopic) / refused_total if refused_total else None,
        },
        "in_domain_wrongly_refused": sum(in_domain) / len(in_domain) if in_domain else None,
        "median_latency_ms": statistics.median(latencies) * 1000 if latencies else None,
        "misses": misses,
    }


def format_table(report: dict[str, Any]) -> str:
    """The report as one plain-text table."""
    lines = [f"{'slice':<16}{'n':>5}{'R@1':>8}{'R@5':>8}{'MRR@10':>9}{'refused':>9}"]
    for name, row in report["slices"].items():
        lines.append(f"{name:<16}{row['n']:>5}{row['recall@1']:>8.3f}{row['recall@5']:>8.3f}"
                     f"{row['mrr@10']:>9.3f}{row['refused']:>9.3f}")
    off = report["offtopic"]

    def fmt(x: float | None) -> str:
        return "n/a" if x is None else f"{x:.3f}"

    lines.append(f"off-topic (n={off['n']}): abstention recall {fmt(off['abstention_recall'])}, "
                 f"precision {fmt(off['abstention_precision'])}")
    lines.append(f"in-domain wrongly refused: {fmt(report['in_domain_wrongly_refused'])}")
    lines.append(f"median latency: {fmt(report['median_latency_ms'])} ms")
    return "\n".join(lines)


def write_report(report: dict[str, Any], path: Path) -> None:
    """Save the report as JSON so two runs can be compared."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
