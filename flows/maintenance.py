"""Archive maintenance: reprocess (re-clean every stored capture) and compact (merge small files).

Both build a new generation of a table beside the current one and swap it in with one rename
(schemas.archive.swap_generation), holding the archive lock throughout so no ingest run
commits meanwhile (ingest runs wait for the lock). Interrupted, they leave only an orphan
generation folder that no reader sees and the next run removes.
"""

from __future__ import annotations

import os
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from cleaners.modes import cleaner_version
from flows.parallel import IN_PROCESS, batches_in_order, cleaning_pool, jobs_ahead
from flows.runner import batched, paired
from schemas.archive import (
    ARCHIVE_COMPRESSION_LEVELS,
    TABLES,
    ArchiveIndex,
    ArchiveStore,
    ArchiveWriter,
    new_generation,
    new_run_id,
    remove_orphan_generations,
    require_local,
    swap_generation,
    write_parquet_atomically,
)
from schemas.arrow import CURRENT_SCHEMAS, conform
from schemas.records import Capture, Quarantined

#: Quarantine stages whose captures a newer cleaner may now accept (read failures stay as they are).
RECLEANABLE_STAGES = frozenset({"decode", "extract", "clean"})
DEFAULT_TARGET_FILE_BYTES = 128 * 1024 * 1024
REPROCESS_BATCH = 200


@dataclass
class ReprocessReport:
    """What a reprocess did: captures re-cleaned, outcomes, the cleaner version stamped."""

    cleaner_version: str
    captures: int = 0
    archived: int = 0
    duplicates: int = 0
    quarantined: int = 0
    carried_over: int = 0
    quarantine_reasons: dict[str, int] = field(default_factory=dict)
    elapsed_s: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def stored_captures(store: ArchiveStore) -> Iterator[Capture | Quarantined]:
    """Every stored capture in capture order; read failures come back as their quarantine rows.

    One partition at a time, so memory holds one month of raw captures, not the archive.
    """
    by_partition: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for table in ("captures", "quarantine"):
        for path in store.data_files(table):
            by_partition[_partition_key(path)].append((table, path))
    for key in sorted(by_partition):
        items: list[Capture | Quarantined] = []
        for table, path in by_partition[key]:
            for row in pq.read_table(path, filesystem=store.fs).to_pylist():
                items.append(_stored_capture(table, row))
        items.sort(key=lambda i: (_capture(i).captured_at, _capture(i).capture_id))
        yield from items


def _partition_key(path: str) -> str:
    parts = [p for p in path.split("/") if p.startswith(("year=", "month="))]
    year, month = (int(p.split("=")[1]) for p in parts[-2:])
    return f"{year:04d}-{month:02d}"


def _capture(item: Capture | Quarantined) -> Capture:
    return item.capture if isinstance(item, Quarantined) else item


def _stored_capture(table: str, row: dict[str, Any]) -> Capture | Quarantined:
    capture = Capture(
        raw=row["raw"] or b"",
        format=row["capture_format"] or "html",
        source=row["source"],
        captured_at=row["captured_at"],
        url=row["url"],
        declared_encoding=row.get("declared_encoding"),
        capture_id=row["capture_id"],
    )
    if table == "quarantine" and row["stage"] not in RECLEANABLE_STAGES:
        return Quarantined(capture, row["stage"], row["reason"], row["detail"])
    return capture


def reprocess(archive: str | os.PathLike[str], *, workers: int = IN_PROCESS) -> ReprocessReport:
    """Re-clean every stored capture with the current cleaner (best mode); swap in the new tables."""
    started = time.perf_counter()
    store = ArchiveStore(archive)
    require_local(store, "reprocess")
    report = ReprocessReport(cleaner_version=cleaner_version())
    with store.lock():
        for table in ("articles", "quarantine"):
            remove_orphan_generations(store, table)
        generations = {table: new_generation(store, table) for table in ("articles", "quarantine")}
        staging = store.redirected(generations)
        writer = ArchiveWriter(
            staging,
            cleaner_version=report.cleaner_version,
            run_id=new_run_id(),
            index=ArchiveIndex(staging, tables=("articles", "quarantine")),
            keep_raw=False,
        )
        with cleaning_pool(workers) as cleaner:
            jobs = (_split_stored(batch, report) for batch in batched(stored_captures(store), REPROCESS_BATCH))
            with batches_in_order(jobs, cleaner, jobs_ahead(workers)) as cleaned:
                for (to_clean, carried), results in cleaned:
                    writer.add(paired(to_clean, carried, results))
        stats = writer.close()
        for table, generation in generations.items():
            swap_generation(store, table, generation)
    report.archived, report.quarantined = stats.archived, stats.quarantined
    report.duplicates = stats.duplicates
    report.quarantine_reasons = dict(Counter(stats.quarantine_reasons).most_common())
    report.elapsed_s = round(time.perf_counter() - started, 3)
    return report


