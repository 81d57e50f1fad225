"""Worker processes: a pool cleans like this process does, and gives freed memory back."""

from __future__ import annotations

import gc
import os
import time
from concurrent.futures import Future
from datetime import UTC, datetime
from pathlib import Path

import psutil
import pytest
from conftest import ARTICLE_HTML
from lxml import html as lxml_html

from flows.batch import clean_batch
from flows.parallel import IN_PROCESS, _malloc_trim, cleaning_pool, finished, in_order, jobs_ahead, release_free_memory
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


def test_every_worker_cleans_when_batches_are_queued(tmp_path: Path) -> None:
    """With two workers and batches queued ahead, both worker processes clean: the plain
    (no-Prefect) backfill used to wait for each batch, so a second worker sat idle."""
    captures = _captures(8)
    with cleaning_pool(2, "fast") as cleaner:
        worker_pids = {pid for _, pid in in_order(
            [captures[i : i + 1] for i in range(8)],
            lambda batch: cleaner.pool.submit(_slow_pid, batch),
            ahead=jobs_ahead(cleaner.workers),
        )}  # fmt: skip
    assert len(worker_pids) == 2


def _slow_pid(batch: list[Capture]) -> int:
    time.sleep(0.2)
    return os.getpid()


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
