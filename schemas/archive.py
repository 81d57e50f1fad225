"""The Parquet archive: layout, the index of what it holds, the atomic writer, the readers.

Layout (each table hive-partitioned by capture year and month)::

    ARCHIVE/articles/year=2026/month=11/part-<run id>-<seq>.parquet    one row per article version
    ARCHIVE/captures/…                                                 each raw capture, once
    ARCHIVE/quarantine/…                                               captures that could not be cleaned
    ARCHIVE/_lock                                                      the writers' lock (local archives)
    ARCHIVE/_generations/<table>/<generation>/                         table folders (local archives)

On a local archive each table folder is a symbolic link to its current *generation*; reprocess
and compaction build a new generation beside it (unchanged files hard-linked) and swap the link
in one atomic rename, so a reader sees the old table or the new one, never a mix. A reader that
globs ``ARCHIVE/articles/**/*.parquet`` needs to know none of this.

Commit protocol: a file is written under a hidden temporary name, then linked into place under a
name unique to the run and batch (never overwriting); on object stores a single PUT publishes
it whole. A flush commits articles, then quarantine, then captures: a capture id is *known* (and
skipped by later runs) once its captures or quarantine row exists, so a crash between files makes
the rerun clean that capture again and find its article already there.

Errors::

    ArchiveError
     └─ IncompatibleSchemaError (schemas.arrow)   a file this version cannot read
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import posixpath
import secrets
import shutil
import signal
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import fsspec
import pyarrow as pa
import pyarrow.parquet as pq
from fsspec.implementations.local import LocalFileSystem

from schemas.arrow import CURRENT_SCHEMAS, check_readable, schema_version, to_table
from schemas.compact import KeySet, RevisionIndex
from schemas.fingerprint import SimhashIndex, simhash
from schemas.records import ArticleRecord, Capture, Quarantined, capture_row, content_hash

if TYPE_CHECKING:  # pyarrow.dataset loads pandas (about 60 MB): only the readers need it
    import pyarrow.dataset as ds

TABLES: tuple[str, ...] = ("articles", "quarantine", "captures")
LOCK_NAME = "_lock"
GENERATIONS = "_generations"
TMP_SUFFIX = ".tmp"
DEFAULT_MAX_ROWS_PER_FILE = 20_000
#: A writer also flushes once its buffered captures hold this many bytes, so memory stays flat
#: whatever the rows-per-file setting (5,000 raw HTML pages would be about 750 MB).
#: 16 MB: captures dated close together (a crawl) fill one partition, so a flush turns the whole
#: buffer into one Arrow table and one Parquet file; at 32 MB the parent peaked at 605 MB, at 16 MB
#: at 499 MB (2,000 captures, 2 workers).
DEFAULT_MAX_BUFFER_BYTES = 16 * 1024 * 1024
PARQUET_COMPRESSION = "zstd"
#: A file is written a row group at a time, each built from rows holding at most this many bytes of
#: text and binary values: a flush then holds one row group, not the whole file, as an Arrow table
#: and its Parquet pages. The parent's peak over a 16 MB flush of raw HTML (2,000 captures, 2
#: workers): 85 MB above its steady size written whole, 60 at 8 MB, 55 at 4 MB, 40 at 1 MB. 1 MB is
#: about 30 raw pages or 150 articles a row group; pages are compressed 1 MB at a time anyway.
ROW_GROUP_BYTES = 1024 * 1024
#: zstd levels of the raw ``captures`` table. Ingest writes level 3: level 9 compresses raw HTML about
#: 15 % smaller but costs five times the CPU (5.8 against 1.1 ms a page), in the one process that
#: feeds every worker. ``compact`` rewrites merged files at the archive level.
COMPRESSION_LEVELS = {"captures": 3}
ARCHIVE_COMPRESSION_LEVELS = {"captures": 9}
#: Temporary files older than this are leftovers of a killed run and are removed.
STALE_TMP_SECONDS = 3600
PARTITION_TYPE = pa.int32()
#: Crash tests only: ``ARTICLE_ARCHIVE_FAULT=<point>:<n>`` SIGKILLs the process the n-th time it
#: reaches ``fault_point(<point>)``: ``tmp_written`` (temp file written, not linked), ``linked``
#: (file linked into place, temp not yet removed), ``cleaned`` (a batch cleaned, not committed).
FAULT_ENV = "ARTICLE_ARCHIVE_FAULT"
#: Concurrency tests only: ``ARTICLE_ARCHIVE_PAUSE=<seconds>`` sleeps inside every commit, between
#: re-reading the archive's ids and writing, to widen the window two writers could race in.
PAUSE_ENV = "ARTICLE_ARCHIVE_PAUSE"
_fault_hits: Counter[str] = Counter()


class ArchiveError(Exception):
    """The archive cannot do what was asked (and says why)."""


def new_run_id(now: datetime | None = None) -> str:
    """A run id that sorts by time and is unique across machines."""
    now = now or datetime.now(UTC)
    return f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(4)}"


def partition_of(captured_at: datetime) -> tuple[int, int]:
    """(year, month) of a capture time, in UTC."""
    utc = captured_at.astimezone(UTC)
    return utc.year, utc.month


def row_groups(rows: list[dict[str, Any]], max_bytes: int = ROW_GROUP_BYTES) -> Iterator[list[dict[str, Any]]]:
    """``rows`` in runs of at most ``max_bytes`` of text and binary values (at least one row each)."""
    group: list[dict[str, Any]] = []
    size = 0
    for row in rows:
        row_size = sum(len(value) for value in row.values() if isinstance(value, str | bytes))
        if group and size + row_size > max_bytes:
            yield group
            group, size = [], 0
        group.append(row)
        size += row_size
    if group:
        yield group


def fault_point(point: str) -> None:
    """Die here with SIGKILL if ``ARTICLE_ARCHIVE_FAULT`` names this point and count (no-op otherwise)."""
    name, _, count = os.environ.get(FAULT_ENV, "").partition(":")
    if name == point:
        _fault_hits[point] += 1
        if _fault_hits[point] == int(count or 1):
            os.kill(os.getpid(), signal.SIGKILL)


def write_row_groups(sink: Any, schema: pa.Schema, parts: Iterable[pa.Table], compression_level: int | None) -> int:
    """Write each of ``parts`` as a row group of one Parquet file; returns the rows written.

    Streaming the parts (built one at a time by the caller) keeps a flush's memory to one row
    group: one 16 MB table of raw captures written whole cost the parent about 90 MB at its peak.
    """
    rows = 0
    with pq.ParquetWriter(sink, schema, compression=PARQUET_COMPRESSION, compression_level=compression_level) as writer:
        for part in parts:
            writer.write_table(part)
            rows += part.num_rows
    return rows


def write_parquet_atomically(
    table: pa.Table | Iterable[pa.Table],
    final_path: Path,
    compression_level: int | None = None,
    schema: pa.Schema | None = None,
) -> int:
    """Write ``table`` (or row groups of ``schema``) to ``final_path`` via a hidden temp file;
    never overwrite. Returns bytes."""
    parts, schema = ([table], table.schema) if isinstance(table, pa.Table) else (table, schema)
    if schema is None:
        raise ValueError("row groups need their schema")
    final_path.parent.mkdir(parents=True, exist_ok=True)
    tmp_path = final_path.with_name(f".{final_path.name}.{uuid.uuid4().hex}{TMP_SUFFIX}")
    try:
        write_row_groups(tmp_path, schema, parts, compression_level)
        fault_point("tmp_written")
        with tmp_path.open("rb") as handle:
            os.fsync(handle.fileno())
        os.link(tmp_path, final_path)  # atomic, and fails if final_path exists
        fault_point("linked")
    finally:
        tmp_path.unlink(missing_ok=True)
    return final_path.stat().st_size


@dataclass(frozen=True)
class WrittenFile:
    """One committed Parquet file and what it holds."""

    table: str
    path: str
    rows: int
    bytes: int


class ArchiveStore:
    """Where an archive lives: a local folder (the default) or any fsspec URL (``s3://…``)."""

    def __init__(self, location: str | os.PathLike[str], table_roots: dict[str, str] | None = None) -> None:
        self.location = str(location)
        self.fs, self.root = fsspec.core.url_to_fs(self.location)
        self.is_local = isinstance(self.fs, LocalFileSystem)
        self.table_roots = dict(table_roots or {})

    def redirected(self, table_roots: dict[str, Path]) -> ArchiveStore:
        """The same archive with some tables written to other folders (a generation being built)."""
        return ArchiveStore(self.location, {**self.table_roots, **{t: str(p) for t, p in table_roots.items()}})

    def table_path(self, table: str) -> str:
        return self.table_roots.get(table) or self.path(table)

    def __repr__(self) -> str:
        return f"ArchiveStore({self.location!r})"

    def path(self, *parts: str) -> str:
        return posixpath.join(self.root, *parts)

    def data_files(self, table: str) -> list[str]:
        """Committed Parquet files of one table, sorted (temporary and hidden files excluded)."""
        root = self.table_path(table)
        if not self.is_local:  # s3fs caches listings: without this, files other processes wrote stay unseen
            self.fs.invalidate_cache(root)
        if not self.fs.isdir(root):
            return []
        return sorted(
            p for p in self.fs.find(root) if p.endswith(".parquet") and not posixpath.basename(p).startswith((".", "_"))
        )

    @contextmanager
    def lock(self) -> Iterator[None]:
        """The writers' exclusive lock, re-entrant within a process (reprocess holds it while its
        writer commits). Local archives only: an object store has no lock, so one writer at a
        time must be ensured by the caller (the scheduled flow's concurrency limit)."""
        if not self.is_local:
            with nullcontext():
                yield
            return
        Path(self.root).mkdir(parents=True, exist_ok=True)
        with _process_lock(str(Path(self.path(LOCK_NAME)).resolve())):
            yield

    def ensure_table(self, table: str) -> None:
        """Create a local table as a link to its first generation (remote tables are plain)."""
        if not self.is_local or table in self.table_roots:
            return
        link = Path(self.path(table))
        if link.exists() or link.is_symlink():
            return
        generation = Path(self.path(GENERATIONS, table, new_generation_name()))
        generation.mkdir(parents=True)
        _swap_link(link, generation)

    def write(self, table: str, partition: tuple[int, int], name: str, rows: list[dict[str, Any]]) -> WrittenFile:
        """Commit ``rows`` as one file into a partition of a table, a row group at a time;
        refuses to overwrite."""
        year, month = partition
        path = posixpath.join(self.table_path(table), f"year={year}", f"month={month}", name)
        level = COMPRESSION_LEVELS.get(table)
        schema = CURRENT_SCHEMAS[table]
        parts = (to_table(group, schema) for group in row_groups(rows))
        if self.is_local:
            self.ensure_table(table)
            size = write_parquet_atomically(parts, Path(path), level, schema)
        else:
            if self.fs.exists(path):
                raise FileExistsError(path)
            with self.fs.open(path, "wb") as handle:  # one PUT: the object appears whole or not at all
                write_row_groups(handle, schema, parts, level)
            size = self.fs.size(path)
        return WrittenFile(table, path, len(rows), int(size))

    def read_schema(self, path: str) -> pa.Schema:
        return pq.read_schema(path, filesystem=self.fs)

    def read_columns(self, path: str, columns: Iterable[str]) -> pa.Table:
        """The named columns a file has (older schema versions lack some).

        Through ``ParquetFile``, not ``pq.read_table``: that one loads ``pyarrow.dataset`` and with
        it pandas, about 60 MB a backfill's parent process would carry for nothing.
        """
        with pq.ParquetFile(path, filesystem=self.fs) as parquet:
            return parquet.read(columns=[c for c in columns if c in parquet.schema_arrow.names])

    def remove_stale_temp_files(self, max_age_s: float = STALE_TMP_SECONDS) -> int:
        """Delete temp files left by killed runs (older than ``max_age_s``); returns how many."""
        if not self.is_local or not Path(self.root).is_dir():
            return 0
        removed = 0
        cutoff = time.time() - max_age_s
        for tmp in Path(self.root).rglob(f".*{TMP_SUFFIX}"):
            if tmp.stat().st_mtime < cutoff:
                tmp.unlink(missing_ok=True)
                removed += 1
        return removed


_registry_guard = threading.Lock()
_thread_locks: dict[str, threading.RLock] = {}
_held: dict[str, tuple[int, Any]] = {}


@contextmanager
def _process_lock(lock_path: str) -> Iterator[None]:
    """flock on ``lock_path`` across processes; a re-entrant lock within this process."""
    with _registry_guard:
        thread_lock = _thread_locks.setdefault(lock_path, threading.RLock())
    with thread_lock:
        depth, handle = _held.get(lock_path, (0, None))
        if depth == 0:
            handle = Path(lock_path).open("a+b")  # noqa: SIM115 - held across the yield
            fcntl.flock(handle, fcntl.LOCK_EX)
        _held[lock_path] = (depth + 1, handle)
        try:
            yield
        finally:
            depth, handle = _held.pop(lock_path)
            if depth > 1:
                _held[lock_path] = (depth - 1, handle)
            else:
                fcntl.flock(handle, fcntl.LOCK_UN)
                handle.close()


def new_generation_name() -> str:
    return f"g-{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}-{secrets.token_hex(3)}"


def _swap_link(link: Path, target: Path) -> None:
    """Point ``link`` at ``target`` in one atomic rename (readers see the old or the new)."""
    tmp = link.with_name(f".{link.name}.{uuid.uuid4().hex}.link")
    tmp.symlink_to(os.path.relpath(target, link.parent), target_is_directory=True)
    tmp.replace(link)


def _key(*parts: str) -> bytes:
    """A 16-byte key for an id or a tuple of ids (compact for millions of rows)."""
    return hashlib.blake2b("\0".join(parts).encode(), digest_size=16).digest()


@dataclass
class ArchiveIndex:
    """What the archive already holds, for dedup: capture ids, article contents, revisions,
    SimHashes. Refreshed file by file; each file is read once (a few columns only). Held in
    compact structures (``schemas.compact``): about 220-270 bytes an archived article, not 780."""

    store: ArchiveStore
    tables: tuple[str, ...] = TABLES
    capture_keys: KeySet = field(default_factory=KeySet)
    content_keys: KeySet = field(default_factory=KeySet)
    revisions: RevisionIndex = field(default_factory=RevisionIndex)
    near: SimhashIndex = field(default_factory=SimhashIndex)
    files_seen: set[str] = field(default_factory=set)

    def refresh(self) -> None:
        for table in self.tables:
            for path in self.store.data_files(table):
                if path not in self.files_seen:
                    self._read(table, path)
                    self.files_seen.add(path)

    def _read(self, table: str, path: str) -> None:
        if table != "articles":
            ids = self.store.read_columns(path, ["capture_id"]).column("capture_id").to_pylist()
            self.capture_keys.update(_key(i) for i in ids)
            return
        columns = ["capture_id", "article_id", "content_hash", "revision", "simhash", "body"]
        schema = self.store.read_schema(path)
        if "content_hash" in schema.names:
            columns.remove("body")
        rows = self.store.read_columns(path, columns).to_pylist()
        legacy = (schema_version(schema) or 1) < 2  # before the captures table existed
        for row in rows:
            self.add_article(
                row["article_id"],
                row.get("content_hash") or content_hash(row["body"]),
                row.get("revision") or 1,
                row.get("simhash"),
            )
            if legacy:
                self.capture_keys.add(_key(row["capture_id"]))

    def knows_capture(self, capture_id: str) -> bool:
        return _key(capture_id) in self.capture_keys

    def add_capture(self, capture_id: str) -> None:
        self.capture_keys.add(_key(capture_id))

    def revision_of(self, article_id: str) -> int:
        """The highest revision of the article archived so far (0: none)."""
        return self.revisions.get(_key(article_id))

    def knows_content(self, article_id: str, content: str) -> bool:
        return _key(article_id, content) in self.content_keys

    def add_article(self, article_id: str, content: str, revision: int, fingerprint: int | None) -> None:
        self.content_keys.add(_key(article_id, content))
        self.revisions.record(_key(article_id), revision)
        if fingerprint is not None:
            self.near.add(fingerprint, article_id)


@dataclass
class CommitStats:
    """What a writer committed: rows per table, duplicates found at commit time, files."""

    archived: int = 0
    quarantined: int = 0
    duplicates: int = 0
    content_duplicates: int = 0
    revisions: int = 0
    near_duplicates: int = 0
    quarantine_reasons: Counter[str] = field(default_factory=Counter)
    files: list[WrittenFile] = field(default_factory=list)

    def merge(self, other: CommitStats) -> None:
        for name in ("archived", "quarantined", "duplicates", "content_duplicates", "revisions", "near_duplicates"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.quarantine_reasons.update(other.quarantine_reasons)
        self.files.extend(other.files)


CleanedPair = tuple[Capture, ArticleRecord | Quarantined]


class ArchiveWriter:
    """Buffers cleaned captures and commits them as Parquet files, deduplicated.

    ``add`` takes (capture, result) pairs and never writes unless the buffer is full;
    ``flush`` commits under the archive lock, after re-reading what other runs committed:

    * a capture id already held is a duplicate (not written again);
    * an article whose ``article_id`` and ``content_hash`` are already held is a duplicate
      (its raw capture is still kept in ``captures``);
    * a known ``article_id`` with new content becomes the next ``revision``;
    * a body within 3 bits of another article's SimHash gets ``duplicate_of`` = that article.
    """

    def __init__(
        self,
        archive: str | os.PathLike[str] | ArchiveStore,
        *,
        cleaner_version: str,
        run_id: str | None = None,
        max_rows_per_file: int = DEFAULT_MAX_ROWS_PER_FILE,
        index: ArchiveIndex | None = None,
        keep_raw: bool = True,
        max_buffer_bytes: int = DEFAULT_MAX_BUFFER_BYTES,
    ) -> None:
        self.store = archive if isinstance(archive, ArchiveStore) else ArchiveStore(archive)
        self.keep_raw = keep_raw
        self.cleaner_version = cleaner_version
        self.run_id = run_id or new_run_id()
        self.max_rows_per_file = max_rows_per_file
        self.index = index if index is not None else ArchiveIndex(self.store)
        self._buffer: list[CleanedPair] = []
        self._buffered_bytes = 0
        self.max_buffer_bytes = max_buffer_bytes
        self._seq = 0
        self.stats = CommitStats()

    @property
    def buffered(self) -> int:
        return len(self._buffer)

    def add(self, pairs: Iterable[CleanedPair]) -> None:
        """Buffer (capture, result) pairs; flush when the buffer holds a full file or enough bytes."""
        for capture, result in pairs:
            self._buffer.append((capture, result))
            self._buffered_bytes += len(capture.raw) + len(getattr(result, "body", ""))
        if self.buffered >= self.max_rows_per_file or self._buffered_bytes >= self.max_buffer_bytes:
            self.flush()

    def flush(self) -> CommitStats:
        """Commit the buffer under the archive lock; return what this flush did."""
        pending, self._buffer, self._buffered_bytes = self._buffer, [], 0
        stats = CommitStats()
        if not pending:
            return stats
        with self.store.lock():
            self.index.refresh()
            if pause := os.environ.get(PAUSE_ENV):
                time.sleep(float(pause))
            articles, quarantined, captures = self._decide(pending, stats)
            quarantine_rows = [(q.capture.captured_at, q.to_row(self.cleaner_version)) for q in quarantined]
            stats.files += self._write("articles", [(r.captured_at, r.to_row()) for r in articles])
            stats.files += self._write("quarantine", quarantine_rows)
            if self.keep_raw:
                stats.files += self._write("captures", [(c.captured_at, capture_row(c)) for c in captures])
            self.index.files_seen.update(f.path for f in stats.files)
        # Arrow's allocator (mimalloc) keeps what the written tables freed: about 100 MB of a
        # backfill's parent process on HTML captures (measured), handed back here.
        pa.default_memory_pool().release_unused()
        stats.archived, stats.quarantined = len(articles), len(quarantined)
        stats.quarantine_reasons.update(q.reason for q in quarantined)
        self.stats.merge(stats)
        return stats

    def _decide(
        self, pending: list[CleanedPair], stats: CommitStats
    ) -> tuple[list[ArticleRecord], list[Quarantined], list[Capture]]:
        articles: list[ArticleRecord] = []
        quarantined: list[Quarantined] = []
        captures: list[Capture] = []
        for capture, result in pending:
            if self.index.knows_capture(capture.capture_id):
                stats.duplicates += 1
                continue
            self.index.add_capture(capture.capture_id)
            if isinstance(result, Quarantined):
                quarantined.append(result)
                continue
            captures.append(capture)
            if self.index.knows_content(result.article_id, result.content_hash):
                stats.duplicates += 1
                stats.content_duplicates += 1
                continue
            articles.append(self._place(result, stats))
        return articles, quarantined, captures

    def _place(self, record: ArticleRecord, stats: CommitStats) -> ArticleRecord:
        """Give a new article its revision, fingerprint and near-duplicate link; index it."""
        fingerprint = record.simhash if record.simhash is not None else simhash(record.body)
        revision = self.index.revision_of(record.article_id) + 1
        near = self.index.near.find(fingerprint, exclude=record.article_id)
        stats.revisions += revision > 1
        stats.near_duplicates += near is not None
        self.index.add_article(record.article_id, record.content_hash, revision, fingerprint)
        return replace(record, revision=revision, duplicate_of=near, simhash=fingerprint)

    def _write(self, table: str, rows: list[tuple[datetime, dict[str, Any]]]) -> list[WrittenFile]:
        by_partition: dict[tuple[int, int], list[dict[str, Any]]] = {}
        for captured_at, row in rows:
            by_partition.setdefault(partition_of(captured_at), []).append(row)
        written = []
        for partition, partition_rows in sorted(by_partition.items()):
            self._seq += 1
            name = f"part-{self.run_id}-{self._seq:06d}.parquet"
            written.append(self.store.write(table, partition, name, partition_rows))
        return written

    def close(self) -> CommitStats:
        """Flush what is left and return the totals for this writer."""
        self.flush()
        return self.stats


def _partitioning() -> ds.Partitioning:
    import pyarrow.dataset as ds

    return ds.partitioning(pa.schema([("year", PARTITION_TYPE), ("month", PARTITION_TYPE)]), flavor="hive")


def open_table(archive: str | os.PathLike[str] | ArchiveStore, table: str = "articles") -> ds.Dataset:
    """A table as a hive-partitioned ``pyarrow.dataset`` in the current schema.

    Files of older schema versions read with the newer columns as null; a file this version
    cannot read raises IncompatibleSchemaError naming the file and the column.
    """
    import pyarrow.dataset as ds

    store = archive if isinstance(archive, ArchiveStore) else ArchiveStore(archive)
    files = store.data_files(table)
    for path in files:
        check_readable(store.read_schema(path), table, path)
    schema = CURRENT_SCHEMAS[table]
    full_schema = pa.schema([*schema, pa.field("year", PARTITION_TYPE), pa.field("month", PARTITION_TYPE)])
    return ds.dataset(
        files,
        schema=full_schema,
        format="parquet",
        filesystem=store.fs,
        partitioning=_partitioning(),
        partition_base_dir=store.table_path(table),
    )


def read_table(archive: str | os.PathLike[str] | ArchiveStore, table: str = "articles") -> pa.Table:
    """The whole table in memory (small archives, tests, ``show``)."""
    return open_table(archive, table).to_table()


def data_files(archive: str | os.PathLike[str], table: str) -> list[Path]:
    """Committed Parquet files of one table of a local archive."""
    return [Path(p) for p in ArchiveStore(archive).data_files(table)]


def require_local(store: ArchiveStore, what: str) -> Path:
    """The archive's local folder, or ArchiveError: generation swaps need links and renames."""
    if not store.is_local:
        raise ArchiveError(
            f"{what} needs a local archive (a folder): {store.location} is on {store.fs.protocol}, where files "
            "cannot be swapped atomically; run it on a local copy and sync it back"
        )
    return Path(store.root)


def new_generation(store: ArchiveStore, table: str) -> Path:
    """An empty generation folder for a table, not yet visible to readers."""
    path = Path(store.path(GENERATIONS, table, new_generation_name()))
    path.mkdir(parents=True)
    return path


def current_generation(store: ArchiveStore, table: str) -> Path | None:
    """The folder a table's link points at (None for a missing or plain-folder table)."""
    link = Path(store.path(table))
    return link.resolve() if link.is_symlink() else None


def swap_generation(store: ArchiveStore, table: str, generation: Path) -> None:
    """Make ``generation`` the table readers see, in one rename; delete the previous one.

    A table that is still a plain folder (written before generations existed) is first moved
    into a generation of its own; readers that list the table at that instant see it empty.
    """
    link = Path(store.path(table))
    previous = current_generation(store, table)
    if link.is_dir() and not link.is_symlink():
        previous = Path(store.path(GENERATIONS, table, "g-legacy-" + secrets.token_hex(3)))
        previous.parent.mkdir(parents=True, exist_ok=True)
        link.rename(previous)
    _swap_link(link, generation)
    if previous is not None and previous != generation.resolve():
        shutil.rmtree(previous, ignore_errors=True)


def remove_orphan_generations(store: ArchiveStore, table: str) -> int:
    """Delete generation folders no link points at (left by an interrupted reprocess or compaction)."""
    folder = Path(store.path(GENERATIONS, table))
    if not folder.is_dir():
        return 0
    current = current_generation(store, table)
    orphans = [g for g in folder.iterdir() if g.is_dir() and g.resolve() != current]
    for orphan in orphans:
        shutil.rmtree(orphan, ignore_errors=True)
    return len(orphans)
