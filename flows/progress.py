"""A rich progress bar for long runs: captures/s, ETA from input bytes, quarantine count."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from flows.runner import Progress as RunProgress
from flows.runner import ProgressListener


@contextmanager
def progress_bar(console: Console, total_bytes: int) -> Iterator[ProgressListener]:
    """A listener drawing a progress bar while the block runs (a no-op off a terminal)."""
    if not console.is_terminal:
        yield lambda _: None
        return
    started = time.perf_counter()
    columns = (
        TextColumn("[bold]archiving"),
        BarColumn(),
        DownloadColumn(),
        TextColumn("{task.fields[seen]} captures, {task.fields[rate]:.0f}/s, {task.fields[quarantined]} quarantined"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=False) as bar:
        task = bar.add_task("archive", total=total_bytes or None, seen=0, rate=0.0, quarantined=0)

        def update(progress: RunProgress) -> None:
            elapsed = time.perf_counter() - started
            bar.update(
                task,
                completed=progress.bytes_read,
                seen=progress.seen,
                rate=progress.seen / elapsed if elapsed else 0.0,
                quarantined=progress.quarantined,
            )

        yield update
