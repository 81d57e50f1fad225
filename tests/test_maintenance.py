"""Reprocess and compact: new generations swapped in whole, same rows, safe to interrupt."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from conftest import ARTICLE_HTML, write_capture

import cleaners.modes
import flows.maintenance
from flows.maintenance import CompactionError, compact, reprocess
from flows.runner import archive_captures
from schemas.archive import ARCHIVE_COMPRESSION_LEVELS, COMPRESSION_LEVELS, GENERATIONS, data_files, read_table


@pytest.fixture
def small_files_archive(tmp_path: Path, mixed_inputs: Path) -> Path:
    """An archive of 5 captures (2 articles, 3 quarantined), one batch per capture."""
    for i in range(4):
        html = ARTICLE_HTML.replace("Monday", f"Monday, day {i}")
        write_capture(mixed_inputs, f"extra{i}.html", html, {"url": f"https://news.example.com/{i}"})
    archive = tmp_path / "archive"
    report = archive_captures([mixed_inputs], archive, batch_size=1)
    assert (report.archived, report.quarantined) == (6, 3)
    return archive


def _duckdb_count(archive: Path, table: str) -> int:
    glob = archive / table / "**" / "*.parquet"
    return duckdb.sql(f"select count(*) from read_parquet('{glob}', hive_partitioning=true)").fetchall()[0][0]


def test_reprocess_recleans_every_stored_capture_without_the_original_files(
    small_files_archive: Path, mixed_inputs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = read_table(small_files_archive).sort_by("capture_id")
    shutil.rmtree(mixed_inputs)  # rebuilt from the captures table alone
    monkeypatch.setattr(cleaners.modes, "__version__", "9.9.9")
    report = reprocess(small_files_archive)
    assert (report.captures, report.archived, report.quarantined) == (9, 6, 3)
    after = read_table(small_files_archive).sort_by("capture_id")
    assert set(after.column("cleaner_version").to_pylist()) == {"9.9.9"}
    assert after.column("capture_id").equals(before.column("capture_id"))
    assert after.column("body").equals(before.column("body"))
    quarantine = read_table(small_files_archive, "quarantine")
    assert sorted(quarantine.column("reason").to_pylist()) == ["binary", "empty", "no_article_text"]
    assert _duckdb_count(small_files_archive, "articles") == 6


def test_an_interrupted_reprocess_leaves_the_archive_as_it_was(
    small_files_archive: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = read_table(small_files_archive).sort_by("capture_id")

    def crash(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(flows.maintenance, "swap_generation", crash)
    with pytest.raises(KeyboardInterrupt):
        reprocess(small_files_archive)
    assert read_table(small_files_archive).sort_by("capture_id").equals(before)
    monkeypatch.undo()
    reprocess(small_files_archive)  # the next run removes the orphan generation and succeeds
    generations = list((small_files_archive / GENERATIONS / "articles").iterdir())
    assert len(generations) == 1


def test_compact_merges_small_files_and_keeps_the_rows(small_files_archive: Path) -> None:
    before = {t: read_table(small_files_archive, t).sort_by("capture_id") for t in ("articles", "quarantine")}
    files_before = len(data_files(small_files_archive, "articles"))
    report = compact(small_files_archive)
    assert report.tables["articles"]["files_before"] == files_before > report.tables["articles"]["files_after"]
    for table, rows in before.items():
        assert read_table(small_files_archive, table).sort_by("capture_id").equals(rows)
    assert _duckdb_count(small_files_archive, "articles") == 6
    again = compact(small_files_archive)  # idempotent
    assert again.tables["articles"]["files_after"] == report.tables["articles"]["files_after"]


def test_a_compaction_that_would_change_rows_is_refused(
    small_files_archive: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files_before = data_files(small_files_archive, "articles")

    def lose_a_row(paths: list[Path], folder: Path, run_id: str, target: int, schema: object) -> int:
        original(paths[1:], folder, run_id, target, schema)
        return 1

    original = flows.maintenance._merge
    monkeypatch.setattr(flows.maintenance, "_merge", lose_a_row)
    with pytest.raises(CompactionError, match="same rows"):
        compact(small_files_archive)
    assert data_files(small_files_archive, "articles") == files_before
    assert read_table(small_files_archive).num_rows == 6


def test_compact_rewrites_raw_captures_at_the_archive_compression_level(
    small_files_archive: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    levels: list[int | None] = []
    write = flows.maintenance.write_parquet_atomically

    def recording_write(table: object, path: Path, level: int | None = None) -> int:
        levels.append(level)
        return write(table, path, level)  # type: ignore[arg-type]

    monkeypatch.setattr(flows.maintenance, "write_parquet_atomically", recording_write)
    compact(small_files_archive)
    assert ARCHIVE_COMPRESSION_LEVELS["captures"] in levels  # merged captures: the archive level
    assert ARCHIVE_COMPRESSION_LEVELS["captures"] > COMPRESSION_LEVELS["captures"]  # ingest: faster
