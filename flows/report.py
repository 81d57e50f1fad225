"""Run reports rendered for people: a rich table for the terminal, markdown for Prefect."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from flows.runner import RunReport


def _counts(report: RunReport) -> list[tuple[str, str]]:
    return [
        ("captures seen", str(report.seen)),
        ("archived", str(report.archived)),
        ("duplicates", str(report.duplicates)),
        ("quarantined", str(report.quarantined)),
        ("files written", str(len(report.files))),
        ("time taken", f"{report.elapsed_s:.2f} s"),
        ("throughput", f"{report.captures_per_s:.1f} captures/s"),
    ]


def report_markdown(report: RunReport) -> str:
    """The run report as a markdown document (Prefect artifact)."""
    lines = [f"# article-archive run `{report.run_id}`", "", f"Archive: `{report.archive}`", ""]
    lines += ["| what | count |", "|---|---|"] + [f"| {k} | {v} |" for k, v in _counts(report)]
    if report.quarantine_reasons:
        lines += ["", "## Quarantine reasons", "", "| reason | captures |", "|---|---|"]
        lines += [f"| {reason} | {n} |" for reason, n in report.quarantine_reasons.items()]
    if report.files:
        lines += ["", "## Files written", "", "| table | file | rows | bytes |", "|---|---|---|---|"]
        lines += [f"| {f['table']} | `{f['path']}` | {f['rows']} | {f['bytes']} |" for f in report.files]
    return "\n".join(lines) + "\n"


def print_report(report: RunReport, console: Console, *, wall_s: float | None = None) -> None:
    """The run report as rich tables."""
    table = Table(title=f"run {report.run_id}", show_header=False)
    table.add_column("what")
    table.add_column("count", justify="right")
    for key, value in _counts(report):
        table.add_row(key, value)
    if wall_s is not None:
        table.add_row("wall time", f"{wall_s:.2f} s")
    console.print(table)
    if report.quarantine_reasons:
        reasons = Table(title="quarantined, by reason")
        reasons.add_column("reason")
        reasons.add_column("captures", justify="right")
        for reason, count in report.quarantine_reasons.items():
            reasons.add_row(reason, str(count))
        console.print(reasons)
