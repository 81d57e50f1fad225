"""Where cleaning runs: in this process, or in a pool of worker processes (plain data in/out)."""

from __future__ import annotations

import ctypes
import ctypes.util
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import closing, contextmanager
from functools import cache
from typing import Any, Generic, Protocol, TypeVar, cast

from cleaners.modes import DEFAULT_MODE, ExtractionMode
from flows.batch import CleanResult, clean_batch
from schemas.records import Capture

IN_PROCESS = 0
#: Batches queued per worker process besides the one it cleans. With one, a worker that finished
#: before the oldest batch's commit had to wait for the next batch to be read and submitted. A
#: backfill batch (25 HTML pages) is a few MB; a ``run``/``serve`` batch of 200 HTML pages about
#: 36 MB, so a 2-worker run holds up to about 180 MB of batches instead of 108.
BATCHES_QUEUED_PER_WORKER = 2
J = TypeVar("J")
#: A job whose first item is the batch of captures to clean (what follows rides along).
BatchJob = TypeVar("BatchJob", bound=tuple[list[Capture], Any])
R = TypeVar("R")
R_co = TypeVar("R_co", covariant=True)
#: A worker process is replaced after this many batches (5,000 captures at the backfill's 25 a
#: batch), a guard against memory a pathological page leaves behind. With ``malloc_trim`` after
#: each batch a worker stayed at 89–96 MB over 5,000 HTML captures (measured), and each
#: replacement costs about a second of CPU (imports, regex compilation) for nothing.
BATCHES_PER_WORKER = 200


def default_workers() -> int:
    """All the cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _warm_worker() -> None:
    """Load the profiles (and the cleaners' imports) once per worker process."""
    from cleaners.profiles import default_profiles

    default_profiles()


def release_free_memory() -> None:
    """Give the C heap's free pages back to the system (glibc ``malloc_trim``; elsewhere a no-op).

    lxml and the extractors free their trees between pages, but glibc keeps the freed pages: a
    worker grew to about 280 MB on 600 pages and stayed there; trimmed after each batch, 200 MB,
    for about 4 ms a batch.
    """
    if (trim := _malloc_trim()) is not None:
        trim(0)


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    return getattr(ctypes.CDLL(name), "malloc_trim", None) if name else None


def clean_batch_in_worker(captures: list[Capture], mode: ExtractionMode) -> list[CleanResult]:
    """What a worker process runs for a batch: clean it, then hand freed memory back."""
    results = clean_batch(captures, mode)
    release_free_memory()
    return results


class PoolCleaner:
    """A batch cleaner backed by worker processes: call it to clean one batch and wait, or
    ``submit`` batches to keep every worker busy while this process reads and writes."""

    def __init__(self, pool: ProcessPoolExecutor, workers: int, mode: ExtractionMode) -> None:
        self.pool = pool
        self.workers = workers
        self.mode = mode

    def __call__(self, captures: list[Capture]) -> list[CleanResult]:
        return self.submit(captures).result()

    def submit(self, captures: list[Capture]) -> Future[list[CleanResult]]:
        return self.pool.submit(clean_batch_in_worker, captures, self.mode)


class InProcessCleaner:
    """A batch cleaner that cleans in this process; ``submit`` cleans before it returns."""

    workers = IN_PROCESS

    def __init__(self, mode: ExtractionMode) -> None:
        self.mode = mode

    def __call__(self, captures: list[Capture]) -> list[CleanResult]:
        return clean_batch(captures, self.mode)

    def submit(self, captures: list[Capture]) -> Future[list[CleanResult]]:
        return finished(self(captures))


def finished(result: R) -> Future[R]:
    """A future that already holds ``result``."""
    done: Future[R] = Future()
    done.set_result(result)
    return done


class Cleaner(Protocol):
    """What cleans batches: called, it cleans one and waits; ``submit`` starts one and returns."""

    workers: int

    def __call__(self, captures: list[Capture]) -> list[CleanResult]: ...

    def submit(self, captures: list[Capture]) -> Future[list[CleanResult]]: ...


def submit_batch(cleaner: Cleaner, captures: list[Capture]) -> Future[list[CleanResult]]:
    """Start cleaning ``captures``; a batch with nothing to clean does not go to a worker."""
    return cleaner.submit(captures) if captures else finished([])


class Pending(Protocol[R_co]):
    """Work started elsewhere: a ``concurrent.futures.Future``, or an adapter of another kind."""

    def result(self) -> R_co: ...

    def cancel(self) -> object: ...


class PrefectPending(Generic[R]):
    """A Prefect task future as ``Pending`` (Prefect's futures cancel through the one they wrap),
    holding ``keep`` (a batch scattered to a Dask worker) referenced until the task is done."""

    def __init__(self, future: Any, keep: object = None) -> None:
        self.future = future
        self.keep = keep

    def result(self) -> R:
        return cast(R, self.future.result())

    def cancel(self) -> object:
        return self.future.wrapped_future.cancel()


def in_order(jobs: Iterable[J], submit: Callable[[J], Pending[R]], ahead: int) -> Iterator[tuple[J, R]]:
    """Each job with its result, in the jobs' order, keeping up to ``ahead`` jobs submitted
    beyond the one being waited for (so that every worker has a batch queued). The one window
    of work in flight of every path: plain, Prefect tasks, Dask.

    If the caller stops early (an error while committing, Ctrl-C), jobs not yet started are
    cancelled instead of being cleaned for nothing.
    """
    pending: deque[tuple[J, Pending[R]]] = deque()
    try:
        for job in jobs:
            pending.append((job, submit(job)))
            if len(pending) > ahead:
                oldest, future = pending.popleft()
                yield oldest, future.result()
        while pending:
            oldest, future = pending.popleft()
            yield oldest, future.result()
    finally:
        for _, future in pending:
            future.cancel()


@contextmanager
def batches_in_order(
    jobs: Iterable[BatchJob], cleaner: Cleaner, ahead: int
) -> Iterator[Iterator[tuple[BatchJob, list[CleanResult]]]]:
    """``in_order`` over jobs whose first item is a batch for ``cleaner``; leaving the block
    (an error while committing, Ctrl-C) cancels the batches queued but not started."""
    with closing(in_order(jobs, lambda job: submit_batch(cleaner, job[0]), ahead)) as cleaned:
        yield cleaned


def jobs_ahead(workers: int) -> int:
    """Batches to keep submitted beyond the oldest: two per worker (none when cleaning here)."""
    return BATCHES_QUEUED_PER_WORKER * workers


@contextmanager
def cleaning_pool(workers: int, mode: ExtractionMode = DEFAULT_MODE) -> Iterator[Cleaner]:
    """A batch cleaner using ``workers`` processes (``IN_PROCESS`` = 0: this process, no pool),
    extracting in ``mode``.

    Worker processes are spawned, not forked: the parent runs Prefect's threads, and forking a
    threaded process is unsafe. Captures go to a worker as bytes and come back as records.
    """
    if workers < 0:
        raise ValueError("workers must be 0 (this process) or more")
    if workers == IN_PROCESS:
        yield InProcessCleaner(mode)
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_warm_worker, max_tasks_per_child=BATCHES_PER_WORKER
    ) as pool:
        try:
            yield PoolCleaner(pool, workers, mode)
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)  # queued batches would be cleaned for nothing
            raise
