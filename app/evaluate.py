"""Answer quality on the question set: right, wrong and refused answers per slice, retrieval recall,
and how well `confidence` is calibrated."""

from __future__ import annotations

import copy
import json
import statistics
import time
from pathlib import Path
from typing import Any

from app.answer.answerability import calibration, fit_answerability
from app.answer.composer import Answer
from app.answer.questions import COVERED_SLICES, OFFTOPIC, PARTIAL, UNCOVERED, EvalQuestion, collect_examples
from app.service import Assistant

SLICES = (*COVERED_SLICES, PARTIAL, UNCOVERED, OFFTOPIC)


def ranked_ids(assistant: Assistant, question: str, session_token: str | None = None, k: int = 10) -> list[str]:
    """Distinct FAQ and article ids in the order the assistant ranks them (retrieval, then the answerability
    model), in the session's context."""
    composer = assistant.composer
    assert composer is not None, assistant.load_error
    context = assistant.context_for(question, session_token)
    found = composer.retrieve(question, context, k=k * 3)
    assessment = composer.assess(found)
    out: list[str] = []
    for hit in assessment.ranked if assessment else found.hits:
        if hit.unit.ref not in out:
            out.append(hit.unit.ref)
    return out[:k]


def judge(item: EvalQuestion, status: str, matched: str | None) -> str:
    """right, wrong or refused: what the resident got, against what the question set expects.

    Wrong: an answer or a partial answer with an entry that is not expected, an answer where none is
    expected, or a full answer to a question the entry only covers in part.
    """
    if status == "no_answer":
        return "refused"
    if not item.expect or matched not in item.expect:
        return "wrong"
    if item.slice == PARTIAL:
        return "right" if status == "partial" else "wrong"
    return "right" if status == "answered" else "partial"


def suggests_expected(assistant: Assistant, item: EvalQuestion, answer: Answer) -> bool:
    """An answer that is not the expected entry suggests it: an expected entry's question (in either
    language) is among the suggestions the resident can tap."""
    composer = assistant.composer
    if composer is None or not answer.suggestions:
        return False
    asked = set()
    for ref in item.expect:
        entry = composer.knowledge.faqs.get(ref)
        if entry is not None:
            asked |= {entry.question, entry.en.question if entry.en else entry.question}
    return any(text in asked for text in answer.suggestions)


def evaluate(assistant: Assistant, questions: list[EvalQuestion]) -> dict[str, Any]:
    """Run every question through the service as a new resident would, and aggregate the metrics."""
    per_slice: dict[str, list[dict[str, Any]]] = {}
    latencies: list[float] = []
    pairs: list[tuple[float, bool]] = []
    misses: list[dict[str, Any]] = []
    for item in questions:
        session = assistant.session_tokens.new()
        if item.prev:
            assistant.chat(item.prev, session)
        ranking = ranked_ids(assistant, item.q, session)
        start = time.perf_counter()
        result = assistant.chat(item.q, session)
        latencies.append(time.perf_counter() - start)
        answer = result.answer
        verdict = judge(item, answer.status, answer.matched_id)
        rank = next((i + 1 for i, ref in enumerate(ranking) if ref in item.expect), None)
        per_slice.setdefault(item.slice, []).append({"verdict": verdict, "rank": rank,
                                                     "suggested": suggests_expected(assistant, item, answer)})
        pairs.append((answer.confidence, item.covered and bool(ranking) and ranking[0] in item.expect))
        if verdict != "right" and not (verdict == "refused" and not item.covered and item.slice != PARTIAL):
            misses.append({"q": item.q, "slice": item.slice, "expect": list(item.expect), "status": answer.status,
                           "got": answer.matched_id, "rank": rank, "top": ranking[:3],
                           "confidence": answer.confidence})
    rows: dict[str, dict[str, Any]] = {}
    for name in SLICES:
        results = per_slice.get(name)
        if not results:
            continue
        n = len(results)
        row: dict[str, Any] = {"n": n}
        for verdict in ("right", "wrong", "refused", "partial"):
            row[verdict] = sum(r["verdict"] == verdict for r in results) / n
        if name in COVERED_SLICES or name == PARTIAL:
            ranks = [r["rank"] for r in results]
            row["recall@1"] = sum(r == 1 for r in ranks) / n
            row["recall@5"] = sum(r is not None and r <= 5 for r in ranks) / n
            row["mrr@10"] = sum(1 / r for r in ranks if r is not None and r <= 10) / n
        rows[name] = row
    everything = [r for results in per_slice.values() for r in results]
    covered = [r for name in COVERED_SLICES for r in per_slice.get(name, [])]
    return {
        "slices": rows,
        "answered_wrong": sum(r["verdict"] == "wrong" for r in everything) / len(everything) if everything else None,
        "covered_right": sum(r["verdict"] == "right" for r in covered) / len(covered) if covered else None,
        "covered_refused": sum(r["verdict"] == "refused" for r in covered) / len(covered) if covered else None,
        # a covered question not answered still reaches its entry in one tap when the entry is suggested
        "covered_suggested": suggested_share(covered),
        "offtopic_refused": rows.get(OFFTOPIC, {}).get("refused"),
        "calibration": calibration(pairs),
        "median_latency_ms": statistics.median(latencies) * 1000 if latencies else None,
        "misses": misses,
    }


