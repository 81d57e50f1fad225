"""The Parquet archive: layout, the id index, the atomic buffered writer and the readers.

Layout (hive-partitioned by capture year and month, one folder per table)::

    ARCHIVE/articles/year=2026/month=11/part-<run id>-<seq>.parquet
    ARCHIVE/quarantine/year=2026/month=11/part-<run id>-<seq>.parquet

Commit protocol: a file is written under a hidden temporary name (``.part-….parquet.tmp``,
which neither ``pyarrow.dataset`` nor a ``*.parquet`` glob picks up), then linked into place
under a name unique to the run and batch; an existing file is never overwritten. Writers take
an exclusive lock on ``ARCHIVE/_lock`` while they re-check ids and commit, so two runs over
overlapping inputs archive each capture once.
"""

from __future__ import annotations

import fcntl
import os
import secrets
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from schemas.arrow import CURRENT_SCHEMAS, to_table
from schemas.records import ArticleRecord, Quarantined

TABLES: tuple[str, ...] = ("articles", "quarantine")
LOCK_NAME = "_lock"
TMP_SUFFIX = ".tmp"
DEFAULT_MAX_ROWS_PER_FILE = 20_000
PARQUET_COMPRESSION = "zstd"


def new_run_id(now: datetime | None = None) -> str:
    """A run id that sorts by time and is unique across machines."""
    now = now or datetime.now(UTC)
    return f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(4)}"


def table_dir(archive: Path, table: str) -> Path:
    """The folder holding one table of the archive."""
    return archive / table


def partition_dir(archive: Path, table: str, captured_at: datetime) -> Path:
    """The hive partition folder for a row captured at ``captured_at``."""
    utc = captured_at.astimezone(UTC)
    return table_dir(archive, table) / f"year={utc.year}" / f"month={utc.month}"


def data_files(archive: Path, table: str) -> list[Path]:
    """Committed Parquet files of one table, sorted (temporary files excluded)."""
    root = table_dir(archive, table)
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*.parquet") if not p.name.startswith((".", "_")))


