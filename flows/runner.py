"""The plain-Python runner: captures in, Parquet out, a RunReport back. No Prefect needed.

``archive_captures`` is the whole pipeline in one call; the Prefect flows drive the same
``IngestRun`` one batch per task, so the two paths cannot drift apart.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime
from functools import partial
from itertools import islice
from pathlib import Path
from typing import Any, TypeVar

from cleaners.modes import DEFAULT_MODE, ExtractionMode, cleaner_version
from flows.batch import (  # noqa: F401 (re-exported)
    DEFAULT_BATCH_SIZE,
    BatchCleaner,
    CleanResult,
    clean_batch,
    clean_one,
    fingerprinted,
    paired,
)
from flows.parallel import Cleaner, batches_in_order, jobs_ahead
from flows.sources import InputFile, SourceOptions, SourceStats, discover, read_input
from schemas.archive import ArchiveIndex, ArchiveStore, ArchiveWriter, fault_point, new_run_id
from schemas.records import Capture, Quarantined

T = TypeVar("T")
#: Rows per Parquet file when a run buffers across batches (backfill): about 10–50 MB of zstd.
BACKFILL_ROWS_PER_FILE = 5_000


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Consecutive lists of ``size`` items (the last may be shorter)."""
    if size < 1:
        raise ValueError("batch size must be at least 1")
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def cleaned_pairs(
    to_clean: list[Capture], rejected: list[Quarantined], cleaner: BatchCleaner
) -> list[tuple[Capture, CleanResult]]:
    """(capture, result) pairs: read-time rejections as they are, the rest cleaned."""
    return paired(to_clean, rejected, cleaner(to_clean) if to_clean else [])


@dataclass(frozen=True)
class CaptureWindow:
    """Captures taken in ``[since, until)``; either end may be open."""

    since: datetime | None = None
    until: datetime | None = None

    def __contains__(self, when: datetime) -> bool:
        return (self.since is None or when >= self.since) and (self.until is None or when < self.until)


@dataclass
class RunReport:
    """What one run did. ``seen == archived + duplicates + quarantined`` always holds.

    Captures outside ``--since/--until`` and WARC records that are not HTML or text responses
    are not captures of this run: they are counted apart (``out_of_window``, ``skipped_records``).
    """

    run_id: str
    archive: str
    seen: int = 0
    archived: int = 0
    duplicates: int = 0
    quarantined: int = 0
    quarantine_reasons: dict[str, int] = field(default_factory=dict)
    files: list[dict[str, Any]] = field(default_factory=list)
    elapsed_s: float = 0.0
    inputs: int = 0
    skipped_records: int = 0
    out_of_window: int = 0
    content_duplicates: int = 0
    revisions: int = 0
    near_duplicates: int = 0

    @property
    def accounted(self) -> bool:
        return self.seen == self.archived + self.duplicates + self.quarantined

    @property
    def captures_per_s(self) -> float:
        return self.seen / self.elapsed_s if self.elapsed_s else 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Progress:
    """A snapshot for progress displays, taken after each batch."""

    seen: int
    quarantined: int
    duplicates: int
    bytes_read: int


ProgressListener = Callable[[Progress], None]


