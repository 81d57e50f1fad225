"""Schema evolution: a version-1 archive (fixture) reads and grows with the current code."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import ARTICLE_HTML, SEED, write_capture

from flows.cli import main
from flows.runner import archive_captures
from schemas.archive import data_files, read_table
from schemas.arrow import ARTICLES_SCHEMA, SCHEMA_VERSION_KEY, IncompatibleSchemaError, schema_version

FIXTURE_V1 = Path(__file__).parent / "fixtures" / "archive_v1"


@pytest.fixture
def v1_archive(tmp_path: Path) -> Path:
    archive = tmp_path / "archive"
    shutil.copytree(FIXTURE_V1, archive)
    return archive


def test_new_rows_join_a_version_1_archive_and_both_versions_read_together(v1_archive: Path, tmp_path: Path) -> None:
    write_capture(tmp_path, "new.html", ARTICLE_HTML, {"url": "https://news.example.com/new"})
    report = archive_captures([tmp_path / "new.html"], v1_archive)
    assert report.archived == 1
    versions = {schema_version(pq.read_schema(p)) for p in data_files(v1_archive, "articles")}
    assert versions == {1, 2}
    rows = read_table(v1_archive).to_pylist()
    assert len(rows) == 3
    old = [r for r in rows if r["cleaner_version"] == "0.1.0" and r["content_hash"] is None]
    assert len(old) == 2 and all(r["revision"] is None and r["updated_at"] is None for r in old)
    new = next(r for r in rows if r["url"] == "https://news.example.com/new")
    assert new["revision"] == 1 and new["content_hash"]


def test_a_capture_archived_under_version_1_is_a_duplicate_now(v1_archive: Path) -> None:
    report = archive_captures([SEED], v1_archive)
    assert (report.seen, report.duplicates, report.archived) == (1, 1, 0)


def _write_foreign_file(archive: Path, schema: pa.Schema, rows: list[dict]) -> None:
    folder = next(p.parent for p in data_files(archive, "articles"))
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), folder / "part-foreign.parquet")


def test_a_changed_column_type_is_refused_with_a_clear_message(v1_archive: Path, capsys) -> None:
    changed = ARTICLES_SCHEMA.set(ARTICLES_SCHEMA.get_field_index("word_count"), pa.field("word_count", pa.string()))
    _write_foreign_file(v1_archive, changed, [])
    with pytest.raises(IncompatibleSchemaError, match=r"column 'word_count' is string.*incompatible"):
        read_table(v1_archive)
    assert main(["show", "--archive", str(v1_archive)]) == 1
    assert "word_count" in capsys.readouterr().out


def test_a_newer_schema_version_is_refused(v1_archive: Path) -> None:
    newer = ARTICLES_SCHEMA.with_metadata({**ARTICLES_SCHEMA.metadata, SCHEMA_VERSION_KEY: b"99"})
    _write_foreign_file(v1_archive, newer, [])
    with pytest.raises(IncompatibleSchemaError, match=r"version 99.*upgrade article-archive"):
        read_table(v1_archive)