@contextmanager
def archive_lock(archive: Path) -> Iterator[None]:
    """Hold the archive's exclusive writer lock (blocks until free)."""
    archive.mkdir(parents=True, exist_ok=True)
    with (archive / LOCK_NAME).open("a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def write_parquet_atomically(table: pa.Table, final_path: Path) -> int:
    """Write ``table`` to ``final_path`` via a hidden temp file; never overwrite. Returns bytes."""
    final_path.parent.mkdir(parents=True, exist_ok=True)
    tmp_path = final_path.with_name(f".{final_path.name}.{uuid.uuid4().hex}{TMP_SUFFIX}")
    try:
        pq.write_table(table, tmp_path, compression=PARQUET_COMPRESSION)
        with tmp_path.open("rb") as handle:
            os.fsync(handle.fileno())
        os.link(tmp_path, final_path)  # atomic, and fails if final_path exists
    finally:
        tmp_path.unlink(missing_ok=True)
    return final_path.stat().st_size


@dataclass
class IdIndex:
    """The capture ids already committed to the archive, refreshed file by file."""

    archive: Path
    ids: set[str] = field(default_factory=set)
    files_seen: set[Path] = field(default_factory=set)

    def refresh(self) -> None:
        """Read ``capture_id`` from every committed file not read before."""
        for table in TABLES:
            for path in data_files(self.archive, table):
                if path in self.files_seen:
                    continue
                column = pq.read_table(path, columns=["capture_id"]).column("capture_id")
                self.ids.update(column.to_pylist())
                self.files_seen.add(path)

    def __contains__(self, capture_id: object) -> bool:
        return capture_id in self.ids


@dataclass(frozen=True)
class WrittenFile:
    """One committed Parquet file and what it holds."""

    table: str
    path: Path
    rows: int
    bytes: int


@dataclass
class CommitStats:
    """What a writer committed: rows per table, duplicates found at commit time, files."""

    archived: int = 0
    quarantined: int = 0
    duplicates: int = 0
    quarantine_reasons: Counter[str] = field(default_factory=Counter)
    files: list[WrittenFile] = field(default_factory=list)

    def merge(self, other: CommitStats) -> None:
        self.archived += other.archived
        self.quarantined += other.quarantined
        self.duplicates += other.duplicates
        self.quarantine_reasons.update(other.quarantine_reasons)
        self.files.extend(other.files)


class ArchiveWriter:
    """Buffers cleaned results and commits them as Parquet files, deduplicated by capture id.

    ``add`` never writes; ``flush`` commits everything buffered under the archive lock,
    dropping (and counting as duplicates) captures another run committed meanwhile.
    """

    def __init__(
        self,
        archive: Path,
        *,
        cleaner_version: str,
        run_id: str | None = None,
        max_rows_per_file: int = DEFAULT_MAX_ROWS_PER_FILE,
        index: IdIndex | None = None,
    ) -> None:
        self.archive = archive
        self.cleaner_version = cleaner_version
        self.run_id = run_id or new_run_id()
        self.max_rows_per_file = max_rows_per_file
        self.index = index if index is not None else IdIndex(archive)
        self._articles: list[ArticleRecord] = []
        self._quarantined: list[Quarantined] = []
        self._seq = 0
        self.stats = CommitStats()

    @property
    def buffered(self) -> int:
        return len(self._articles) + len(self._quarantined)

    def add(self, results: Iterable[ArticleRecord | Quarantined]) -> None:
        """Buffer results; flush when the buffer holds a full file."""
        for result in results:
            if isinstance(result, ArticleRecord):
                self._articles.append(result)
            else:
                self._quarantined.append(result)
        if self.buffered >= self.max_rows_per_file:
            self.flush()

    def flush(self) -> CommitStats:
        """Commit the buffer under the archive lock; return what this flush did."""
        articles, quarantined = self._articles, self._quarantined
        self._articles, self._quarantined = [], []
        stats = CommitStats()
        if not articles and not quarantined:
            return stats
        with archive_lock(self.archive):
            self.index.refresh()
            fresh_articles = self._drop_known(articles, stats, key=lambda r: r.capture_id)
            fresh_quarantined = self._drop_known(quarantined, stats, key=lambda q: q.capture.capture_id)
            article_rows = [(r.captured_at, r.to_row()) for r in fresh_articles]
            quarantine_rows = [(q.capture.captured_at, q.to_row(self.cleaner_version)) for q in fresh_quarantined]
            stats.files += self._write_partitioned("articles", article_rows)
            stats.files += self._write_partitioned("quarantine", quarantine_rows)
            self.index.files_seen.update(f.path for f in stats.files)
        stats.archived = len(fresh_articles)
        stats.quarantined = len(fresh_quarantined)
        stats.quarantine_reasons.update(q.reason for q in fresh_quarantined)
        self.stats.merge(stats)
        return stats

    def _drop_known(self, items: list, stats: CommitStats, key) -> list:  # type: ignore[type-arg]
        fresh = []
        for item in items:
            capture_id = key(item)
            if capture_id in self.index:
                stats.duplicates += 1
            else:
                self.index.ids.add(capture_id)
                fresh.append(item)
        return fresh

    def _write_partitioned(self, table: str, rows: list[tuple[datetime, dict]]) -> list[WrittenFile]:  # type: ignore[type-arg]
        by_partition: dict[Path, list[dict]] = {}  # type: ignore[type-arg]
        for captured_at, row in rows:
            by_partition.setdefault(partition_dir(self.archive, table, captured_at), []).append(row)
        written = []
        for folder, partition_rows in sorted(by_partition.items()):
            self._seq += 1
            path = folder / f"part-{self.run_id}-{self._seq:06d}.parquet"
            arrow_table = to_table(partition_rows, CURRENT_SCHEMAS[table])
            size = write_parquet_atomically(arrow_table, path)
            written.append(WrittenFile(table, path, arrow_table.num_rows, size))
        return written

    def close(self) -> CommitStats:
        """Flush what is left and return the totals for this writer."""
        self.flush()
        return self.stats


def open_table(archive: Path, table: str = "articles") -> ds.Dataset:
    """The archive table as a hive-partitioned ``pyarrow.dataset`` in the current schema."""
    files = [str(p) for p in data_files(archive, table)]
    schema = CURRENT_SCHEMAS[table]
    partitioning = ds.partitioning(pa.schema([("year", pa.int32()), ("month", pa.int32())]), flavor="hive")
    full_schema = pa.schema([*list(schema), pa.field("year", pa.int32()), pa.field("month", pa.int32())])
    return ds.dataset(
        files,
        schema=full_schema,
        format="parquet",
        partitioning=partitioning,
        partition_base_dir=str(table_dir(archive, table)),
    )


def read_table(archive: Path, table: str = "articles") -> pa.Table:
    """The whole table in memory (small archives, tests, ``show``)."""
    return open_table(archive, table).to_table()
