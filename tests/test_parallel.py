"""Worker processes: a pool cleans like this process does, and gives freed memory back."""

from __future__ import annotations

import gc
import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from multiprocessing import Manager
from pathlib import Path
from typing import Any

import psutil
import pytest
from conftest import ARTICLE_HTML
from lxml import html as lxml_html

from flows.batch import CleanResult, clean_batch
from flows.parallel import (
    IN_PROCESS,
    _malloc_trim,
    batches_in_order,
    cleaning_pool,
    finished,
    in_order,
    release_free_memory,
)
from flows.runner import IngestRun, batched
from schemas.archive import read_table
from schemas.records import Capture, Quarantined


def _captures(count: int) -> list[Capture]:
    return [
        Capture(
            raw=ARTICLE_HTML.replace("Monday", f"Monday, day {i}").encode(),
            url=f"https://news.example.com/{i}",
            captured_at=datetime(2026, 11, 1, tzinfo=UTC),
            format="html",
            source=f"page{i}.html",
        )
        for i in range(count)
    ]


def test_a_worker_pool_returns_what_this_process_would() -> None:
    captures = _captures(3)
    with cleaning_pool(1, "fast") as cleaner:
        pooled = cleaner(captures)
    assert pooled == clean_batch(captures, "fast")
    assert [r.url for r in pooled] == [c.url for c in captures]


@pytest.mark.skipif(_malloc_trim() is None, reason="no malloc_trim in this C library (not glibc)")
def test_released_memory_goes_back_to_the_system() -> None:
    page = "<html><body>" + "<div><p>word word word</p><span>x</span></div>" * 20_000 + "</body></html>"
    trees = [lxml_html.fromstring(page) for _ in range(10)]
    del trees
    gc.collect()
    before = psutil.Process().memory_info().rss
    release_free_memory()
    assert psutil.Process().memory_info().rss < before - 10 * 2**20


def test_in_order_keeps_batches_queued_ahead_and_yields_in_input_order() -> None:
    events: list[str] = []

    def submit(job: int) -> Future[int]:
        events.append(f"submit {job}")
        return finished(job * 10)

    results = []
    for job, result in in_order(range(5), submit, ahead=2):
        events.append(f"yield {job}")
        results.append((job, result))
    assert results == [(0, 0), (1, 10), (2, 20), (3, 30), (4, 40)]
    # Job 0 is waited for only once jobs 1 and 2 are submitted behind it.
    assert events[:4] == ["submit 0", "submit 1", "submit 2", "yield 0"]
    assert events[-3:] == ["yield 2", "yield 3", "yield 4"]


def test_a_consumer_that_stops_cancels_the_jobs_not_yet_started() -> None:
    started: list[int] = []
    release = threading.Event()

    def run(job: int) -> int:
        started.append(job)
        if job:
            release.wait(60)  # job 1 may hold the only thread; jobs 2-4 wait behind it
        return job

    with ThreadPoolExecutor(max_workers=1) as pool:
        with pytest.raises(RuntimeError, match="commit failed"):
            for _job, _result in in_order(range(6), lambda job: pool.submit(run, job), ahead=4):
                raise RuntimeError("commit failed")
        release.set()
    assert started[0] == 0 and set(started) <= {0, 1}  # jobs 2-4, queued, were cancelled


class _ThreadCleaner:
    """A cleaner whose batches run one at a time on a thread; each records its start and, past
    the first, waits for ``release``."""

    workers = 1

    def __init__(self, pool: ThreadPoolExecutor) -> None:
        self.pool = pool
        self.started: list[str] = []
        self.release = threading.Event()

    def __call__(self, captures: list[Capture]) -> list[CleanResult]:
        return self.submit(captures).result()

    def submit(self, captures: list[Capture]) -> Future[list[CleanResult]]:
        return self.pool.submit(self._clean, captures)

    def _clean(self, captures: list[Capture]) -> list[CleanResult]:
        self.started.append(captures[0].source)
        if len(self.started) > 1:
            self.release.wait(60)
        return []


