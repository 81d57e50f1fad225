"""The archive's Arrow schemas: the versioned contract with downstream Parquet readers.

Every table carries its name and schema version in the schema metadata, and every field a
``description`` in its field metadata, so a reader that opens any one file knows what it holds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pyarrow as pa

SCHEMA_VERSION_KEY = b"article_archive.schema_version"
TABLE_KEY = b"article_archive.table"


TIMESTAMP = pa.timestamp("us", tz="UTC")


def _field(name: str, type_: pa.DataType, description: str, *, nullable: bool = True) -> pa.Field:
    return pa.field(name, type_, nullable=nullable, metadata={"description": description})


def _schema(table: str, version: int, fields: Iterable[pa.Field]) -> pa.Schema:
    return pa.schema(
        list(fields),
        metadata={TABLE_KEY: table.encode(), SCHEMA_VERSION_KEY: str(version).encode()},
    )


ARTICLES_FIELDS_V1: tuple[pa.Field, ...] = (
    _field(
        "article_id",
        pa.string(),
        "sha256 (hex) of the canonical URL when known, else of the normalised body",
        nullable=False,
    ),
    _field("url", pa.string(), "URL the capture was taken from, if known"),
    _field("publisher", pa.string(), "Publisher or site name, from metadata or the site profile"),
    _field("title", pa.string(), "Headline as a reader sees it"),
    _field("byline", pa.string(), "The byline exactly as found on the page (raw)"),
    _field("authors", pa.list_(pa.string()), "Person names from the byline, in page order"),
    _field(
        "credits",
        pa.list_(pa.string()),
        "Agencies, 'with files from' sources and organisations named as the author (Reuters, AP, Acme Team …)",
    ),
    _field("published_at", TIMESTAMP, "When the article was first published (UTC)"),
    _field("captured_at", TIMESTAMP, "When the capture was taken (UTC)", nullable=False),
    _field("language", pa.string(), "ISO 639-1 code of the body's language, if detected"),
    _field("body", pa.string(), "Article paragraphs in order, joined by a blank line", nullable=False),
    _field("word_count", pa.int32(), "Number of words in body", nullable=False),
    _field("capture_id", pa.string(), "sha256 (hex) of the raw capture bytes", nullable=False),
    _field("capture_format", pa.string(), "Format of the capture: 'text' or 'html'", nullable=False),
    _field("source", pa.string(), "Where the capture was read from (path or URI, #offset)", nullable=False),
    _field("cleaner_version", pa.string(), "Version of article-archive that cleaned it", nullable=False),
)

ARTICLES_SCHEMA_V1 = _schema("articles", 1, ARTICLES_FIELDS_V1)

#: Version 2 adds fields at the end only: version-1 files read with them as null.
ARTICLES_FIELDS_V2: tuple[pa.Field, ...] = (
    *ARTICLES_FIELDS_V1,
    _field("updated_at", TIMESTAMP, "When the article was last updated, if the page says (UTC)"),
    _field(
        "date_source",
        pa.string(),
        "Where published_at was found: jsonld, meta, time, label, htmldate, url, text (null when no date)",
    ),
    _field("content_hash", pa.string(), "sha256 (hex) of the normalised body: same text, same hash"),
    _field("revision", pa.int32(), "1 for the first version of an article_id, then 2, 3 … as its content changes"),
    _field(
        "duplicate_of",
        pa.string(),
        "article_id of an earlier archived article this one nearly duplicates (same story), else null",
    ),
    _field("simhash", pa.int64(), "64-bit SimHash of the body's word 3-grams: near-duplicates differ in <= 3 bits"),
)
ARTICLES_SCHEMA_V2 = _schema("articles", 2, ARTICLES_FIELDS_V2)

QUARANTINE_SCHEMA_V1 = _schema(
    "quarantine",
    1,
    (
        _field("capture_id", pa.string(), "sha256 (hex) of the raw capture bytes", nullable=False),
        _field("source", pa.string(), "Where the capture was read from", nullable=False),
        _field("url", pa.string(), "URL the capture was taken from, if known"),
        _field("captured_at", TIMESTAMP, "When the capture was taken (UTC)", nullable=False),
        _field("capture_format", pa.string(), "Format of the capture: 'text' or 'html'"),
        _field("stage", pa.string(), "Pipeline stage that refused it (read, decode, extract …)", nullable=False),
        _field("reason", pa.string(), "Short stable reason code, for grouping", nullable=False),
        _field("detail", pa.string(), "Human-readable explanation", nullable=False),
        _field("raw", pa.large_binary(), "The raw capture bytes, kept so nothing is lost"),
        _field("cleaner_version", pa.string(), "Version of article-archive that refused it", nullable=False),
    ),
)

CAPTURES_SCHEMA_V1 = _schema(
    "captures",
    1,
    (
        _field("capture_id", pa.string(), "sha256 (hex) of the raw capture bytes", nullable=False),
        _field("source", pa.string(), "Where the capture was read from (path or URI, #offset)", nullable=False),
        _field("url", pa.string(), "URL the capture was taken from, if known"),
        _field("captured_at", TIMESTAMP, "When the capture was taken (UTC)", nullable=False),
        _field("capture_format", pa.string(), "Format of the capture: 'text' or 'html'", nullable=False),
        _field("declared_encoding", pa.string(), "Charset declared by the transport (HTTP header, sidecar)"),
        _field("raw", pa.large_binary(), "The raw capture bytes, exactly as read", nullable=False),
    ),
)

#: Version 2 keeps the transport's charset, so a reprocess decodes a quarantined capture as the ingest did.
QUARANTINE_SCHEMA_V2 = _schema(
    "quarantine",
    2,
    (
        *QUARANTINE_SCHEMA_V1,
        _field("declared_encoding", pa.string(), "Charset declared by the transport (HTTP header, sidecar)"),
    ),
)

ARTICLES_SCHEMA = ARTICLES_SCHEMA_V2
QUARANTINE_SCHEMA = QUARANTINE_SCHEMA_V2
CAPTURES_SCHEMA = CAPTURES_SCHEMA_V1

#: Every schema this code has ever written, by table and version: the reader's evolution map.
SCHEMAS: Mapping[str, Mapping[int, pa.Schema]] = {
    "articles": {1: ARTICLES_SCHEMA_V1, 2: ARTICLES_SCHEMA_V2},
    "quarantine": {1: QUARANTINE_SCHEMA_V1, 2: QUARANTINE_SCHEMA_V2},
    "captures": {1: CAPTURES_SCHEMA_V1},
}
CURRENT_SCHEMAS: Mapping[str, pa.Schema] = {
    "articles": ARTICLES_SCHEMA,
    "quarantine": QUARANTINE_SCHEMA,
    "captures": CAPTURES_SCHEMA,
}


class IncompatibleSchemaError(ValueError):
    """A file's schema cannot be read as the current one (newer version, or a changed type)."""


