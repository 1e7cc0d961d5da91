"""Command line: `python -m app index|serve|check-kb`."""

from __future__ import annotations

import argparse
import logging
import sys

from app.settings import Settings


def _index(settings: Settings, args: argparse.Namespace) -> int:
    from app.index.embedder import load_embedder
    from app.index.store import build_index
    from app.knowledge.loader import KnowledgeError, load_knowledge
    from app.service import index_is_current

    try:
        knowledge = load_knowledge(settings.knowledge_dir)
    except KnowledgeError as exc:
        print(f"knowledge base has problems, index not built:\n{exc}", file=sys.stderr)
        return 1
    embedder = load_embedder(settings.embedder, settings.embed_threads)
    if args.if_stale and index_is_current(settings, embedder.name):
        print(f"index in {settings.index_dir} is current")
        return 0
    manifest = build_index(knowledge, embedder, settings.index_dir)
    print(f"index {manifest['version']} built in {settings.index_dir}: {manifest['units']} units, "
          f"{manifest['sentences']} sentences, {manifest['embedded']} texts embedded "
          f"(the rest reused), embedder {manifest['embedder']}")
    return 0


def _check_kb(settings: Settings, _: argparse.Namespace) -> int:
    from app.knowledge.loader import KnowledgeError, load_knowledge

    try:
        kb = load_knowledge(settings.knowledge_dir)
    except KnowledgeError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"{len(exc.problems)} problem(s) found", file=sys.stderr)
        return 1
    english = sum(1 for e in kb.faqs.values() if e.en)
    print(f"knowledge OK: {len(kb.articles)} articles, {len(kb.faqs)} FAQ entries ({english} with English), "
          f"{len(kb.sources)} sources, {len(kb.synonyms)} synonyms")
    return 0


def _serve(settings: Settings, _: argparse.Namespace) -> int:
    import uvicorn

    from app.main import create_app

    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info")
    return 0


def _eval(settings: Settings, args: argparse.Namespace) -> int:
    from pathlib import Path

    from app.evaluate import evaluate, format_table, load_questions, write_report
    from app.service import Assistant

    assistant = Assistant(settings)
    if not assistant.ready:
        print(assistant.load_error, file=sys.stderr)
        return 1
    questions = load_questions(Path(args.questions))
    splits = ("dev", "test") if args.split == "all" else (args.split,)
    reports = {}
    for split in splits:
        reports[split] = evaluate(assistant, [q for q in questions if q.split == split])
        label = {"dev": "dev split (thresholds tuned on it)", "test": "test split (held out)"}[split]
        print(f"\n{label}\n{format_table(reports[split])}")
    write_report(reports, Path(args.output))
    print(f"written to {args.output}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run one command."""
    parser = argparse.ArgumentParser(prog="python -m app", description="Digital public services assistant.")
    sub = parser.add_subparsers(dest="command", required=True)
    p_index = sub.add_parser("index", help="build the search index from knowledge/ into index/")
    p_index.add_argument("--if-stale", action="store_true", help="only build when missing or out of date")
    sub.add_parser("serve", help="serve the HTTP API (HOST and PORT settings)")
    sub.add_parser("check-kb", help="validate knowledge/ and report problems with file and line")
    p_eval = sub.add_parser("eval", help="measure retrieval and answer quality on a question set")
    p_eval.add_argument("--questions", default="tests/data/questions.yaml")
    p_eval.add_argument("--split", default="all", choices=["all", "dev", "test"])
    p_eval.add_argument("--output", default="eval-results/latest.json")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    handlers = {"index": _index, "serve": _serve, "check-kb": _check_kb, "eval": _eval}
    return handlers[args.command](Settings(), args)


if __name__ == "__main__":
    sys.exit(main())
