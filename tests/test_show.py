"""``article-archive show``: counts per table, versions, publishers by month, quarantine reasons."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.cli import main
from flows.runner import archive_captures
from flows.show import summarize


def test_summary_counts_what_the_archive_holds(mixed_inputs: Path, tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    archive_captures([mixed_inputs], archive)
    summary = summarize(archive)
    assert {t: summary.tables[t]["rows"] for t in summary.tables} == {"articles": 2, "quarantine": 3, "captures": 2}
    assert all(summary.tables[t]["bytes"] > 0 for t in summary.tables)
    assert summary.schema_versions["articles"] == {2: summary.tables["articles"]["files"]}
    assert sum(summary.cleaner_versions.values()) == 2
    assert ("Example News", 2026, 11, 1) in summary.publisher_months
    assert sorted(r for _, r, _ in summary.quarantine_reasons) == ["binary", "empty", "no_article_text"]


def test_show_prints_rich_tables(mixed_inputs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    archive = tmp_path / "archive"
    archive_captures([mixed_inputs], archive)
    assert main(["show", "--archive", str(archive)]) == 0
    out = capsys.readouterr().out
    for text in ("articles per publisher and month", "Example News", "quarantined, by reason", "no_article_text"):
        assert text in out


def test_show_on_an_empty_archive(tmp_path: Path) -> None:
    summary = summarize(tmp_path / "nothing-here")
    assert all(t["rows"] == 0 for t in summary.tables.values())
