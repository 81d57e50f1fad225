"""``article-archive show``: what an archive holds, as plain data and as rich tables."""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pyarrow.compute as pc
from rich.console import Console
from rich.table import Table

from schemas.archive import TABLES, ArchiveStore, open_table
from schemas.arrow import schema_version

TOP_PUBLISHER_MONTHS = 25


@dataclass
class ArchiveSummary:
    """Counts over the whole archive, each a plain value (printable, testable)."""

    location: str
    tables: dict[str, dict[str, int]] = field(default_factory=dict)
    schema_versions: dict[str, dict[int, int]] = field(default_factory=dict)
    cleaner_versions: dict[str, int] = field(default_factory=dict)
    publisher_months: list[tuple[str, int, int, int]] = field(default_factory=list)
    quarantine_reasons: list[tuple[str, str, int]] = field(default_factory=list)


def _group_counts(table: Any, keys: list[str]) -> list[dict[str, Any]]:
    if table.num_rows == 0:
        return []
    grouped = table.group_by(keys).aggregate([([], "count_all")])
    return sorted(grouped.to_pylist(), key=lambda r: -r["count_all"])


def summarize(archive: str | os.PathLike[str]) -> ArchiveSummary:
    """Rows, files and bytes per table; schema and cleaner versions; publishers by month; reasons."""
    store = ArchiveStore(archive)
    summary = ArchiveSummary(location=store.location)
    for table in TABLES:
        files = store.data_files(table)
        rows = open_table(store, table).count_rows() if files else 0
        summary.tables[table] = {"rows": rows, "files": len(files), "bytes": sum(store.fs.size(p) for p in files)}
        versions = Counter(schema_version(store.read_schema(p)) or 0 for p in files)
        summary.schema_versions[table] = dict(sorted(versions.items()))
    if summary.tables["articles"]["files"]:
        articles = open_table(store, "articles").to_table(columns=["publisher", "year", "month", "cleaner_version"])
        articles = articles.set_column(0, "publisher", pc.fill_null(articles.column("publisher"), "(unknown)"))
        summary.cleaner_versions = {
            r["cleaner_version"]: r["count_all"] for r in _group_counts(articles, ["cleaner_version"])
        }
        summary.publisher_months = [
            (r["publisher"], r["year"], r["month"], r["count_all"])
            for r in _group_counts(articles, ["publisher", "year", "month"])[:TOP_PUBLISHER_MONTHS]
        ]
    if summary.tables["quarantine"]["files"]:
        quarantine = open_table(store, "quarantine").to_table(columns=["stage", "reason"])
        summary.quarantine_reasons = [
            (r["stage"], r["reason"], r["count_all"]) for r in _group_counts(quarantine, ["stage", "reason"])
        ]
    return summary


def _table(title: str, headers: list[str], rows: list[tuple[Any, ...]]) -> Table:
    table = Table(title=title)
    for i, header in enumerate(headers):
        table.add_column(header, justify="right" if i else "left")
    for row in rows:
        table.add_row(*(str(v) for v in row))
    return table


def print_summary(summary: ArchiveSummary, console: Console) -> None:
    tables = [
        (
            name,
            t["rows"],
            t["files"],
            f"{t['bytes'] / 2**20:.1f} MiB",
            ", ".join(f"v{v}: {n}" for v, n in summary.schema_versions[name].items()) or "-",
        )
        for name, t in summary.tables.items()
    ]
    console.print(
        _table(f"archive {summary.location}", ["table", "rows", "files", "size", "schema versions (files)"], tables)
    )
    console.print(
        _table("articles by cleaner version", ["cleaner version", "articles"], list(summary.cleaner_versions.items()))
    )
    console.print(
        _table("articles per publisher and month", ["publisher", "year", "month", "articles"], summary.publisher_months)
    )
    if summary.quarantine_reasons:
        console.print(_table("quarantined, by reason", ["stage", "reason", "captures"], summary.quarantine_reasons))
