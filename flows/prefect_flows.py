"""Prefect orchestration: a thin flow over the plain runner, one task per batch of captures.

A task is a batch (hundreds of captures), never one capture: a Prefect task run costs 7–10 ms.
With ``workers > 1`` the batch tasks run on a few threads of this process and hand their
cleaning to a process pool, so all Prefect calls stay in this process (a Prefect process pool
would start one temporary server per worker process when no server is configured).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flows.prefect_env import apply_prefect_defaults

apply_prefect_defaults()

from prefect import flow, get_run_logger, task  # noqa: E402
from prefect.artifacts import create_markdown_artifact  # noqa: E402
from prefect.cache_policies import NO_CACHE  # noqa: E402
from prefect.task_runners import ThreadPoolTaskRunner  # noqa: E402

from flows.parallel import cleaning_pool  # noqa: E402
from flows.report import report_markdown  # noqa: E402
from flows.runner import DEFAULT_BATCH_SIZE, BatchCleaner, IngestRun, batched  # noqa: E402
from flows.sources import read_captures  # noqa: E402
from schemas.records import Capture, Quarantined  # noqa: E402

FLOW_NAME = "article-archive-ingest"


@task(name="archive-batch", cache_policy=NO_CACHE, task_run_name="batch-{batch_no}")
def archive_batch(run: IngestRun, batch: list[Capture | Quarantined], batch_no: int, cleaner: BatchCleaner) -> int:
    """Clean one batch of captures and commit the results; returns the batch size."""
    run.process(batch, cleaner)
    return len(batch)


@contextmanager
def _in_flight(limit: int) -> Iterator[deque[Any]]:
    """A bounded window of task futures: waits on the oldest, and resolves all at the end."""
    window: deque[Any] = deque()
    try:
        yield window
    finally:
        while window:
            window.popleft().result()


@flow(name=FLOW_NAME, task_runner=ThreadPoolTaskRunner(max_workers=8), validate_parameters=True)
def ingest_flow(
    sources: list[str],
    archive: str = "archive",
    batch_size: int = DEFAULT_BATCH_SIZE,
    workers: int = 1,
) -> dict[str, Any]:
    """Archive every capture under ``sources``: read, clean (in batches), write Parquet."""
    logger = get_run_logger()
    run = IngestRun(Path(archive))
    logger.info("run %s: archiving %s into %s (workers=%d)", run.run_id, ", ".join(sources), archive, workers)
    with cleaning_pool(workers) as cleaner, _in_flight(2 * workers) as window:
        for batch_no, batch in enumerate(batched(read_captures(sources), batch_size)):
            if workers == 1:
                archive_batch(run, batch, batch_no, cleaner)
                continue
            window.append(archive_batch.submit(run, batch, batch_no, cleaner))
            while len(window) >= 2 * workers:
                window.popleft().result()
    report = run.finish()
    logger.info(
        "run %s: seen %d, archived %d, duplicates %d, quarantined %d",
        report.run_id, report.seen, report.archived, report.duplicates, report.quarantined,
    )  # fmt: skip
    create_markdown_artifact(markdown=report_markdown(report), key="article-archive-run-report")
    return report.to_dict()
