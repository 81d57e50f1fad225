"""Crash and resume, and concurrent runs: SIGKILLed or racing backfills lose and duplicate nothing."""

from __future__ import annotations

import contextlib
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from schemas.archive import FAULT_ENV, PAUSE_ENV, TMP_SUFFIX, read_table
from schemas.records import sha256_hex
from tests.conftest import EVAL_DIR, SEED

MONTHS = (1, 2, 3, 4, 5, 6)
RUN_TIMEOUT_S = 600


def unique_variant(text: str, i: int) -> str:
    """The page with a sentence naming ``i`` added to its longest line and every line of 12 words or
    more: a distinct capture whose cleaned body is distinct too (checked over all 890 pages)."""
    lines = text.splitlines()
    longest = max(range(len(lines)), key=lambda k: len(lines[k]))
    marked = [
        f"{line} Archive reference number {i} was recorded." if k == longest or len(line.split()) >= 12 else line
        for k, line in enumerate(lines)
    ]
    return "\n".join(marked) + "\n"


def make_corpus(folder: Path, count: int, start: int = 0) -> set[str]:
    """``count`` distinct text captures from the shared evaluation pages (or the seed), spread over
    six months by modification time; returns their capture ids."""
    pages = sorted(EVAL_DIR.glob("*/*.txt")) or [SEED]
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in pages]
    folder.mkdir(parents=True, exist_ok=True)
    ids = set()
    for i in range(start, start + count):
        raw = unique_variant(texts[i % len(texts)], i).encode("utf-8")
        path = folder / f"capture-{i:05d}.txt"
        path.write_bytes(raw)
        month = MONTHS[i % len(MONTHS)]
        stamp = time.mktime((2026, month, 15, 12, 0, 0, 0, 0, 0))
        os.utime(path, (stamp, stamp))
        ids.add(sha256_hex(raw))
    return ids


@dataclass
class Outcome:
    """A backfill subprocess's exit code and, if it finished, its run report's counts."""

    returncode: int
    seen: int | None
    archived: int | None
    duplicates: int | None
    quarantined: int | None
    output: str


def _count(label: str, text: str) -> int | None:
    found = re.search(rf"{label}\D+(\d+)", text)
    return int(found.group(1)) if found else None


def backfill_command(inputs: list[Path], archive: Path, workers: int, rows_per_file: int) -> list[str]:
    exe = shutil.which("article-archive")
    prefix = [exe] if exe else [sys.executable, "-m", "flows.cli"]
    return [
        *prefix, "backfill", *map(str, inputs), "--archive", str(archive), "--no-prefect",
        "--workers", str(workers), "--batch-size", "50", "--rows-per-file", str(rows_per_file),
    ]  # fmt: skip


@dataclass
class Running:
    """A backfill subprocess and the file its output goes to."""

    process: subprocess.Popen[bytes]
    log: Path


