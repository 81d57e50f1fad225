"""The archive contract: schema metadata, atomic never-overwriting files, and plain readers."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
from conftest import SEED

from cleaners.core import article_id
from flows.runner import archive_captures
from schemas.archive import ArchiveWriter, data_files, read_table, write_parquet_atomically
from schemas.arrow import ARTICLES_SCHEMA, SCHEMAS, schema_version
from schemas.records import ArticleRecord, Capture, content_hash

FIXTURE_V1 = Path(__file__).parent / "fixtures" / "archive_v1"


@pytest.fixture(scope="module")
def seed_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    archive = tmp_path_factory.mktemp("archive")
    archive_captures([SEED], archive)
    return archive


def test_every_field_has_a_description_and_the_schema_a_version() -> None:
    for versions in SCHEMAS.values():
        for schema in versions.values():
            assert schema_version(schema) in versions
            for field in schema:
                assert field.metadata and field.metadata[b"description"], field.name


def test_files_carry_schema_version_and_descriptions(seed_archive: Path) -> None:
    (path,) = data_files(seed_archive, "articles")
    schema = pq.read_schema(path)
    assert schema_version(schema) == schema_version(ARTICLES_SCHEMA)
    assert schema.field("body").metadata[b"description"].startswith(b"Article paragraphs")


def test_reads_back_with_pyarrow_dataset(seed_archive: Path) -> None:
    table = ds.dataset(seed_archive / "articles", format="parquet", partitioning="hive").to_table()
    assert table.num_rows == 1
    assert table.schema.field("authors").type == pa.list_(pa.string())
    assert table.schema.field("captured_at").type == pa.timestamp("us", tz="UTC")


def test_reads_back_with_pandas(seed_archive: Path) -> None:
    frame = pd.read_parquet(seed_archive / "articles")
    assert list(frame["publisher"]) == ["The Globe and Mail"]
    assert frame["word_count"].iloc[0] > 900


def test_reads_back_with_duckdb(seed_archive: Path) -> None:
    glob = str(seed_archive / "articles" / "**" / "*.parquet")
    rows = duckdb.sql(
        f"select publisher, credits, year, month from read_parquet('{glob}', hive_partitioning=true)"
    ).fetchall()
    assert len(rows) == 1
    publisher, credits, year, month = rows[0]
    assert (publisher, credits) == ("The Globe and Mail", ["Reuters"])
    assert year >= 2026 and 1 <= month <= 12


def test_atomic_write_never_overwrites(tmp_path: Path) -> None:
    table = pa.table({"x": [1]})
    target = tmp_path / "part-a.parquet"
    write_parquet_atomically(table, target)
    with pytest.raises(FileExistsError):
        write_parquet_atomically(pa.table({"x": [2]}), target)
    assert pq.read_table(target).column("x").to_pylist() == [1]
    assert [p.name for p in tmp_path.iterdir()] == ["part-a.parquet"]  # no temp file left


def test_temporary_files_are_invisible_to_readers(seed_archive: Path) -> None:
    (path,) = data_files(seed_archive, "articles")
    leftover = path.with_name(f".{path.name}.deadbeef.tmp")
    leftover.write_bytes(b"half a parquet file")
    try:
        assert data_files(seed_archive, "articles") == [path]
        assert read_table(seed_archive).num_rows == 1
        glob = str(seed_archive / "articles" / "**" / "*.parquet")
        assert duckdb.sql(f"select count(*) from read_parquet('{glob}')").fetchall() == [(1,)]
    finally:
        leftover.unlink()


def test_version_1_archive_reads_with_new_columns_as_null() -> None:
    table = read_table(FIXTURE_V1)
    assert table.num_rows == 2
    assert table.schema.names[: len(SCHEMAS["articles"][1])] == SCHEMAS["articles"][1].names
    assert set(table.column("revision").to_pylist()) == {None}
    assert {schema_version(pq.read_schema(p)) for p in data_files(FIXTURE_V1, "articles")} == {1}


def make_pair(body: str, *, url: str | None = None, raw: bytes | None = None, month: int = 3) -> tuple:
    """A (capture, article record) pair as the cleaner would return it."""
    captured_at = datetime(2025, month, 4, tzinfo=UTC)
    capture = Capture(raw=raw or body.encode(), format="text", source="s", captured_at=captured_at, url=url)
    record = ArticleRecord(
        article_id=article_id(url, body), url=url, publisher=None, title=None, byline=None, authors=(), credits=(),
        published_at=None, captured_at=captured_at, language="en", body=body, word_count=len(body.split()),
        capture_id=capture.capture_id, capture_format="text", source="s", cleaner_version="0",
        content_hash=content_hash(body),
    )  # fmt: skip
    return capture, record


def test_writer_buffers_until_flush_and_keeps_the_raw_capture(tmp_path: Path) -> None:
    writer = ArchiveWriter(tmp_path, cleaner_version="0", max_rows_per_file=10)
    capture, record = make_pair("Body text of the article.")
    writer.add([(capture, record)])
    assert data_files(tmp_path, "articles") == []
    stats = writer.close()
    assert stats.archived == 1
    (path,) = data_files(tmp_path, "articles")
    assert path.parent.parts[-2:] == ("year=2025", "month=3")
    (raw_row,) = read_table(tmp_path, "captures").to_pylist()
    assert raw_row["raw"] == capture.raw and raw_row["capture_id"] == capture.capture_id
    assert pq.ParquetFile(data_files(tmp_path, "captures")[0]).metadata.row_group(0).column(0).compression == "ZSTD"


def test_writer_flushes_on_buffered_bytes_as_well_as_rows(tmp_path: Path) -> None:
    writer = ArchiveWriter(tmp_path, cleaner_version="0", max_rows_per_file=1000, max_buffer_bytes=4000)
    for i in range(4):
        writer.add([make_pair(f"Body number {i}. " + "word " * 100, raw=b"x" * 1000 + bytes([i]))])
    assert len(data_files(tmp_path, "articles")) == 1  # each pair is ~1.5 kB: the third passed 4,000 bytes
    writer.close()
    assert read_table(tmp_path).num_rows == 4
