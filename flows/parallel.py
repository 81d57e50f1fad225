"""Where cleaning runs: in this process, or in a pool of worker processes (plain data in/out)."""

from __future__ import annotations

import ctypes
import ctypes.util
import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from functools import cache, partial

from cleaners.modes import DEFAULT_MODE, ExtractionMode
from flows.batch import BatchCleaner, CleanResult, clean_batch
from schemas.records import Capture

IN_PROCESS = 0
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


def _clean_in_pool(pool: ProcessPoolExecutor, captures: list[Capture], mode: ExtractionMode) -> list[CleanResult]:
    return pool.submit(clean_batch_in_worker, captures, mode).result()


@contextmanager
def cleaning_pool(workers: int, mode: ExtractionMode = DEFAULT_MODE) -> Iterator[BatchCleaner]:
    """A batch cleaner using ``workers`` processes (``IN_PROCESS`` = 0: this process, no pool),
    extracting in ``mode``.

    Worker processes are spawned, not forked: the parent runs Prefect's threads, and forking a
    threaded process is unsafe. Captures go to a worker as bytes and come back as records.
    """
    if workers < 0:
        raise ValueError("workers must be 0 (this process) or more")
    if workers == IN_PROCESS:
        yield partial(clean_batch, mode=mode)
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_warm_worker, max_tasks_per_child=BATCHES_PER_WORKER
    ) as pool:
        yield partial(_clean_in_pool, pool, mode=mode)
