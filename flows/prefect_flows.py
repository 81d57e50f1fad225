"""Prefect orchestration: a thin flow over the plain runner, one task per batch of captures.

A task is a batch (hundreds of captures), never one capture: a Prefect task run costs 7–10 ms.
With ``workers >= 1`` the batch tasks run on a few threads of this process and hand their
cleaning to a process pool, so every Prefect call stays in this process (a Prefect process pool
would start one temporary server per worker process when no server is configured).

Retries: the I/O edges (listing the sources, committing a batch, the final flush) are tasks
retried with exponential backoff on transient ``OSError``. A batch task cleans and commits: it is
retried when such an error reaches it (from its commit; a cleaner bug quarantines its capture
instead of raising), and a retry of a batch the writer already holds does not clean it again.
A retried commit hands its batch to the writer once (``IngestRun.commit``'s batch key), so the
report's ``seen = archived + duplicates + quarantined`` holds whatever was retried. (The commit
used to be a task of its own, nested in the batch task: one more task run per batch, about a
tenth of the parent's and the Prefect server's CPU in a backfill.)

Batches go to tasks ``quote``d: Prefect otherwise walks every parameter looking for futures
(every field of every capture and record, several times a task run).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from typing import Annotated, Any

from flows.prefect_env import apply_prefect_defaults

apply_prefect_defaults()

from prefect import flow, get_run_logger, task  # noqa: E402
from prefect.artifacts import create_markdown_artifact  # noqa: E402
from prefect.cache_policies import NO_CACHE  # noqa: E402
from prefect.task_runners import ThreadPoolTaskRunner  # noqa: E402
from prefect.tasks import exponential_backoff  # noqa: E402
from prefect.utilities.annotations import quote  # noqa: E402
from pydantic import Field  # noqa: E402

from cleaners.modes import DEFAULT_MODE, ExtractionMode  # noqa: E402
from flows.parallel import (  # noqa: E402
    IN_PROCESS,
    Cleaner,
    Pending,
    PrefectPending,
    cleaning_pool,
    finished,
    in_order,
    jobs_ahead,
)
from flows.report import report_markdown  # noqa: E402
from flows.runner import (  # noqa: E402
    DEFAULT_BATCH_SIZE,
    BatchCleaner,
    CaptureWindow,
    CleanResult,
    IngestRun,
    ProgressListener,
    RunReport,
    batched,
    cleaned_pairs,
)
from flows.sources import InputFile, SourceOptions, discover  # noqa: E402
from schemas.records import Capture, Quarantined  # noqa: E402

FLOW_NAME = "article-archive-ingest"
REPORT_ARTIFACT_KEY = "article-archive-run-report"
#: Retries of an I/O task, and the first delay: 2, 4, 8 s (each ±50 % jitter).
IO_RETRIES = 3
IO_RETRY_BACKOFF_S = 2.0
#: I/O errors a retry cannot fix (a wrong path, missing rights, a name already taken).
PERMANENT_IO_ERRORS = (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError, FileExistsError)
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


def as_utc(when: datetime | None) -> datetime | None:
    """A parameter datetime as an aware one (naive values, e.g. ``--param since=2026-11-01``, are UTC)."""
    return when.replace(tzinfo=UTC) if when is not None and when.tzinfo is None else when


def is_transient_io_error(exc: BaseException) -> bool:
    """An I/O error worth retrying (a network or storage hiccup), not a wrong path or a bug."""
    return isinstance(exc, OSError) and not isinstance(exc, PERMANENT_IO_ERRORS)


def _retry_transient_io(task: Any, task_run: Any, state: Any) -> bool:
    """Prefect ``retry_condition_fn``: retry a failed I/O task only on a transient error."""
    try:
        state.result()
    except Exception as exc:  # noqa: BLE001 - the failed task's own exception, inspected here
        return is_transient_io_error(exc)
    return False


IO_TASK_OPTIONS: dict[str, Any] = {
    "cache_policy": NO_CACHE,
    "retries": IO_RETRIES,
    "retry_delay_seconds": exponential_backoff(IO_RETRY_BACKOFF_S),
    "retry_jitter_factor": 0.5,
    "retry_condition_fn": _retry_transient_io,
}


@task(name="list-inputs", **IO_TASK_OPTIONS)
def list_inputs(sources: list[str], options: SourceOptions) -> list[InputFile]:
    """The input files under ``sources`` (listing a bucket or a share is I/O: retried)."""
    return list(discover(sources, options))


@task(name="commit-batch", task_run_name="commit-{batch_no}", **IO_TASK_OPTIONS)
def commit_batch(run: IngestRun, pairs: list[tuple[Capture, CleanResult]], batch_no: int) -> None:
    """Commit one cleaned batch; a retry commits it once (the batch number is its key)."""
    run.commit(pairs, batch_key=batch_no)


def _commit_quoted(run: IngestRun, pairs: list[tuple[Capture, CleanResult]], batch_no: int) -> None:
    """``commit_batch`` with the pairs ``quote``d (not walked by Prefect): how the Dask path,
    which cleans elsewhere, commits each batch in this process."""
    commit_batch(run, quote(pairs), batch_no)


@task(name="finish-run", **IO_TASK_OPTIONS)
def finish_run(run: IngestRun) -> RunReport:
    """Flush what is still buffered and build the report (retried: the flush writes files)."""
    return run.finish()


@task(name="archive-batch", task_run_name="batch-{batch_no}", **IO_TASK_OPTIONS)
def archive_batch(
    run: IngestRun, to_clean: list[Capture], rejected: list[Quarantined], batch_no: int, cleaner: BatchCleaner
) -> int:
    """Clean a batch's new captures and commit them with its read-time rejections; returns how many
    captures it handled. Retried on a transient I/O error of the commit: the batch number keys the
    commit, and a retry of a batch the writer already holds commits without cleaning it again."""
    staged = run.is_staged(batch_no)
    run.commit([] if staged else cleaned_pairs(to_clean, rejected, cleaner), batch_key=batch_no)
    return len(to_clean) + len(rejected)


def _start_batch(run: IngestRun, batch_no: int, batch: list[Capture | Quarantined], cleaner: Cleaner) -> Pending[int]:
    """Start one batch's task: submitted when cleaning runs in worker processes (so that they
    all stay busy), run here otherwise; a batch the archive holds entirely needs no task run."""
    to_clean, rejected = run.split_known(batch)
    if not to_clean and not rejected:
        run.commit([])  # all archived already (a rerun): no task run, nothing to write
        return finished(0)
    if cleaner.workers == IN_PROCESS:
        return finished(archive_batch(run, quote(to_clean), quote(rejected), batch_no, cleaner))
    return PrefectPending(archive_batch.submit(run, quote(to_clean), quote(rejected), batch_no, cleaner))


@flow(name=FLOW_NAME, task_runner=ThreadPoolTaskRunner(max_workers=16), validate_parameters=True)
def ingest_flow(
    sources: Annotated[list[Annotated[str, Field(min_length=1)]], Field(min_length=1)],
    archive: Annotated[str, Field(min_length=1)] = "archive",
    batch_size: Annotated[int, Field(ge=1)] = DEFAULT_BATCH_SIZE,
    workers: Annotated[int, Field(ge=0)] = IN_PROCESS,
    since: datetime | None = None,
    until: datetime | None = None,
    include: list[str] | None = None,
    exclude: list[str] | None = None,
    rows_per_file: Annotated[int | None, Field(ge=1)] = None,
    dask_address: Annotated[str | None, Field(min_length=1)] = None,
    extraction: ExtractionMode = DEFAULT_MODE,
) -> dict[str, Any]:
    """Archive every capture under ``sources``: read, clean in batches, write Parquet.

    Captures the archive already holds (by capture id) are skipped before cleaning, so a
    scheduled run over a growing landing folder only cleans what is new. ``workers`` = 0 cleans
    in this process; N >= 1 uses N worker processes. ``rows_per_file`` buffers rows across
    batches into files of that many rows (default: a file per batch). ``dask_address`` (e.g.
    ``tcp://scheduler:8786``) cleans the batches as tasks on that Dask cluster instead (``workers``
    is then unused; commits stay in this process; see docs/scaling.md). ``extraction`` = ``fast``
    trades some HTML quality for about 2.4 times the speed (``cleaners.modes``). Parameters are validated
    (Prefect raises ``ParameterTypeError`` naming the parameter; a deployment run is refused).
    """
    since, until = as_utc(since), as_utc(until)
    if since is not None and until is not None and since >= until:
        raise ValueError(f"since ({since.isoformat()}) must be before until ({until.isoformat()})")
    logger = get_run_logger()
    run = IngestRun(
        archive,
        max_rows_per_file=rows_per_file,
        window=CaptureWindow(since, until),
        on_progress=_notify,
        extraction=extraction,
    )
    options = SourceOptions(include=tuple(include or ()), exclude=tuple(exclude or ()))
    logger.info("run %s: archiving %s into %s (workers=%d)", run.run_id, ", ".join(sources), archive, workers)
    inputs = list_inputs(sources, options)
    if dask_address:
        from flows.distributed import archive_on_dask

        batches = batched(run.captures_of(inputs, options), batch_size)
        archive_on_dask(run, batches, dask_address, _commit_quoted, log=logger.info)
    else:
        with cleaning_pool(workers, extraction) as cleaner:
            batches = enumerate(batched(run.captures_of(inputs, options), batch_size))
            # The window holds the started tasks, not their batches (each task commits its own).
            started = (_start_batch(run, batch_no, batch, cleaner) for batch_no, batch in batches)
            with closing(in_order(started, lambda pending: pending, jobs_ahead(workers))) as finished_tasks:
                for _ in finished_tasks:
                    pass
    report = finish_run(run)
    logger.info(
        "run %s: seen %d, archived %d, duplicates %d, quarantined %d, %d files, %.1f captures/s",
        report.run_id, report.seen, report.archived, report.duplicates, report.quarantined,
        len(report.files), report.captures_per_s,
    )  # fmt: skip
    create_markdown_artifact(markdown=report_markdown(report), key=REPORT_ARTIFACT_KEY)
    return report.to_dict()
