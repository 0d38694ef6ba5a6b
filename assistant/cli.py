"""The `sro-assistant` command: a thin layer that parses input, calls the library, prints."""

from __future__ import annotations

import argparse
import errno
import json
import sys
from pathlib import Path

from assistant.settings import Settings

AUDIENCES = ["teacher", "parent", "administrator"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sro-assistant",
        description="Answers about school resource officers in Massachusetts, each statement cited.")
    parser.add_argument("--data-dir", type=Path, help="data folder (index, manifest); env SRO_DATA_DIR")
    sub = parser.add_subparsers(dest="command", required=True)

    ingest = sub.add_parser("ingest", help="build or update the index from the official texts, the guide and your files")
    ingest.add_argument("paths", nargs="*", type=Path, help="extra files to index (PDF, HTML, Markdown, text)")
    ingest.add_argument("--source-id", help="id for the extra file (default: user:<file name>)")
    ingest.add_argument("--title", help="title for the extra file")
    ingest.add_argument("--mirror", type=Path, help="offline mirror of official texts; env SRO_CORPUS_MIRROR")
    ingest.add_argument("--quiet", action="store_true", help="no progress bar")
    ingest.add_argument("--rebuild", action="store_true",
                        help="embed everything again into a new index (stored vectors and caches are not reused; "
                             "documents added earlier are kept); the old index answers until the new one is ready")

    corpus = sub.add_parser("corpus", help="official documents: fetch, list")
    corpus_sub = corpus.add_subparsers(dest="corpus_command", required=True)
    fetch = corpus_sub.add_parser("fetch", help="download the official documents (or import a mirror with --from)")
    fetch.add_argument("--from", dest="from_dir", type=Path, help="import this offline mirror instead of downloading")
    fetch.add_argument("--only", nargs="*", help="registry ids to fetch (default: all)")
    corpus_sub.add_parser("list", help="the registry of official documents")

    ask = sub.add_parser("ask", help="ask a question")
    ask.add_argument("question", nargs="?", help="the question")
    ask.add_argument("--audience", choices=AUDIENCES, help="who is asking")
    ask.add_argument("--json", action="store_true", help="print the JSON answer")
    ask.add_argument("--full", action="store_true", help="also print the detail the page keeps behind 'More'")
    ask.add_argument("--jsonl", type=Path, help="batch: one {id, question, audience?, history?} per line")

    ev = sub.add_parser("eval", help="run the golden set and compare with the baseline")
    ev.add_argument("--set", dest="golden", type=Path, help="golden set (JSONL); default evals/golden.jsonl")
    ev.add_argument("--out", type=Path, help="report folder; default evals/reports/latest")
    ev.add_argument("--baseline", type=Path, help="baseline JSON; default evals/baseline.json")
    ev.add_argument("--compare-vanilla", action="store_true", help="also run a plain LangChain pipeline")
    ev.add_argument("--write-baseline", action="store_true", help="save this run as the new baseline")
    ev.add_argument("--no-targets", action="store_true",
                    help="gate on the baseline only, not on the golden set's absolute targets (small test sets)")
    ev.add_argument("--report-only", action="store_true",
                    help="write the reports without the regression gate (e.g. the holdout set)")
    ev.add_argument("--export", type=Path, help="also write RAGAS and promptfoo files to this folder")
    ev.add_argument("--agreements", action="store_true",
                    help="score the agreement review on the labelled agreements in evals/agreements/ instead")

    review = sub.add_parser("review-mou", help="check a district's SRO agreement against the checklist")
    review.add_argument("file", type=Path, help="the agreement (PDF or text); read for this review only, never indexed")
    review.add_argument("--json", action="store_true", help="print the review as JSON")
    review.add_argument("--md", type=Path, help="also write the review as Markdown to this file")

    serve = sub.add_parser("serve", help="start the chat app")
    serve.add_argument("--host", help="listen address; env SRO_HOST")
    serve.add_argument("--port", type=int, help="port; env SRO_PORT")
    return parser


def settings_from(args) -> Settings:
    overrides = {}
    if getattr(args, "data_dir", None):
        overrides["data_dir"] = args.data_dir
    if getattr(args, "mirror", None):
        overrides["corpus_mirror"] = args.mirror
    if getattr(args, "host", None):
        overrides["host"] = args.host
    if getattr(args, "port", None):
        overrides["port"] = args.port
    return Settings(**overrides)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = settings_from(args)
    handler = {"ingest": cmd_ingest, "corpus": cmd_corpus, "ask": cmd_ask, "eval": cmd_eval,
               "review-mou": cmd_review, "serve": cmd_serve}[args.command]
    try:
        return handler(args, settings)
    except KeyboardInterrupt:
        return 130


