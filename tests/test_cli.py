"""The command line: run (plain and Prefect paths share one report), explain, argument errors."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import SEED

from flows.cli import main
from schemas.archive import read_table


def test_run_without_prefect_prints_the_report(
    mixed_inputs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", str(mixed_inputs), "--archive", str(tmp_path / "a"), "--no-prefect"]) == 0
    out = capsys.readouterr().out
    for label, value in [("captures seen", "5"), ("archived", "2"), ("duplicates", "0"), ("quarantined", "3")]:
        assert any(label in line and line.rstrip(" │").endswith(value) for line in out.splitlines()), label
    assert "no_article_text" in out and "binary" in out
    assert read_table(tmp_path / "a").num_rows == 2


def test_run_refuses_a_missing_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", str(tmp_path / "nope"), "--no-prefect"]) == 2
    assert "no such file or folder" in capsys.readouterr().out


def test_bad_batch_size_is_an_argument_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["run", "x", "--batch-size", "0"])
    assert "must be at least 1" in capsys.readouterr().err


def test_explain_shows_each_line_with_its_rule(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", str(SEED)]) == 0
    out = capsys.readouterr().out
    skip_line = next(line for line in out.splitlines() if "Skip to main content" in line)
    assert "drop" in skip_line and "nav." in skip_line
    first_para = next(line for line in out.splitlines() if "Beijing has strongly denied" in line)
    assert "keep" in first_para
    assert "publisher: The Globe and Mail" in out


@pytest.mark.prefect
@pytest.mark.usefixtures("prefect_harness")
def test_run_through_prefect_is_idempotent(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    archive = str(tmp_path / "a")
    assert main(["run", str(SEED), "--archive", archive]) == 0
    assert main(["run", str(SEED), "--archive", archive]) == 0
    out = capsys.readouterr().out
    assert read_table(Path(archive)).num_rows == 1
    assert "wall time" in out


def test_backfill_with_worker_processes_window_and_globs(
    mixed_inputs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    archive = str(tmp_path / "a")
    in_window = datetime(2026, 11, 15, tzinfo=UTC).timestamp()
    for capture in mixed_inputs.glob("*.html"):  # captured_at is the file's mtime where no sidecar says
        os.utime(capture, (in_window, in_window))
    args = ["backfill", str(mixed_inputs), "--archive", archive, "--no-prefect", "--workers", "2", "--batch-size", "1"]
    assert main([*args, "--exclude", "*.txt", "--since", "2026-11-01", "--until", "2026-12-01"]) == 0
    out = capsys.readouterr().out
    assert read_table(Path(archive)).column("url").to_pylist() == ["https://news.example.com/2026/11/harbour"]
    assert "binary" in out and "no_article_text" in out  # the two HTML captures refused, with their reasons
    assert main([*args]) == 0  # resume: the .txt captures now, the rest skipped without cleaning
    assert read_table(Path(archive)).num_rows == 2


def test_bad_date_is_an_argument_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["backfill", "x", "--since", "last tuesday"])
    assert "not a date" in capsys.readouterr().err
