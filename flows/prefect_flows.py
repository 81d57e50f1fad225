"""Prefect orchestration: a thin flow over the plain runner, one task per batch of captures.

A task is a batch (hundreds of captures), never one capture: a Prefect task run costs 7–10 ms.
With ``workers >= 1`` the batch tasks run on a few threads of this process and hand their
cleaning to a process pool, so every Prefect call stays in this process (a Prefect process pool
would start one temporary server per worker process when no server is configured).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from flows.prefect_env import apply_prefect_defaults

apply_prefect_defaults()

from prefect import flow, get_run_logger, task  # noqa: E402
from prefect.artifacts import create_markdown_artifact  # noqa: E402
from prefect.cache_policies import NO_CACHE  # noqa: E402
from prefect.task_runners import ThreadPoolTaskRunner  # noqa: E402

from flows.parallel import IN_PROCESS, cleaning_pool  # noqa: E402
from flows.report import report_markdown  # noqa: E402
from flows.runner import (  # noqa: E402
    DEFAULT_BATCH_SIZE,
    BatchCleaner,
    CaptureWindow,
    IngestRun,
    ProgressListener,
    batched,
)
from flows.sources import SourceOptions  # noqa: E402
from schemas.records import Capture, Quarantined  # noqa: E402

FLOW_NAME = "article-archive-ingest"
REPORT_ARTIFACT_KEY = "article-archive-run-report"
_listeners: list[ProgressListener] = []


@contextmanager
def progress_listener(listener: ProgressListener) -> Iterator[None]:
    """Have flows run in this process report progress to ``listener`` (a terminal display)."""
    _listeners.append(listener)
    try:
        yield
    finally:
        _listeners.remove(listener)


def _notify(progress: Any) -> None:
    for listener in list(_listeners):
        listener(progress)


@task(name="archive-batch", cache_policy=NO_CACHE, task_run_name="batch-{batch_no}")
def archive_batch(run: IngestRun, batch: list[Capture | Quarantined], batch_no: int, cleaner: BatchCleaner) -> int:
    """Clean one batch of captures and commit the results; returns the batch size."""
    run.process(batch, cleaner)
    return len(batch)


class FutureWindow:
    """At most ``limit`` task futures in flight; each is resolved, so a failure surfaces."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._futures: deque[Any] = deque()

    def add(self, future: Any) -> None:
        self._futures.append(future)
        self.drain(self.limit - 1)

    def drain(self, keep: int = 0) -> None:
        while len(self._futures) > keep:
            self._futures.popleft().result()


@flow(name=FLOW_NAME, task_runner=ThreadPoolTaskRunner(max_workers=16), validate_parameters=True)
def ingest_flow(
    sources: list[str],
    archive: str = "archive",
    batch_size: int = DEFAULT_BATCH_SIZE,
    workers: int = IN_PROCESS,
    since: datetime | None = None,
    until: datetime | None = None,
    include: list[str] | None = None,
    exclude: list[str] | None = None,
    rows_per_file: int | None = None,
) -> dict[str, Any]:
    """Archive every capture under ``sources``: read, clean in batches, write Parquet.

    ``workers`` = 0 cleans in this process; N >= 1 uses N worker processes. ``rows_per_file``
    buffers rows across batches into files of that many rows (default: a file per batch).
    """
    logger = get_run_logger()
    run = IngestRun(archive, max_rows_per_file=rows_per_file, window=CaptureWindow(since, until), on_progress=_notify)
    options = SourceOptions(include=tuple(include or ()), exclude=tuple(exclude or ()))
    logger.info("run %s: archiving %s into %s (workers=%d)", run.run_id, ", ".join(sources), archive, workers)
    window = FutureWindow(limit=max(1, 2 * workers))
    with cleaning_pool(workers) as cleaner:
        try:
            for batch_no, batch in enumerate(batched(run.captures(sources, options), batch_size)):
                if workers == IN_PROCESS:
                    archive_batch(run, batch, batch_no, cleaner)
                else:
                    window.add(archive_batch.submit(run, batch, batch_no, cleaner))
        finally:
            window.drain()
    report = run.finish()
    logger.info(
        "run %s: seen %d, archived %d, duplicates %d, quarantined %d",
        report.run_id, report.seen, report.archived, report.duplicates, report.quarantined,
    )  # fmt: skip
    create_markdown_artifact(markdown=report_markdown(report), key=REPORT_ARTIFACT_KEY)
    return report.to_dict()
