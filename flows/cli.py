"""The ``article-archive`` command line: run, backfill, show, reprocess, compact, explain, serve.

Imports at the top stay light (no pyarrow, Prefect or rich): cleaning worker processes are
spawned, and a spawned process imports the parent's main module, which is this one.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from cleaners.modes import DEFAULT_MODE, EXTRACTION_MODES
from flows.batch import DEFAULT_BATCH_SIZE

if TYPE_CHECKING:
    from rich.console import Console

    from flows.runner import RunReport

DEFAULT_ARCHIVE = "archive"
DEFAULT_ROWS_PER_FILE = 5_000
#: Smaller batches for backfills: each worker holds batches queued, and 200 HTML pages are about
#: 36 MB (measured peak of the parent with 2 workers: 549 MB at 200 a batch). 25 a batch took the
#: whole tree from 1,030 to 973 MiB against 50 (2,000 captures, 2 workers) at the same speed, and is
#: still far from Prefect's per-task cost (800 batches for 20,000 captures, about 8 s of task runs).
BACKFILL_BATCH_SIZE = 25


def _positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {number}")
    return number


def _date(value: str) -> datetime:
    """A date or ISO 8601 timestamp from the command line, as an aware datetime (UTC if naive)."""
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD) or ISO 8601 timestamp: {value!r}") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _workers(value: str) -> int:
    number = int(value)
    if number < 0:
        raise argparse.ArgumentTypeError(f"must be 0 (clean in this process) or more, got {number}")
    return number


def _add_ingest_arguments(
    command: argparse.ArgumentParser, *, default_workers: int, workers_help: str, batch_size: int = DEFAULT_BATCH_SIZE
) -> None:
    command.add_argument("paths", nargs="+", metavar="SOURCE", help="files, folders or fsspec URLs (s3://…)")
    command.add_argument("--archive", default=DEFAULT_ARCHIVE, help="archive folder (default: ./archive)")
    command.add_argument(
        "--batch-size", type=_positive_int, default=batch_size, help=f"captures per task (default: {batch_size})"
    )
    command.add_argument("--workers", type=_workers, default=default_workers, help=workers_help)
    command.add_argument("--since", type=_date, help="only captures taken at or after this date (UTC)")
    command.add_argument("--until", type=_date, help="only captures taken before this date (UTC)")
    command.add_argument("--include", action="append", metavar="GLOB", help="only inputs matching (repeatable)")
    command.add_argument("--exclude", action="append", metavar="GLOB", help="skip inputs matching (repeatable)")
    command.add_argument(
        "--extraction",
        choices=EXTRACTION_MODES,
        default=DEFAULT_MODE,
        help="HTML extraction: best (default) or fast (about 2.4x faster, a little less accurate; docs/performance.md)",
    )
    command.add_argument(
        "--no-prefect", action="store_true", help="run the plain-Python pipeline, without Prefect (no server start-up)"
    )
    command.add_argument(
        "--dask-address", metavar="URL", help="clean on this Dask cluster, e.g. tcp://HOST:8786 (needs PREFECT_API_URL)"
    )
    command.add_argument(
        "--storage-option", action="append", metavar="KEY=VALUE", help="fsspec option for s3:// etc. (repeatable)"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="article-archive",
        description="Clean scraped news captures (HTML or copied text) into a Parquet archive.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    from flows.parallel import default_workers

    run = commands.add_parser("run", help="archive the captures under SOURCE… through the Prefect flow")
    _add_ingest_arguments(run, default_workers=0, workers_help="cleaning processes (default: 0 = this process)")
    backfill = commands.add_parser(
        "backfill", help="archive a large historical set: parallel, resumable, with a progress bar"
    )
    _add_ingest_arguments(
        backfill,
        default_workers=default_workers(),
        workers_help=f"cleaning processes (default: all {default_workers()} cores)",
        batch_size=BACKFILL_BATCH_SIZE,
    )
    backfill.add_argument(
        "--rows-per-file", type=_positive_int, default=DEFAULT_ROWS_PER_FILE, help="rows buffered into each file"
    )

    show = commands.add_parser("show", help="what the archive holds: tables, versions, publishers, quarantine")
    show.add_argument("--archive", default=DEFAULT_ARCHIVE, help="archive folder or URL (default: ./archive)")
    reprocess = commands.add_parser(
        "reprocess", help="re-clean every stored capture with this version's cleaner, then swap the tables in"
    )
    reprocess.add_argument("--archive", default=DEFAULT_ARCHIVE, help="archive folder (default: ./archive)")
    reprocess.add_argument("--workers", type=_workers, default=0, help="cleaning processes (default: 0 = this one)")
    compact = commands.add_parser("compact", help="merge small files per partition; same rows, safe to interrupt")
    compact.add_argument("--archive", default=DEFAULT_ARCHIVE, help="archive folder (default: ./archive)")
    compact.add_argument("--target-mib", type=_positive_int, default=128, help="target file size (default: 128)")

    _add_serve_parser(commands)

    explain = commands.add_parser("explain", help="show, line by line, what the cleaner keeps and drops and why")
    explain.add_argument("capture", help="a .txt capture file")
    explain.add_argument("--url", help="the page's URL, if known (selects the site profile by host)")
    return parser


def _add_serve_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    serve = commands.add_parser(
        "serve", help="run the ingest flow on a schedule on this machine (Prefect serve; starts a server if needed)"
    )
    serve.add_argument("paths", nargs="+", metavar="SOURCE", help="landing folders, files or fsspec URLs")
    serve.add_argument("--archive", default=DEFAULT_ARCHIVE, help="archive folder or URL (default: ./archive)")
    when = serve.add_mutually_exclusive_group(required=True)
    when.add_argument("--cron", help='cron schedule, e.g. "0 * * * *" (hourly, UTC unless --timezone)')
    when.add_argument("--interval", type=_positive_int, metavar="SECONDS", help="run every SECONDS seconds")
    serve.add_argument("--timezone", help="IANA time zone of the cron schedule (default: UTC)")
    serve.add_argument("--name", default="scheduled", help="deployment name (default: scheduled)")
    serve.add_argument("--batch-size", type=_positive_int, default=DEFAULT_BATCH_SIZE, help="captures per task")
    serve.add_argument("--workers", type=_workers, default=0, help="cleaning processes per run (default: 0)")
    serve.add_argument("--include", action="append", metavar="GLOB", help="only inputs matching (repeatable)")
    serve.add_argument("--exclude", action="append", metavar="GLOB", help="skip inputs matching (repeatable)")
    serve.add_argument(
        "--dask-address", metavar="tcp://HOST:8786", help="clean each run's batches on this Dask cluster"
    )
    serve.add_argument("--extraction", choices=EXTRACTION_MODES, default=DEFAULT_MODE, help="HTML extraction mode")
    serve.add_argument("--port", type=_positive_int, help="port of a local server started here (default: 4200)")
    serve.add_argument("--max-runs", type=_positive_int, help="stop after this many runs have finished")
    serve.add_argument("--stop-after", type=_positive_int, metavar="SECONDS", help="stop after SECONDS seconds")


def _total_input_bytes(args: argparse.Namespace) -> int:
    """Sum of input sizes, for the progress bar (raises FileNotFoundError for a missing path)."""
    from flows.sources import SourceOptions, discover

    options = SourceOptions(include=tuple(args.include or ()), exclude=tuple(args.exclude or ()))
    return sum(item.size for item in discover(args.paths, options))


def _ingest(args: argparse.Namespace, console: Console, rows_per_file: int | None) -> int:
    if args.dask_address or args.storage_option:
        from flows.distributed import prepare_scale_out

        urls = [*args.paths, args.archive]
        problem = prepare_scale_out(urls, args.storage_option, args.dask_address, args.no_prefect)
        if problem:
            console.print(f"[red]error:[/red] {problem}")
            return 2
    try:
        total_bytes = _total_input_bytes(args)
    except FileNotFoundError as exc:
        console.print(f"[red]error:[/red] {exc}")
        return 2
    from flows.progress import progress_bar

    started = time.perf_counter()
    with progress_bar(console, total_bytes if rows_per_file else 0) as on_progress:
        if args.no_prefect:
            report = _ingest_plain(args, rows_per_file, on_progress)
        else:
            from flows.prefect_flows import ingest_flow, progress_listener

            with progress_listener(on_progress):
                result = ingest_flow(
                    sources=list(args.paths),
                    archive=args.archive,
                    batch_size=args.batch_size,
                    workers=args.workers,
                    since=args.since,
                    until=args.until,
                    include=args.include,
                    exclude=args.exclude,
                    rows_per_file=rows_per_file,
                    dask_address=args.dask_address,
                    extraction=args.extraction,
                )
            from flows.runner import RunReport

            report = RunReport(**result)
    from flows.report import print_report

    print_report(report, console, wall_s=time.perf_counter() - started)
    return 0


def _ingest_plain(args: argparse.Namespace, rows_per_file: int | None, on_progress) -> RunReport:  # type: ignore[no-untyped-def]
    from flows.parallel import cleaning_pool
    from flows.runner import CaptureWindow, IngestRun, batched
    from flows.sources import SourceOptions

    run = IngestRun(
        args.archive,
        max_rows_per_file=rows_per_file,
        window=CaptureWindow(args.since, args.until),
        on_progress=on_progress,
        extraction=args.extraction,
    )
    options = SourceOptions(include=tuple(args.include or ()), exclude=tuple(args.exclude or ()))
    with cleaning_pool(args.workers, args.extraction) as cleaner:
        run.process_all(batched(run.captures(args.paths, options), args.batch_size), cleaner)
    return run.finish()


def cmd_run(args: argparse.Namespace, console: Console) -> int:
    return _ingest(args, console, rows_per_file=None)


def cmd_backfill(args: argparse.Namespace, console: Console) -> int:
    return _ingest(args, console, rows_per_file=args.rows_per_file)


def cmd_explain(args: argparse.Namespace, console: Console) -> int:
    from cleaners import default_profiles
    from cleaners.core import host_of
    from cleaners.decode import decode_bytes
    from cleaners.errors import Rejected
    from cleaners.text import extract_text

    try:
        decoded = decode_bytes(Path(args.capture).read_bytes())
    except Rejected as rejected:
        console.print(f"[red]quarantined[/red] ({rejected.stage}/{rejected.reason}): {rejected.detail}")
        return 1
    found = extract_text(decoded.text, default_profiles(), host_of(args.url))
    console.print(
        f"profile: {found.profile_id or 'generic only'}   publisher: {found.publisher}   language: {found.language}"
    )
    console.print(f"title: {found.title}   byline: {found.byline}   published: {found.published}", highlight=False)
    for decision in found.decisions:
        mark = "[green]keep[/green]" if decision.keep else "[red]drop[/red]"
        text = decision.text if len(decision.text) <= 100 else decision.text[:97] + "…"
        console.print(f"{decision.lineno:>5} {mark} {decision.rule:<28} {text}", highlight=False, markup=True)
        if not decision.keep:
            console.print(f"{'':>11} [dim]{decision.reason}[/dim]", highlight=False)
    return 0


def cmd_show(args: argparse.Namespace, console: Console) -> int:
    from flows.show import print_summary, summarize

    print_summary(summarize(args.archive), console)
    return 0


def cmd_reprocess(args: argparse.Namespace, console: Console) -> int:
    from flows.maintenance import reprocess

    report = reprocess(args.archive, workers=args.workers)
    console.print(
        f"reprocessed {report.captures} captures with cleaner {report.cleaner_version}: {report.archived} archived, "
        f"{report.duplicates} duplicates, {report.quarantined} quarantined "
        f"({report.carried_over} read failures carried over) in {report.elapsed_s:.1f} s"
    )
    return 0


def cmd_compact(args: argparse.Namespace, console: Console) -> int:
    from flows.maintenance import compact

    report = compact(args.archive, target_file_bytes=args.target_mib * 2**20)
    for table, counts in report.tables.items():
        console.print(f"{table}: {counts['files_before']} files -> {counts['files_after']}, {counts['rows']} rows kept")
    console.print(f"compacted in {report.elapsed_s:.1f} s")
    return 0


def cmd_serve(args: argparse.Namespace, console: Console) -> int:
    from flows.serve import run_serve_command

    return run_serve_command(args, console)


COMMANDS = {
    "run": cmd_run,
    "backfill": cmd_backfill,
    "explain": cmd_explain,
    "show": cmd_show,
    "reprocess": cmd_reprocess,
    "compact": cmd_compact,
    "serve": cmd_serve,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from rich.console import Console

    console = Console()
    from schemas.archive import ArchiveError
    from schemas.arrow import IncompatibleSchemaError

    try:
        return COMMANDS[args.command](args, console)
    except (ArchiveError, IncompatibleSchemaError) as exc:
        console.print(f"[red]error:[/red] {exc}")
        return 1


if __name__ == "__main__":
    sys.exit(main())
