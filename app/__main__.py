"""Command line: `python -m app index|serve|check-kb|ingest`."""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import sys
from typing import Any, get_args

from app.knowledge.models import SOURCE_KINDS, LegalStatus
from app.settings import Settings

# exit codes of `index` besides 0 (built, or current) and 1 (knowledge problems): nothing changed in either
INDEX_REFUSED = 3  # the live index is not this build's to replace (other or superseded knowledge): see --force
INDEX_CONFLICT = 4  # another build went live while this one ran: run again to decide on the new index


def _index(settings: Settings, args: argparse.Namespace) -> int:
    from app.index.embedder import load_embedder
    from app.index.pointer import BuildConflict, BuildMode, BuildRefused
    from app.knowledge.loader import KnowledgeError
    from app.service import build_from_settings, index_is_current

    embedder = load_embedder(settings.embedder, settings.embed_threads)
    if args.if_stale and index_is_current(settings, embedder.name):
        print(f"index in {settings.index_dir} is current")
        return 0
    mode: BuildMode = "force" if args.force else "if-stale" if args.if_stale else "forward"
    try:
        manifest = build_from_settings(settings, embedder, mode)
    except KnowledgeError as exc:
        print(f"knowledge base has problems, index not built:\n{exc}", file=sys.stderr)
        return 1
    except BuildRefused as exc:
        print(f"index not built: {exc}", file=sys.stderr)
        return INDEX_REFUSED
    except BuildConflict as exc:
        print(f"index not built: {exc}", file=sys.stderr)
        return INDEX_CONFLICT
    print(f"index generation {manifest['generation']} ({manifest['version']}) built in {settings.index_dir}: "
          f"{manifest['units']} units, {manifest['sentences']} sentences, {manifest['embedded']} texts embedded "
          f"(the rest reused), embedder {manifest['embedder']}")
    return 0


def _check_kb(settings: Settings, args: argparse.Namespace) -> int:
    from app.knowledge.checks import check_knowledge, entries_due
    from app.knowledge.loader import KnowledgeError, load_knowledge

    try:
        kb = load_knowledge(settings.knowledge_dir)
    except KnowledgeError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"{len(exc.problems)} problem(s) found", file=sys.stderr)
        return 1
    if args.due:
        due = entries_due(kb)
        for entry in due:
            print(f"{entry.path}:{entry.line}: {entry.id}: review by {entry.review_by or '(no date)'}")
        print(f"{len(due)} entr{'y' if len(due) == 1 else 'ies'} due for review")
        return 0
    report = check_knowledge(kb)
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    for problem in report.problems:
        print(problem, file=sys.stderr)
    if report.problems:
        print(f"{len(report.problems)} problem(s) found", file=sys.stderr)
        return 1
    english = sum(1 for e in kb.faqs.values() if e.en)
    print(f"knowledge OK: {len(kb.articles)} articles, {len(kb.faqs)} FAQ entries ({english} with English), "
          f"{len(kb.sources)} sources, {len(kb.synonyms)} synonyms, {len(kb.provinces)} provinces, "
          f"{len(kb.areas)} area(s) with offices; {len(report.warnings)} warning(s)")
    return 0


def _ingest(settings: Settings, args: argparse.Namespace) -> int:
    from pathlib import Path

    from app.ingest.document import IngestError
    from app.ingest.pipeline import IngestOptions, ingest_file

    if args.id and len(args.paths) > 1:
        print("--id names one article: pass one file with it", file=sys.stderr)
        return 2
    options = IngestOptions(publisher=args.publisher, published=args.published, url=args.url, kind=args.kind,
                            status=args.status, source=args.source, topics=tuple(args.topic), article_id=args.id)
    failed = 0
    for name in args.paths:
        try:
            report = ingest_file(Path(name), settings.knowledge_dir, options)
        except IngestError as exc:
            print(f"not ingested: {exc}", file=sys.stderr)
            failed += 1
            continue
        print(f"{report.outcome}: {report.written} ({report.article.layout}, {report.passages} passages) "
              f"from {name}")
        for note in report.notes:
            print(f"  {note}")
        for item in report.missing:
            print(f"  missing: {item} (neither stated in the file nor given): left empty", file=sys.stderr)
    if failed < len(args.paths):
        print("run `python -m app check-kb`, then `python -m app index`")
    return 1 if failed else 0


def _serve(settings: Settings, _: argparse.Namespace) -> int:
    import uvicorn

    from app.main import create_app
    from app.observability import configure_logging

    configure_logging(settings.log_json)
    # uvicorn's own access log would print query strings, which may carry personal data
    # proxy_headers off: uvicorn would otherwise let any loopback peer's X-Forwarded-For replace the client
    # address before TRUSTED_PROXIES is consulted (the app reads that header itself, from trusted proxies)
    options: dict[str, Any] = {"host": settings.host, "port": settings.port, "log_config": None,
                               "access_log": False, "proxy_headers": False, "timeout_keep_alive": 5}
    if settings.workers > 1:
        from app.workers import serve_workers

        return serve_workers(settings.workers, options, settings.log_json, settings.storage_drain_seconds + 30)
    from app.workers import limit_malloc_arenas

    limit_malloc_arenas()
    uvicorn.run(create_app(settings), **options)
    return 0