def _split_stored(
    batch: list[Capture | Quarantined], report: ReprocessReport
) -> tuple[list[Capture], list[Quarantined]]:
    """A stored batch's captures to clean again, and the rejections carried over as they are."""
    to_clean = [item for item in batch if isinstance(item, Capture)]
    carried = [item for item in batch if isinstance(item, Quarantined)]
    report.captures += len(batch)
    report.carried_over += len(carried)
    return to_clean, carried


@dataclass
class CompactReport:
    """What a compaction did, per table: files before and after, rows (checked equal)."""

    tables: dict[str, dict[str, int]] = field(default_factory=dict)
    elapsed_s: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class CompactionError(RuntimeError):
    """A compacted table did not hold the same rows as the original; nothing was swapped."""


def compact(archive: str | os.PathLike[str], *, target_file_bytes: int = DEFAULT_TARGET_FILE_BYTES) -> CompactReport:
    """Merge each partition's small files into files of about ``target_file_bytes``.

    Files already at least half the target are hard-linked into the new generation unchanged.
    The new generation must hold exactly the same rows (same count, same capture ids) before it
    is swapped in; otherwise CompactionError and the archive is left as it was.
    """
    started = time.perf_counter()
    store = ArchiveStore(archive)
    require_local(store, "compact")
    report = CompactReport()
    with store.lock():
        for table in TABLES:
            remove_orphan_generations(store, table)
            files = [Path(p) for p in store.data_files(table)]
            if not files:
                continue
            generation = new_generation(store, table)
            counts = _compact_table(store, table, files, generation, target_file_bytes)
            swap_generation(store, table, generation)
            report.tables[table] = counts
    report.elapsed_s = round(time.perf_counter() - started, 3)
    return report


def _compact_table(store: ArchiveStore, table: str, files: list[Path], generation: Path, target: int) -> dict[str, int]:
    root = Path(store.table_path(table))
    by_partition: dict[Path, list[Path]] = defaultdict(list)
    for path in files:
        by_partition[path.parent.relative_to(root)].append(path)
    run_id = new_run_id()
    written = 0
    for partition, paths in sorted(by_partition.items()):
        small = [p for p in paths if p.stat().st_size < target // 2]
        for path in paths:
            if path not in small or len(small) == 1:
                (generation / partition).mkdir(parents=True, exist_ok=True)
                os.link(path, generation / partition / path.name)
                written += 1
        if len(small) > 1:
            written += _merge(small, generation / partition, run_id, target, table)
    _check_same_rows(files, sorted(generation.rglob("*.parquet")), table)
    return {"files_before": len(files), "files_after": written, "rows": _row_count(files)}


def _merge(paths: list[Path], folder: Path, run_id: str, target: int, table: str) -> int:
    """Write the rows of ``paths`` into as few files of about ``target`` bytes as fit, at the
    archive's compression level (ingest writes raw captures at a faster, lighter one)."""
    schema, level = CURRENT_SCHEMAS[table], ARCHIVE_COMPRESSION_LEVELS.get(table)
    groups: list[list[Path]] = [[]]
    size = 0
    for path in paths:
        if groups[-1] and size + path.stat().st_size > target:
            groups.append([])
            size = 0
        groups[-1].append(path)
        size += path.stat().st_size
    for number, group in enumerate(groups, start=1):
        merged = pa.concat_tables([conform(pq.read_table(p), schema) for p in group])
        write_parquet_atomically(merged, folder / f"part-{run_id}-compact-{number:04d}.parquet", level)
    return len(groups)


def _row_count(paths: list[Path]) -> int:
    return sum(pq.ParquetFile(p).metadata.num_rows for p in paths)


def _check_same_rows(before: list[Path], after: list[Path], table: str) -> None:
    ids_before = Counter(i for p in before for i in pq.read_table(p, columns=["capture_id"]).column(0).to_pylist())
    ids_after = Counter(i for p in after for i in pq.read_table(p, columns=["capture_id"]).column(0).to_pylist())
    if ids_before != ids_after:
        raise CompactionError(f"compacted {table} does not hold the same rows; the archive was left unchanged")