class IngestRun:
    """The state of one run: the id index, the writer and the counters. Thread-safe.

    ``process(batch)`` skips captures already archived (by capture id) without cleaning
    them, cleans the rest with ``cleaner``, and hands the results to the writer.
    """

    def __init__(
        self,
        archive: str | Path,
        *,
        run_id: str | None = None,
        max_rows_per_file: int | None = None,
        window: CaptureWindow | None = None,
        on_progress: ProgressListener | None = None,
        extraction: ExtractionMode = DEFAULT_MODE,
    ) -> None:
        self.archive = str(archive)
        self.extraction = extraction
        self.run_id = run_id or new_run_id()
        store = ArchiveStore(self.archive)
        store.remove_stale_temp_files()
        self.index = ArchiveIndex(store)
        self.index.refresh()
        self.writer = ArchiveWriter(
            store,
            cleaner_version=cleaner_version(extraction),
            run_id=self.run_id,
            index=self.index,
            max_rows_per_file=max_rows_per_file or BACKFILL_ROWS_PER_FILE,
        )
        self.flush_every_batch = max_rows_per_file is None
        self.window = window or CaptureWindow()
        self.source_stats = SourceStats()
        self.on_progress = on_progress
        self.seen = 0
        self.skipped_known = 0
        self.out_of_window = 0
        self.quarantined_so_far = 0
        self._staged: set[object] = set()
        self._unwritten: list[tuple[Capture, CleanResult]] = []
        self._writer_dropped = False
        self._lock = threading.Lock()
        self._started = time.perf_counter()

    def captures(self, paths: Iterable[str], options: SourceOptions | None = None) -> Iterator[Capture | Quarantined]:
        """The captures under ``paths`` that fall in this run's window (others are counted)."""
        return self.captures_of(discover([str(p) for p in paths], options), options)

    def captures_of(
        self, inputs: Iterable[InputFile], options: SourceOptions | None = None
    ) -> Iterator[Capture | Quarantined]:
        """The captures in already listed input files that fall in this run's window."""
        options = options or SourceOptions()
        for item in (capture for found in inputs for capture in read_input(found, options, self.source_stats)):
            when = item.capture.captured_at if isinstance(item, Quarantined) else item.captured_at
            if isinstance(item, Quarantined) or when in self.window:
                yield item
            else:
                self.out_of_window += 1

    def split_known(self, batch: list[Capture | Quarantined]) -> tuple[list[Capture], list[Quarantined]]:
        """Count the batch as seen; return captures to clean and read-time rejections.

        Captures whose id the archive already holds are counted as duplicates here.
        """
        to_clean: list[Capture] = []
        rejected: list[Quarantined] = []
        with self._lock:
            self.seen += len(batch)
            for item in batch:
                capture = item.capture if isinstance(item, Quarantined) else item
                if self.index.knows_capture(capture.capture_id):
                    self.skipped_known += 1
                elif isinstance(item, Quarantined):
                    rejected.append(item)
                else:
                    to_clean.append(item)
        return to_clean, rejected

    def is_staged(self, batch_key: object) -> bool:
        """Whether the batch with this key was handed to the writer (a retry need not clean it again)."""
        with self._lock:
            return batch_key in self._staged

    def commit(self, pairs: list[tuple[Capture, CleanResult]], batch_key: object = None) -> None:
        """Hand (capture, result) pairs to the writer (flushing now if files are per batch).

        Safe to retry after an I/O error when given a ``batch_key``: a batch is handed over once,
        and rows a failed flush dropped are handed over again (see ``_stage``).
        """
        with self._lock:
            fresh = batch_key is None or batch_key not in self._staged
            self._staged.add(batch_key)
            self._stage(pairs if fresh else [])
            if self.flush_every_batch:
                self._guarded(self.writer.flush)
            self.quarantined_so_far += sum(1 for _, r in pairs if fresh and isinstance(r, Quarantined))
            progress = Progress(self.seen, self.quarantined_so_far, self.skipped_known, self.source_stats.bytes_read)
        if self.on_progress:
            self.on_progress(progress)

    def flush(self) -> None:
        """Commit what is buffered (and what a failed flush dropped); safe to retry."""
        with self._lock:
            self._stage([])
            self._guarded(self.writer.flush)

    def _stage(self, pairs: list[tuple[Capture, CleanResult]]) -> None:
        """Add pairs to the writer, first giving back the rows a failed flush took out of its buffer."""
        again = list(self._unwritten) if self._writer_dropped else []
        self._writer_dropped = False
        self._unwritten.extend(pairs)
        self._guarded(lambda: self.writer.add(again + pairs))

    def _guarded(self, action: Callable[[], object]) -> None:
        """Run a writer call that may flush. A failed flush has taken the rows out of the writer's
        buffer and told the index about them: keep the rows for a retry, re-read the index."""
        try:
            action()
        except BaseException:
            self._writer_dropped = True
            self.index = ArchiveIndex(self.index.store)
            self.writer.index = self.index
            raise
        if self.writer.buffered == 0:
            self._unwritten.clear()

    def process(self, batch: list[Capture | Quarantined], cleaner: BatchCleaner | None = None) -> None:
        """Skip known captures, clean the rest (in this process unless ``cleaner`` says otherwise), commit."""
        cleaner = cleaner or partial(clean_batch, mode=self.extraction)
        pairs = cleaned_pairs(*self.split_known(batch), cleaner)
        fault_point("cleaned")
        self.commit(pairs)

    def process_all(self, batches: Iterable[list[Capture | Quarantined]], cleaner: Cleaner) -> None:
        """``process`` every batch, with batches queued for each of ``cleaner``'s workers while
        this process reads and commits; batches are committed in input order."""
        jobs = (self.split_known(batch) for batch in batches)
        with batches_in_order(jobs, cleaner, jobs_ahead(cleaner.workers)) as cleaned:
            for (to_clean, rejected), results in cleaned:
                fault_point("cleaned")
                self.commit(paired(to_clean, rejected, results))

    def finish(self) -> RunReport:
        """Flush what is buffered and return the report."""
        self.flush()
        with self._lock:
            stats = self.writer.close()
        report = RunReport(
            run_id=self.run_id,
            archive=self.archive,
            seen=self.seen,
            archived=stats.archived,
            duplicates=self.skipped_known + stats.duplicates,
            quarantined=stats.quarantined,
            quarantine_reasons=dict(Counter(stats.quarantine_reasons).most_common()),
            files=[{"table": f.table, "path": str(f.path), "rows": f.rows, "bytes": f.bytes} for f in stats.files],
            elapsed_s=round(time.perf_counter() - self._started, 3),
            inputs=self.source_stats.inputs,
            skipped_records=self.source_stats.skipped_records,
            out_of_window=self.out_of_window,
            content_duplicates=stats.content_duplicates,
            revisions=stats.revisions,
            near_duplicates=stats.near_duplicates,
        )
        if not report.accounted:
            raise AssertionError(f"run {report.run_id} lost track of captures: {report}")
        return report


def archive_captures(
    paths: Iterable[str | Path],
    archive: str | Path = "archive",
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    run_id: str | None = None,
    options: SourceOptions | None = None,
    window: CaptureWindow | None = None,
    extraction: ExtractionMode = DEFAULT_MODE,
) -> RunReport:
    """Clean every capture under ``paths`` into the archive, in this process, without Prefect."""
    run = IngestRun(archive, run_id=run_id, window=window, extraction=extraction)
    for batch in batched(run.captures([str(p) for p in paths], options), batch_size):
        run.process(batch)
    return run.finish()