def suggested_share(covered: list[dict[str, Any]]) -> float | None:
    """Of the covered questions not answered right, the share whose entry is among the suggestions; none
    when every covered question was answered right."""
    missed = [r for r in covered if r["verdict"] != "right"]
    return sum(r["suggested"] for r in missed) / len(missed) if missed else None


def refit(assistant: Assistant, questions: list[EvalQuestion]) -> dict[str, Any]:
    """Fit the answerability model on the dev questions with this code's signals over the live index, and
    decide the held-out questions with it (a follow-up read with its previous question when elliptical, as
    the index build reads them; no sessions, no storage).

    A change to the signals is measured in about a minute, without rebuilding the index; `make eval` then
    measures the built service end to end.
    """
    composer = assistant.composer
    assert composer is not None, assistant.load_error
    bare = copy.copy(composer)
    bare.answerability = None
    model = fit_answerability(collect_examples(bare, [q for q in questions if q.split == "dev"]))
    decider = copy.copy(composer)
    decider.answerability = model
    held_out = [q for q in questions if q.split == "test"]
    verdicts: list[tuple[EvalQuestion, str]] = []
    pairs: list[tuple[float, bool]] = []
    for item in held_out:
        found = decider.retrieve(item.q, decider.followup_context(item.q, item.prev))
        assessment = decider.assess(found)
        answer = decider.answer_retrieved(found, assessment)
        verdicts.append((item, judge(item, answer.status, answer.matched_id)))
        top = assessment.ranked[0].unit.ref if assessment else None
        pairs.append((answer.confidence, item.covered and top in item.expect))

    def share(verdict: str, among: list[tuple[EvalQuestion, str]]) -> float | None:
        return sum(v == verdict for _, v in among) / len(among) if among else None

    return {
        "dev_out_of_fold": model.fitted["out_of_fold"],
        "answer_threshold": model.answer_threshold,
        "test": {
            "answered_wrong": share("wrong", verdicts),
            "uncovered_wrong": share("wrong", [(q, v) for q, v in verdicts if q.slice == UNCOVERED]),
            "covered_right": share("right", [(q, v) for q, v in verdicts if q.covered]),
            "offtopic_refused": share("refused", [(q, v) for q, v in verdicts if q.slice == OFFTOPIC]),
            "ece": calibration(pairs)["ece"],
        },
    }


def fmt(x: float | None) -> str:
    """A figure with three decimals, or n/a."""
    return "n/a" if x is None else f"{x:.3f}"


def format_table(report: dict[str, Any]) -> str:
    """The report as plain-text tables."""
    lines = [f"{'slice':<15}{'n':>5}{'right':>8}{'wrong':>8}{'partial':>9}{'refused':>9}{'R@1':>8}{'R@5':>8}"]
    for name, row in report["slices"].items():
        lines.append(f"{name:<15}{row['n']:>5}{row['right']:>8.3f}{row['wrong']:>8.3f}{row['partial']:>9.3f}"
                     f"{row['refused']:>9.3f}{fmt(row.get('recall@1')):>8}{fmt(row.get('recall@5')):>8}")
    lines.append(f"answered wrong (all questions): {fmt(report['answered_wrong'])}")
    lines.append(f"covered questions answered with the expected entry: {fmt(report['covered_right'])} "
                 f"(refused {fmt(report['covered_refused'])})")
    lines.append(f"covered questions not answered right whose entry is among the suggestions: "
                 f"{fmt(report['covered_suggested'])}")
    lines.append(f"off-topic refused: {fmt(report['offtopic_refused'])}")
    cal = report["calibration"]
    lines.append(f"calibration of confidence: ECE {fmt(cal['ece'])}")
    lines.append("  bin        n   confidence  right")
    for row in cal["table"]:
        lines.append(f"  {row['bin']:<9}{row['n']:>4}{row['confidence']:>13.3f}{row['right']:>7.3f}")
    lines.append(f"median latency: {fmt(report['median_latency_ms'])} ms")
    return "\n".join(lines)


def write_report(report: dict[str, Any], path: Path) -> None:
    """Save the report as JSON so two runs can be compared."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