def disk_full(exc: BaseException) -> bool:
    """Whether `exc` says the disk is full: ENOSPC/EDQUOT from Python, or SQLite's (Chroma's) own words,
    also as the cause of another error (Chroma's clean-up can fail in turn and hide it)."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if "database or disk is full" in str(exc) or "No space left on device" in str(exc):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def cmd_ingest(args, settings: Settings) -> int:
    from ingest.indexer import UserFile, build_index, official_id

    if (args.source_id or args.title) and len(args.paths) != 1:
        print("error: --source-id and --title name one file; give exactly one path", file=sys.stderr)
        return 2
    if args.source_id and official_id(settings, args.source_id):
        # The text would be cited under the official source's name (red team S10).
        print(f"error: --source-id {args.source_id} is the id of an official source; choose another id "
              "(default: user:<file name>)", file=sys.stderr)
        return 2
    files = [UserFile(p, args.source_id, args.title) for p in args.paths]
    try:
        report = build_index(settings, files, progress=not args.quiet, rebuild=args.rebuild,
                             on_wait=lambda why: print(f"{why}; waiting for it to finish...", file=sys.stderr,
                                                       flush=True))
    except Exception as exc:
        if not disk_full(exc):
            raise
        # The previous index (if any) is still the one the manifest names (red team D12).
        print(f"error: no space left on the disk holding {settings.data_dir}; free some space and run "
              "`sro-assistant ingest` again", file=sys.stderr)
        return 1
    for error in report.errors:
        print(f"error: {error}", file=sys.stderr)
    if not report.collection:
        print("index unchanged", file=sys.stderr)
        return 1
    verb = "updated" if report.changed else "unchanged"
    print(f"index {verb}: {report.total} chunks from {report.documents} documents "
          f"({report.added} added, {report.kept} kept, {report.removed} removed) in {report.seconds:.1f} s")
    # A file the user named that could not be read is a failure; other errors were already printed.
    named_failed = any(str(f.path) in error for f in files for error in report.errors)
    return 1 if named_failed else 0


def cmd_corpus(args, settings: Settings) -> int:
    from assistant.registry import load_registry
    from ingest.fetch import FetchError, fetch_all, import_mirror

    registry = load_registry(settings.registry_path)
    if args.corpus_command == "list":
        for s in registry:
            print(f"{s.id:32} {s.kind:12} {s.as_of:10} {s.citation}")
        return 0
    try:
        if args.from_dir:
            report = import_mirror(settings, registry, args.from_dir)
        else:
            report = fetch_all(settings, registry, only=args.only)
    except FetchError as exc:
        print(f"error: {exc}; nothing was changed", file=sys.stderr)
        return 2
    for source_id, why in report.failed.items():
        print(f"error: {source_id}: {why}", file=sys.stderr)
    print(f"stored {len(report.stored)} documents in {settings.fetched_dir}; "
          f"{len(report.failed)} failed; run `sro-assistant ingest` to index them")
    return 1 if report.failed else 0


def cmd_ask(args, settings: Settings) -> int:
    from assistant.engine import Assistant

    if not args.question and not args.jsonl:
        print("error: give a question, or --jsonl FILE", file=sys.stderr)
        return 2
    from assistant.answer import without_surrogates
    from assistant.store import StoreUnreadable

    lines = None
    if args.jsonl:  # read before the model loads: a wrong path is a one-line error at once (Q26)
        try:
            lines = args.jsonl.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            why = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
            print(f"error: {args.jsonl}: {why}", file=sys.stderr)
            return 2
    try:
        assistant = Assistant.load(settings)
    except StoreUnreadable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if lines is not None:
        for number, line in enumerate(lines, 1):
            if line.strip():
                print(json.dumps(without_surrogates(answer_line(assistant, number, line)), ensure_ascii=False))
        return 0
    answer = assistant.ask(args.question, audience=args.audience)
    if args.json:
        print(json.dumps(answer.to_json(), ensure_ascii=False, indent=2))
    else:
        print(without_surrogates(answer.markdown))
        if args.full and answer.more:
            print(f"\n{without_surrogates(answer.more)}")
    return 0


def answer_line(assistant, number: int, line: str) -> dict:
    """One batch line's answer, or an error object naming the line: a bad line never ends the batch."""
    try:
        item = json.loads(line)
    except (ValueError, RecursionError):
        item = None
    if not isinstance(item, dict) or "question" not in item:
        return {"id": None, "line": number, "error": "not a JSON object with a question"}
    problem = None
    if not isinstance(item["question"], str):
        problem = "question must be a string"
    elif item.get("audience") is not None and item.get("audience") not in AUDIENCES:
        problem = f"audience must be one of {', '.join(AUDIENCES)}"
    elif item.get("history") is not None and not isinstance(item["history"], list):
        problem = "history must be a list of {role, content} turns"
    ident = item.get("id") if isinstance(item.get("id"), (str, int)) else None
    if problem:
        return {"id": ident, "line": number, "error": problem}
    try:
        return assistant.ask(item["question"], audience=item.get("audience"),
                             history=item.get("history")).to_json(id=ident)
    except Exception as exc:  # noqa: BLE001 - one line's failure is reported on that line
        return {"id": ident, "line": number, "error": f"could not answer ({type(exc).__name__})"}


def cmd_review(args, settings: Settings) -> int:
    from assistant.agreement_review import NotAnAgreement
    from assistant.agreement_stance import StanceModelError
    from assistant.engine import Assistant
    from assistant.review_report import VERDICT_LABEL, to_json, to_markdown
    from ingest.documents import LoadError

    assistant = Assistant.load(settings)
    try:
        review = assistant.review_agreement(args.file)
    except (LoadError, NotAnAgreement, StanceModelError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.md:
        args.md.write_text(to_markdown(review), encoding="utf-8")
    if args.json:
        print(json.dumps(to_json(review), ensure_ascii=False, indent=2))
        return 0
    for f in review.findings:
        where = f" (p. {f.passages[0].page})" if f.passages else ""
        print(f"{VERDICT_LABEL[f.verdict]:9}  {f.element.name}{where}")
    print(f"{review.count('addressed')} addressed, {review.count('check')} to check, "
          f"{review.count('not_found')} not found; {len(review.pages)} pages in {review.seconds:.1f} s")
    return 0


def cmd_eval(args, settings: Settings) -> int:
    if args.agreements:
        from assistant.engine import Assistant
        from evals.agreement_eval import run

        return run(Assistant.load(settings), Path(args.out or "evals/reports/agreements"))
    from evals.runner import run_cli

    return run_cli(args, settings)


def cmd_serve(args, settings: Settings) -> int:
    from app import serve

    serve(settings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
