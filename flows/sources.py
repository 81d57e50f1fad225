"""Capture sources: find inputs under paths or fsspec URLs and read them lazily as Captures.

Inputs, by name (``.gz`` accepted on each):

* ``*.txt`` — one copied-page capture; ``*.html`` / ``*.htm`` — one HTML capture; each with an
  optional sidecar ``<name>.json`` holding ``{"url": …, "captured_at": …}``;
* ``*.warc`` / ``*.warc.gz`` — read with warcio: ``response`` records with an HTML or text payload
  become captures (target URI, WARC-Date, HTTP charset); other records are skipped and counted;
* ``*.jsonl`` / ``*.jsonl.gz`` — one capture per line, ``{url, captured_at, html | text}``, the
  field names configurable (``JsonlFields``).

Paths may be local or any fsspec URL (``s3://bucket/prefix``, ``file://…``). Reading is the
I/O edge: a capture that cannot be read (truncated gzip, malformed JSON line, bad sidecar,
decompression bomb) comes out as a Quarantined value with stage ``read``, never an exception.
"""

from __future__ import annotations

import fnmatch
import gzip
import json
import posixpath
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from email.message import Message
from typing import IO, Any, Literal

import fsspec
from fsspec.spec import AbstractFileSystem

from schemas.records import Capture, CaptureFormat, Quarantined, sha256_hex

InputKind = Literal["text", "html", "warc", "jsonl"]

#: Name suffix (before an optional ``.gz``) -> input kind.
INPUT_SUFFIXES: dict[str, InputKind] = {
    ".txt": "text",
    ".html": "html",
    ".htm": "html",
    ".warc": "warc",
    ".arc": "warc",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}
SIDECAR_SUFFIX = ".json"
#: Largest capture accepted, decompressed; larger ones are quarantined (decompression bombs too).
MAX_CAPTURE_BYTES = 64 * 1024 * 1024
#: Largest single JSON line accepted from a JSONL file.
MAX_JSONL_LINE_BYTES = MAX_CAPTURE_BYTES * 2
HTML_MEDIA_TYPES = frozenset({"text/html", "application/xhtml+xml"})
TEXT_MEDIA_TYPES = frozenset({"text/plain"})


@dataclass(frozen=True)
class JsonlFields:
    """Field names of a JSONL capture row (Scrapy feeds and scrapers differ)."""

    url: str = "url"
    captured_at: str = "captured_at"
    html: str = "html"
    text: str = "text"
    encoding: str = "encoding"


@dataclass(frozen=True)
class SourceOptions:
    """How inputs are found and read."""

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    jsonl_fields: JsonlFields = field(default_factory=JsonlFields)
    max_capture_bytes: int = MAX_CAPTURE_BYTES


@dataclass
class SourceStats:
    """What reading saw besides captures: inputs opened, records skipped, bytes read."""

    inputs: int = 0
    skipped_records: int = 0
    skipped_by_kind: dict[str, int] = field(default_factory=dict)
    bytes_read: int = 0

    def skip(self, kind: str) -> None:
        self.skipped_records += 1
        self.skipped_by_kind[kind] = self.skipped_by_kind.get(kind, 0) + 1


@dataclass(frozen=True)
class InputFile:
    """One input file found under a path: where it is, what it holds, how big it is."""

    url: str
    kind: InputKind
    compressed: bool
    size: int


class SidecarError(ValueError):
    """A sidecar file exists but does not hold a valid ``{url, captured_at}`` object."""


def input_kind(name: str) -> tuple[InputKind, bool] | None:
    """(kind, gzip-compressed) for a file name, or None if it is not an input we read."""
    lower = name.lower()
    compressed = lower.endswith(".gz")
    stem = lower[:-3] if compressed else lower
    kind = INPUT_SUFFIXES.get(posixpath.splitext(stem)[1])
    return (kind, compressed) if kind else None


def _selected(relative: str, options: SourceOptions) -> bool:
    if options.include and not any(fnmatch.fnmatch(relative, g) for g in options.include):
        return False
    return not any(fnmatch.fnmatch(relative, g) for g in options.exclude)


