"""The ``article-archive`` command line: run, explain (more commands join as they land)."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console

from flows.runner import DEFAULT_BATCH_SIZE, RunReport

DEFAULT_ARCHIVE = "archive"


def _positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {number}")
    return number


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="article-archive",
        description="Clean scraped news captures (HTML or copied text) into a Parquet archive.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="archive the captures under PATH… through the Prefect flow")
    run.add_argument("paths", nargs="+", metavar="PATH", help="capture files or folders (walked recursively)")
    run.add_argument("--archive", default=DEFAULT_ARCHIVE, help="archive folder (default: ./archive)")
    run.add_argument("--batch-size", type=_positive_int, default=DEFAULT_BATCH_SIZE, help="captures per task")
    run.add_argument("--workers", type=_positive_int, default=1, help="cleaning processes (default: 1)")
    run.add_argument(
        "--no-prefect", action="store_true", help="run the plain-Python pipeline, without Prefect (no server start-up)"
    )

    explain = commands.add_parser("explain", help="show, line by line, what the cleaner keeps and drops and why")
    explain.add_argument("capture", help="a .txt capture file")
    explain.add_argument("--url", help="the page's URL, if known (selects the site profile by host)")
    return parser


def cmd_run(args: argparse.Namespace, console: Console) -> int:
    for path in args.paths:
        if not Path(path).exists():
            console.print(f"[red]error:[/red] no such file or folder: {path}")
            return 2
    started = time.perf_counter()
    if args.no_prefect:
        from flows.runner import archive_captures

        report = archive_captures(args.paths, args.archive, batch_size=args.batch_size)
    else:
        from flows.prefect_flows import ingest_flow

        result = ingest_flow(
            sources=[str(p) for p in args.paths],
            archive=args.archive,
            batch_size=args.batch_size,
            workers=args.workers,
        )
        report = RunReport(**result)
    from flows.report import print_report

    print_report(report, console, wall_s=time.perf_counter() - started)
    return 0


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
    for decision in found.decisions:
        mark = "[green]keep[/green]" if decision.keep else "[red]drop[/red]"
        text = decision.text if len(decision.text) <= 100 else decision.text[:97] + "…"
        console.print(f"{decision.lineno:>5} {mark} {decision.rule:<28} {text}", highlight=False, markup=True)
        if not decision.keep:
            console.print(f"{'':>11} [dim]{decision.reason}[/dim]", highlight=False)
    return 0


COMMANDS = {"run": cmd_run, "explain": cmd_explain}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    console = Console()
    return COMMANDS[args.command](args, console)


if __name__ == "__main__":
    sys.exit(main())