def test_leaving_batches_in_order_cancels_the_queued_batches() -> None:
    """The window is closed by the ``with`` block itself, even while the caller still holds the
    iterator (so no garbage collection can be what cancels the queue)."""
    jobs = [([capture], "carried") for capture in _captures(6)]
    with ThreadPoolExecutor(max_workers=1) as pool:
        cleaner = _ThreadCleaner(pool)
        with pytest.raises(RuntimeError, match="commit failed"), batches_in_order(jobs, cleaner, ahead=4) as cleaned:
            held = cleaned
            for (_batch, carried), results in cleaned:
                assert (carried, results) == ("carried", [])
                raise RuntimeError("commit failed")
        cleaner.release.set()
    assert held.gi_frame is None  # closed: the window's ``finally`` ran
    assert cleaner.started[0] == "page0.html" and set(cleaner.started) <= {"page0.html", "page1.html"}


def test_every_worker_cleans_when_batches_are_queued() -> None:
    """With two workers and batches queued ahead, both worker processes clean: the plain
    (no-Prefect) backfill used to wait for each batch, so a second worker sat idle. Each job waits
    (up to 60 s) until two jobs run at once, so the pids are those of two busy workers."""
    with Manager() as manager, cleaning_pool(2, "fast") as cleaner:
        both_busy = manager.Barrier(2, timeout=60)
        jobs = [cleaner.pool.submit(_pid_when_both_busy, both_busy) for _ in range(2)]
        assert len({job.result() for job in jobs}) == 2


def _pid_when_both_busy(barrier: Any) -> int:
    barrier.wait()
    return os.getpid()


class _RecordingCleaner:
    """A two-worker cleaner that records each submitted batch (and cleans it in this process)."""

    workers = 2

    def __init__(self) -> None:
        self.events: list[str] = []
        self.submitted = 0

    def __call__(self, captures: list[Capture]) -> list[CleanResult]:
        raise AssertionError("process_all must submit batches, not wait for each")

    def submit(self, captures: list[Capture]) -> Future[list[CleanResult]]:
        self.events.append(f"submit {captures[0].source}")
        self.submitted += 1
        return finished(clean_batch(captures, "fast"))


def test_process_all_submits_ahead_and_commits_in_input_order(tmp_path: Path) -> None:
    captures = _captures(6)
    batches: list[list[Capture | Quarantined]] = [[c] for c in [*captures[:3], captures[1], *captures[3:]]]
    run = IngestRun(tmp_path, extraction="fast")
    committed: list[str] = []
    cleaner = _RecordingCleaner()
    original_commit = run.commit

    def commit(pairs: list[tuple[Capture, CleanResult]], batch_key: object = None) -> None:
        cleaner.events.append("commit " + ",".join(capture.source for capture, _ in pairs))
        committed.extend(capture.source for capture, _ in pairs)
        original_commit(pairs, batch_key)

    run.commit = commit  # type: ignore[method-assign]
    run.process_all(batches, cleaner)
    report = run.finish()
    # Five batches are submitted (one per worker in flight, two queued each) before the first commit.
    assert cleaner.events[:6] == [f"submit page{i}.html" for i in (0, 1, 2, 1, 3)] + ["commit page0.html"]
    assert committed == [f"page{i}.html" for i in (0, 1, 2, 1, 3, 4, 5)]
    assert (report.seen, report.archived, report.duplicates) == (7, 6, 1)  # the repeat, caught at commit

    rerun = IngestRun(tmp_path, extraction="fast")
    rerun.process_all(batches, cleaner)  # every capture known: nothing goes to the cleaner
    assert cleaner.submitted == 7
    assert (rerun.finish().duplicates, rerun.seen) == (7, 7)


def test_process_all_archives_what_batch_by_batch_processing_does(tmp_path: Path) -> None:
    *readable, unreadable = _captures(6)
    captures: list[Capture | Quarantined] = [*readable, Quarantined(unreadable, "read", "unreadable", "broken")]
    reports = {}
    for name, workers in (("serial", IN_PROCESS), ("queued", 2)):
        run = IngestRun(tmp_path / name, extraction="fast")
        with cleaning_pool(workers, "fast") as cleaner:
            run.process_all(batched(captures, 2), cleaner)
        reports[name] = run.finish()
    serial, queued = reports["serial"], reports["queued"]
    assert (queued.seen, queued.archived, queued.duplicates, queued.quarantined) == (
        serial.seen, serial.archived, serial.duplicates, serial.quarantined,
    )  # fmt: skip
    assert serial.archived == 5 and serial.quarantined == 1
    rows = {name: read_table(tmp_path / name, "articles").sort_by("url") for name in reports}
    assert rows["queued"].column("body").to_pylist() == rows["serial"].column("body").to_pylist()