def discover(paths: Iterable[str], options: SourceOptions | None = None) -> Iterator[InputFile]:
    """Input files under ``paths`` (files, folders walked recursively, or fsspec URLs), sorted."""
    options = options or SourceOptions()
    for given in paths:
        fs, root = fsspec.core.url_to_fs(str(given))
        if fs.isfile(root):
            found = {root: fs.info(root)}
        elif fs.isdir(root):
            found = fs.find(root, detail=True)
        else:
            raise FileNotFoundError(f"no such file or folder: {given}")
        for path in sorted(found):
            name = posixpath.basename(path)
            kind = input_kind(name)
            if kind is None or name.startswith((".", "_")):
                continue
            relative = posixpath.relpath(path, root) if path != root else name
            if _selected(relative, options):
                yield InputFile(_url(fs, path), kind[0], kind[1], int(found[path].get("size") or 0))


def _url(fs: AbstractFileSystem, path: str) -> str:
    """The path as given back to fsspec: plain for local files, with protocol otherwise."""
    protocol = fs.protocol if isinstance(fs.protocol, str) else fs.protocol[0]
    return path if protocol in ("file", "local") else fs.unstrip_protocol(path)


def parse_timestamp(value: object, what: str = "captured_at") -> datetime:
    """An ISO 8601 timestamp as an aware datetime (naive timestamps are taken as UTC)."""
    if not isinstance(value, str):
        raise SidecarError(f"{what} must be an ISO 8601 string, got {type(value).__name__}")
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise SidecarError(f"{what} is not ISO 8601: {value!r}") from exc
    parsed = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    try:
        parsed.astimezone(UTC)  # partitions are UTC: a time past year 1..9999 there would crash the commit
    except OverflowError as exc:
        raise SidecarError(f"{what} is out of range in UTC: {value!r}") from exc
    return parsed


def _optional_url(value: object) -> str | None:
    if value is not None and not isinstance(value, str):
        raise SidecarError(f"url must be a string, got {type(value).__name__}")
    return value or None


def _sidecar_name(url: str) -> str:
    stem = url[:-3] if url.lower().endswith(".gz") else url
    return posixpath.splitext(stem)[0] + SIDECAR_SUFFIX