def start_backfill(
    inputs: list[Path],
    archive: Path,
    *,
    fault: str | None = None,
    workers: int = 0,
    rows_per_file: int = 200,
    pause_s: float | None = None,
) -> Running:
    """A backfill in its own process group, its output to a file (an orphaned cleaning worker
    would hold a pipe open after its parent is killed)."""
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb"}
    env.pop(FAULT_ENV, None)
    if fault:
        env[FAULT_ENV] = fault
    if pause_s:
        env[PAUSE_ENV] = str(pause_s)
    log = archive.with_name(f"{archive.name}-{time.monotonic_ns()}.log")
    with log.open("wb") as output:
        process = subprocess.Popen(
            backfill_command(inputs, archive, workers, rows_per_file),
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Running(process, log)


def finish(running: Running, timeout: float = RUN_TIMEOUT_S) -> Outcome:
    """Wait for a backfill, kill what is left of its process group, and read its report."""
    process = running.process
    try:
        process.wait(timeout=timeout)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    output = running.log.read_text(encoding="utf-8", errors="replace")
    return Outcome(
        process.returncode,
        _count("captures seen", output),
        _count("archived", output),
        _count("duplicates", output),
        _count("quarantined", output),
        output,
    )


def run_backfill(inputs: list[Path], archive: Path, **kwargs: object) -> Outcome:
    return finish(start_backfill(inputs, archive, **kwargs))  # type: ignore[arg-type]


def visible_parquet(archive: Path) -> list[Path]:
    """What a reader globbing ``ARCHIVE/**/*.parquet`` sees (through the table links)."""
    return sorted(p for table in ("articles", "quarantine", "captures") for p in (archive / table).glob("**/*.parquet"))


def check_archive(archive: Path, expected: set[str], *, complete: bool) -> dict[str, int]:
    """Every visible file readable (pyarrow and DuckDB), no capture id twice, nothing unexpected;
    when ``complete``, every capture accounted for exactly once. Returns rows per table."""
    for path in visible_parquet(archive):
        assert not path.name.startswith("."), path
        pq.read_metadata(path)  # a partial file would fail here
    rows: dict[str, int] = {}
    ids: dict[str, list[str]] = {}
    for table in ("articles", "quarantine", "captures"):
        if not (archive / table).exists():
            rows[table], ids[table] = 0, []
            continue
        ids[table] = read_table(archive, table).column("capture_id").to_pylist()
        rows[table] = len(ids[table])
        dataset = ds.dataset(archive / table, format="parquet", partitioning="hive")
        assert dataset.count_rows() == rows[table]
        glob = str(archive / table / "**" / "*.parquet")
        with duckdb.connect() as con:
            (count,) = con.execute(f"select count(*) from read_parquet('{glob}', hive_partitioning=true)").fetchone()
        assert count == rows[table]
        twice = [i for i, n in Counter(ids[table]).items() if n > 1]
        assert not twice, f"{table} holds {len(twice)} capture ids more than once"
        assert set(ids[table]) <= expected
    known = set(ids["captures"]) | set(ids["quarantine"])
    assert not set(ids["captures"]) & set(ids["quarantine"])
    if complete:
        assert known == expected
        assert set(ids["articles"]) == set(ids["captures"])  # every body in the corpus is distinct
        assert rows["articles"] + rows["quarantine"] == len(expected)
    return rows


def leftover_temp_files(archive: Path) -> list[Path]:
    return sorted(archive.rglob(f".*{TMP_SUFFIX}"))


def age(paths: list[Path], seconds: float) -> None:
    for path in paths:
        stamp = time.time() - seconds
        os.utime(path, (stamp, stamp))


def crash_and_resume(tmp_path: Path, count: int, faults: list[str], workers: int) -> dict[str, object]:
    """Kill a backfill at each fault in turn (each run resuming the last), then run it to the end."""
    inputs = tmp_path / "inputs"
    archive = tmp_path / "archive"
    expected = make_corpus(inputs, count)
    killed: list[dict[str, object]] = []
    for fault in faults:
        outcome = run_backfill([inputs], archive, fault=fault, workers=workers)
        assert outcome.returncode == -signal.SIGKILL, f"{fault} did not fire:\n{outcome.output[-2000:]}"
        rows = check_archive(archive, expected, complete=False)
        for tmp in leftover_temp_files(archive):  # a killed writer's temp file stays hidden
            assert tmp.name.startswith(".") and not tmp.name.endswith(".parquet")
            if tmp.stat().st_nlink == 1:  # not yet linked: cut it, as a kill in mid-write would
                with tmp.open("r+b") as handle:
                    handle.truncate(tmp.stat().st_size // 2)
        check_archive(archive, expected, complete=False)  # a partial temp file changes nothing
        killed.append({"fault": fault, **rows, "temp_files_left": len(leftover_temp_files(archive))})
    left = leftover_temp_files(archive)
    age(left, 2 * 3600)  # the next run removes temp files older than an hour
    before = check_archive(archive, expected, complete=False)
    final = run_backfill([inputs], archive, workers=workers)
    assert final.returncode == 0, final.output[-3000:]
    after = check_archive(archive, expected, complete=True)
    assert not leftover_temp_files(archive)
    # The rerun's report balances, and together with what the killed runs committed covers the corpus.
    assert final.seen == count
    assert final.seen == (final.archived or 0) + (final.duplicates or 0) + (final.quarantined or 0)
    assert before["articles"] + final.archived == after["articles"]
    assert before["quarantine"] + final.quarantined == after["quarantine"]
    return {"killed": killed, "temp_files_removed": len(left), "final": final, "rows": after}


def test_crash_at_each_point_then_resume(tmp_path: Path) -> None:
    """A short variant: killed after a commit's articles file, with a temp file written, while cleaning."""
    result = crash_and_resume(tmp_path, 150, ["linked:2", "tmp_written:2", "cleaned:1"], workers=0)
    assert result["temp_files_removed"] >= 1


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_crash_and_resume_a_few_thousand_captures(tmp_path: Path) -> None:
    """3000 captures, five deterministic kills plus one at a random moment, then a rerun to the end."""
    faults = ["cleaned:5", "linked:2", "tmp_written:4", "linked:6", "tmp_written:1"]
    inputs_result = crash_and_resume(tmp_path, 3000, faults, workers=1)
    archive = tmp_path / "archive"
    print(inputs_result)
    assert inputs_result["rows"]["articles"] > 0
    # A kill at an arbitrary moment (no hook) of a fresh archive, then a resume.
    archive2 = tmp_path / "archive-random"
    running = start_backfill([tmp_path / "inputs"], archive2, workers=1)
    deadline = time.monotonic() + 120
    while not list(archive2.glob("captures/**/*.parquet")) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(random.uniform(0.0, 2.0))
    os.killpg(running.process.pid, signal.SIGKILL)
    finish(running)
    expected = {sha256_hex(p.read_bytes()) for p in (tmp_path / "inputs").glob("*.txt")}
    check_archive(archive2, expected, complete=False)
    final = run_backfill([tmp_path / "inputs"], archive2, workers=1)
    assert final.returncode == 0, final.output[-3000:]
    check_archive(archive2, expected, complete=True)
    assert archive.exists()


def test_concurrent_backfills_over_overlapping_inputs(tmp_path: Path) -> None:
    """Two backfills at once, sharing a third of their inputs, into one archive: each capture once."""
    parts = [tmp_path / f"part{i}" for i in range(3)]
    expected = set()
    for i, part in enumerate(parts):
        expected |= make_corpus(part, 40, start=i * 40)
    archive = tmp_path / "archive"
    # Each commit pauses between re-reading the ids and writing: without the lock, both runs
    # would pass the check for the shared third and archive it twice.
    first = start_backfill(parts[:2], archive, rows_per_file=20, pause_s=0.4)
    second = start_backfill(parts[1:], archive, rows_per_file=20, pause_s=0.4)
    a, b = finish(first), finish(second)
    assert a.returncode == 0, a.output[-3000:]
    assert b.returncode == 0, b.output[-3000:]
    rows = check_archive(archive, expected, complete=True)
    for outcome in (a, b):
        assert outcome.seen == 80
        assert outcome.seen == (outcome.archived or 0) + (outcome.duplicates or 0) + (outcome.quarantined or 0)
    # The shared third was archived by one run and found a duplicate by the other.
    assert (a.archived or 0) + (b.archived or 0) == rows["articles"]
    assert (a.duplicates or 0) + (b.duplicates or 0) >= 40