def check_readable(file_schema: pa.Schema, table: str, where: str) -> None:
    """Refuse, with a clear message, a file the current schema cannot read.

    Readable: any version up to the current one whose fields all exist in the current schema
    with the same type (fields added since read as null). Refused: a newer version, a field the
    current schema dropped, or a field whose type changed.
    """
    current = CURRENT_SCHEMAS[table]
    version, newest = schema_version(file_schema), schema_version(current)
    if version is not None and newest is not None and version > newest:
        raise IncompatibleSchemaError(
            f"{where}: written with {table} schema version {version}, but this article-archive reads up to "
            f"version {newest}; upgrade article-archive to read it"
        )
    for field in file_schema:
        if field.name in ("year", "month"):
            continue
        if field.name not in current.names:
            raise IncompatibleSchemaError(f"{where}: column {field.name!r} is not in {table} schema version {newest}")
        expected = current.field(field.name).type
        if field.type != expected:
            raise IncompatibleSchemaError(
                f"{where}: column {field.name!r} is {field.type}, but {table} schema version {newest} has {expected}; "
                "this change is incompatible (rewrite the archive with `article-archive reprocess`)"
            )


def schema_version(schema: pa.Schema) -> int | None:
    """The schema version stored in a schema's metadata, or None if it carries none."""
    raw = (schema.metadata or {}).get(SCHEMA_VERSION_KEY)
    return int(raw) if raw is not None else None


def conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """A table read from an older file, in ``schema``: missing columns null, metadata current."""
    columns = [
        table.column(f.name).cast(f.type) if f.name in table.column_names else pa.nulls(table.num_rows, f.type)
        for f in schema
    ]
    return pa.Table.from_arrays(columns, schema=schema)


def to_table(rows: list[dict[str, Any]], schema: pa.Schema) -> pa.Table:
    """Rows as an Arrow table with exactly ``schema`` (raises if a row does not fit)."""
    return pa.Table.from_pylist(rows, schema=schema)