def read_sidecar(fs: AbstractFileSystem, capture_path: str) -> tuple[str | None, datetime | None]:
    """``(url, captured_at)`` from ``<name>.json`` beside a capture, or ``(None, None)``."""
    sidecar = _sidecar_name(capture_path)
    if not fs.isfile(sidecar):
        return None, None
    try:
        data = json.loads(fs.cat_file(sidecar).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SidecarError(f"{posixpath.basename(sidecar)} is not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise SidecarError(f"{posixpath.basename(sidecar)} must hold a JSON object")
    captured_at = data.get("captured_at")
    return _optional_url(data.get("url")), parse_timestamp(captured_at) if captured_at is not None else None


def read_limited(stream: IO[bytes], limit: int) -> bytes | None:
    """Up to ``limit`` bytes of a stream, or None when it holds more (decompression bombs)."""
    data = stream.read(limit + 1)
    return None if len(data) > limit else data


def unreadable(source: str, capture_format: CaptureFormat, raw: bytes, reason: str, detail: str) -> Quarantined:
    """A read failure as a quarantined capture whose id is stable for the same source and bytes."""
    capture = Capture(
        raw=raw,
        format=capture_format,
        source=source,
        captured_at=datetime.now(UTC),
        capture_id=sha256_hex(b"unreadable\0" + source.encode() + b"\0" + raw),
    )
    return Quarantined(capture, "read", reason, detail)


def _modified(fs: AbstractFileSystem, path: str) -> datetime:
    info = fs.info(path)
    value: Any = info.get("mtime") or info.get("LastModified") or info.get("updated") or info.get("created")
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, tz=UTC)
    if isinstance(value, str):
        return parse_timestamp(value, "mtime")
    return datetime.now(UTC)


def _open(fs: AbstractFileSystem, item: InputFile) -> IO[bytes]:
    handle = fs.open(item.url, "rb")
    return gzip.GzipFile(fileobj=handle, mode="rb") if item.compressed else handle  # type: ignore[return-value]


_READ_ERRORS = (OSError, EOFError, zlib.error, gzip.BadGzipFile)


def read_loose_file(item: InputFile, options: SourceOptions) -> Capture | Quarantined:
    """A single ``.txt`` / ``.html`` capture (optionally gzipped) and its sidecar."""
    fs, path = fsspec.core.url_to_fs(item.url)
    capture_format: CaptureFormat = "text" if item.kind == "text" else "html"
    limit = options.max_capture_bytes
    try:
        with _open(fs, item) as stream:
            raw = read_limited(stream, limit)
    except _READ_ERRORS as exc:
        return unreadable(item.url, capture_format, b"", "unreadable", f"cannot read {item.url}: {exc}")
    if raw is None:
        detail = f"more than {limit} bytes (decompressed) for one capture"
        return unreadable(item.url, capture_format, b"", "too_large", detail)
    try:
        url, captured_at = read_sidecar(fs, path)
    except SidecarError as exc:
        return unreadable(item.url, capture_format, raw, "bad_sidecar", str(exc))
    return Capture(
        raw=raw, format=capture_format, source=item.url, captured_at=captured_at or _modified(fs, path), url=url
    )


def _charset(content_type: str | None) -> str | None:
    if not content_type:
        return None
    message = Message()
    message["content-type"] = content_type
    charset = message.get_param("charset")
    return charset if isinstance(charset, str) else None


def _media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def read_warc(item: InputFile, options: SourceOptions, stats: SourceStats) -> Iterator[Capture | Quarantined]:
    """HTML and text ``response`` records of a WARC file; others are skipped and counted.

    Digests are checked where the WARC carries them, and bytes left over after the last
    complete record (a truncated file) are quarantined, so a cut file never loses data silently.
    """
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    fs, _ = fsspec.core.url_to_fs(item.url)
    end = 0
    try:
        with fs.open(item.url, "rb") as handle:
            records = ArchiveIterator(handle, arc2warc=True, check_digests=True)
            for record in records:
                found = _warc_capture(record, options)
                offset = records.get_record_offset()
                end = offset + records.get_record_length()
                if isinstance(found, str):
                    stats.skip(found)
                else:
                    yield _with_source(found, f"{item.url}#{offset}")
    except (ArchiveLoadFailed, *_READ_ERRORS, ValueError) as exc:
        detail = f"the WARC file is truncated or malformed after byte {end}: {exc}"
        yield unreadable(f"{item.url}#{end}", "html", b"", "bad_warc", detail)
        return
    size = fs.size(item.url)
    if size is not None and end < size and not _only_separators(fs, item.url, end, size):
        detail = f"{size - end} bytes after the last complete record could not be read: the WARC file is truncated"
        yield unreadable(f"{item.url}#{end}", "html", b"", "bad_warc", detail)


def _only_separators(fs: AbstractFileSystem, url: str, start: int, size: int) -> bool:
    """True when the bytes after the last record are only blank lines (an uncompressed WARC's last
    record separator, which warcio leaves out of the record's length)."""
    if size - start > 64:
        return False
    with fs.open(url, "rb") as handle:
        handle.seek(start)
        return not handle.read().strip()


def _with_source(found: Capture | Quarantined, source: str) -> Capture | Quarantined:
    if isinstance(found, Quarantined):
        return unreadable(source, found.capture.format, found.capture.raw, found.reason, found.detail)
    return replace(found, source=source)


def _warc_capture(record: Any, options: SourceOptions) -> Capture | Quarantined | str:
    """A capture from one WARC record (its source set by the caller), or the kind skipped."""
    source = "warc-record"
    if record.rec_type != "response":
        return record.rec_type or "unknown"
    content_type = record.http_headers.get_header("Content-Type") if record.http_headers else None
    media_type = _media_type(content_type)
    if media_type in HTML_MEDIA_TYPES:
        capture_format: CaptureFormat = "html"
    elif media_type in TEXT_MEDIA_TYPES:
        capture_format = "text"
    else:
        return f"response:{media_type or 'unknown'}"
    raw = read_limited(record.content_stream(), options.max_capture_bytes)
    if raw is None:
        detail = f"more than {options.max_capture_bytes} bytes (decompressed) for one capture"
        return unreadable(source, capture_format, b"", "too_large", detail)
    missing = getattr(record.raw_stream, "limit", 0) or 0
    if missing:
        detail = f"the record ends {missing} bytes short of its Content-Length: the WARC file is truncated"
        return unreadable(source, capture_format, raw, "bad_warc_record", detail)
    if record.digest_checker.passed is False:
        problems = "; ".join(str(p) for p in record.digest_checker.problems)
        return unreadable(source, capture_format, raw, "bad_warc_record", f"digest mismatch (corrupted): {problems}")
    date = record.rec_headers.get_header("WARC-Date")
    try:
        captured_at = parse_timestamp(date, "WARC-Date") if date else datetime.now(UTC)
    except SidecarError as exc:
        return unreadable(source, capture_format, raw, "bad_warc_record", str(exc))
    return Capture(
        raw=raw,
        format=capture_format,
        source=source,
        captured_at=captured_at,
        url=record.rec_headers.get_header("WARC-Target-URI"),
        declared_encoding=_charset(content_type),
    )


def read_jsonl(item: InputFile, options: SourceOptions) -> Iterator[Capture | Quarantined]:
    """One capture per JSON line; a malformed line is quarantined and reading goes on."""
    fs, path = fsspec.core.url_to_fs(item.url)
    fallback_time: datetime | None = None
    try:
        with _open(fs, item) as stream:
            for line_no, line in enumerate(iter(lambda: stream.readline(MAX_JSONL_LINE_BYTES + 1), b""), start=1):
                if not line.strip():
                    continue
                source = f"{item.url}#line={line_no}"
                if fallback_time is None:
                    fallback_time = _modified(fs, path)
                yield _jsonl_capture(line, source, options, fallback_time)
    except _READ_ERRORS as exc:
        detail = f"the file is truncated or unreadable after the lines read so far: {exc}"
        yield unreadable(f"{item.url}#error", "html", b"", "bad_jsonl", detail)


def _jsonl_capture(line: bytes, source: str, options: SourceOptions, fallback_time: datetime) -> Capture | Quarantined:
    names = options.jsonl_fields
    if len(line) > MAX_JSONL_LINE_BYTES:
        return unreadable(source, "html", b"", "too_large", f"JSON line of {len(line)} bytes is over the limit")
    try:
        row = json.loads(line)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return unreadable(source, "html", line, "bad_jsonl_line", f"not valid JSON: {exc}")
    if not isinstance(row, dict):
        return unreadable(source, "html", line, "bad_jsonl_line", "a JSONL capture line must be a JSON object")
    html, text = row.get(names.html), row.get(names.text)
    body, capture_format = (html, "html") if html is not None else (text, "text")
    if not isinstance(body, str):
        detail = f"needs a string field {names.html!r} or {names.text!r}"
        return unreadable(source, "html", line, "bad_jsonl_line", detail)
    try:
        url = _optional_url(row.get(names.url))
        stamp = row.get(names.captured_at)
        captured_at = parse_timestamp(stamp, names.captured_at) if stamp is not None else fallback_time
    except SidecarError as exc:
        return unreadable(source, capture_format, line, "bad_jsonl_line", str(exc))
    raw = body.encode("utf-8", "surrogatepass")
    if len(raw) > options.max_capture_bytes:
        return unreadable(source, capture_format, b"", "too_large", f"{len(raw)} bytes is over the capture limit")
    return Capture(raw=raw, format=capture_format, source=source, captured_at=captured_at, url=url)


def read_input(item: InputFile, options: SourceOptions, stats: SourceStats) -> Iterator[Capture | Quarantined]:
    """Every capture in one input file."""
    stats.inputs += 1
    if item.kind == "warc":
        yield from read_warc(item, options, stats)
    elif item.kind == "jsonl":
        yield from read_jsonl(item, options)
    else:
        yield read_loose_file(item, options)
    stats.bytes_read += item.size


def read_captures(
    paths: Iterable[str], options: SourceOptions | None = None, stats: SourceStats | None = None
) -> Iterator[Capture | Quarantined]:
    """Every capture under ``paths``, read lazily one input at a time."""
    options = options or SourceOptions()
    stats = stats if stats is not None else SourceStats()
    for item in discover([str(p) for p in paths], options):
        yield from read_input(item, options, stats)