def _purge(settings: Settings, args: argparse.Namespace) -> int:
    from app.handoff.tickets import purge_handoff
    from app.helpdesk.retention import purge_helpdesk
    from app.storage import Store

    days = args.days if args.days is not None else settings.retention_days
    store = Store.open(settings.storage_url())
    try:
        counts = store.purge_older_than(days)
        # hand-off tickets go with the conversations; their contacts also once HANDOFF_CONTACT_DAYS have passed
        counts.update(purge_handoff(store, days))
        # the desk's notes and resolved flags; its counts stay for the team's reports
        counts.update(purge_helpdesk(store, days))
        # on SQLite, the text the last two deleted leaves the write-ahead log too
        store.checkpoint()
    finally:
        store.close()
    print(f"purged records older than {days} days: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return 0


def _eval(settings: Settings, args: argparse.Namespace) -> int:
    from pathlib import Path

    from app.answer.questions import load_questions
    from app.evaluate import evaluate, fmt, format_table, refit, write_report
    from app.service import Assistant

    assistant = Assistant(settings)
    if not assistant.ready:
        print(assistant.load_error, file=sys.stderr)
        return 1
    questions = load_questions(Path(args.questions))
    if args.refit:
        result = refit(assistant, questions)
        print("dev out of fold: " + ", ".join(f"{k} {v}" for k, v in result["dev_out_of_fold"].items()))
        print("held out: " + ", ".join(f"{k} {fmt(v)}" for k, v in result["test"].items())
              + f" (answer threshold {result['answer_threshold']:.3f})")
        write_report(result, Path(args.output))
        print(f"written to {args.output}")
        return 0
    splits = ("dev", "test") if args.split == "all" else (args.split,)
    reports = {}
    for split in splits:
        reports[split] = evaluate(assistant, [q for q in questions if q.split == split])
        label = {"dev": "dev split (the answerability model is fitted on it)", "test": "test split (held out)"}[split]
        print(f"\n{label}\n{format_table(reports[split])}")
    model = assistant.composer.answerability if assistant.composer else None
    if model is not None and "out_of_fold" in model.fitted:
        # the dev figures above come from a model fitted on those questions; these do not
        reports["dev_out_of_fold"] = model.fitted["out_of_fold"]
        print("\ndev split, out of fold (each question decided by a model fitted without it): "
              + ", ".join(f"{k} {v}" for k, v in model.fitted["out_of_fold"].items()))
    write_report(reports, Path(args.output))
    print(f"written to {args.output}")
    return 0


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text}") from exc


def main(argv: list[str] | None = None) -> int:
    """Run one command."""
    parser = argparse.ArgumentParser(prog="python -m app", description="Digital public services assistant.")
    sub = parser.add_subparsers(dest="command", required=True)
    p_index = sub.add_parser("index", help="build the search index from knowledge/ into index/")
    p_index.add_argument("--if-stale", action="store_true",
                         help="only build when there is no index or it is this knowledge's and does not load; "
                              f"never replace other knowledge (exit {INDEX_REFUSED}, nothing changed)")
    p_index.add_argument("--force", action="store_true",
                         help="replace whatever is live, even knowledge a later generation replaced "
                              "(a deliberate rollback); still a new, higher generation")
    sub.add_parser("serve", help="serve the HTTP API (HOST and PORT settings)")
    p_check = sub.add_parser("check-kb", help="validate knowledge/ and report problems with file and line")
    p_check.add_argument("--due", action="store_true", help="list entries past their review_by date")
    p_ingest = sub.add_parser("ingest", help="turn HTML, PDF, DOCX, Markdown or text files into articles in "
                                         "KNOWLEDGE_DIR/articles (what the file states is read from it)")
    p_ingest.add_argument("paths", nargs="+", metavar="PATH")
    p_ingest.add_argument("--publisher", help="issuing body or site, when the file does not state it")
    p_ingest.add_argument("--published", type=_date, help="publication date YYYY-MM-DD, when the file does not "
                          "state it")
    p_ingest.add_argument("--url", help="where the document is published")
    p_ingest.add_argument("--kind", choices=sorted(get_args(SOURCE_KINDS)),
                          help="kind of document (read from a legal document's header otherwise)")
    p_ingest.add_argument("--status", choices=sorted(get_args(LegalStatus)), help="legal status")
    p_ingest.add_argument("--source", help="id of the sources entry for this document (its status is cited)")
    p_ingest.add_argument("--topic", action="append", default=[], help="topic (repeatable)")
    p_ingest.add_argument("--id", help="article id (default: from the file name)")
    p_purge = sub.add_parser("purge", help="delete stored records older than RETENTION_DAYS")
    p_purge.add_argument("--days", type=int, default=None, help="override RETENTION_DAYS")
    p_eval = sub.add_parser("eval", help="measure retrieval and answer quality on a question set")
    p_eval.add_argument("--questions", default="tests/data/questions")
    p_eval.add_argument("--split", default="all", choices=["all", "dev", "test"])
    p_eval.add_argument("--output", default="eval-results/latest.json")
    p_eval.add_argument("--refit", action="store_true",
                        help="fit the answerability model on the dev split with this code's signals over the live "
                             "index (no rebuild) and print its out-of-fold and held-out figures: a quick measure "
                             "of a change to the signals")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    handlers = {"index": _index, "serve": _serve, "check-kb": _check_kb, "eval": _eval, "purge": _purge,
                "ingest": _ingest}
    return handlers[args.command](Settings(), args)


if __name__ == "__main__":
    sys.exit(main())
