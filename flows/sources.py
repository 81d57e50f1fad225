"""Capture sources: find capture files under the given paths and read them as Capture values.

Reading is the I/O edge of the pipeline. A capture that cannot be read (unreadable file, bad
sidecar) is not an exception: it comes out as a Quarantined value with stage ``read``, so every
input is accounted for.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from schemas.records import Capture, CaptureFormat, Quarantined, sha256_hex

#: File suffix -> capture format.
CAPTURE_SUFFIXES: dict[str, CaptureFormat] = {".txt": "text", ".html": "html", ".htm": "html"}
SIDECAR_SUFFIX = ".json"
MAX_CAPTURE_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class CaptureFile:
    """A capture file found on disk (a small, picklable pointer)."""

    path: str
    format: CaptureFormat


def discover(paths: Iterable[str | os.PathLike[str]]) -> Iterator[CaptureFile]:
    """Capture files under ``paths`` (files or folders, walked recursively), in sorted order."""
    for given in paths:
        root = Path(given)
        if root.is_file():
            candidates: Iterable[Path] = [root]
        elif root.is_dir():
            candidates = sorted(p for p in root.rglob("*") if p.is_file())
        else:
            raise FileNotFoundError(f"no such file or folder: {root}")
        for path in candidates:
            capture_format = CAPTURE_SUFFIXES.get(path.suffix.lower())
            if capture_format and not path.name.startswith("."):
                yield CaptureFile(str(path), capture_format)


class SidecarError(ValueError):
    """A sidecar file exists but does not hold a valid ``{url, captured_at}`` object."""


def parse_captured_at(value: object) -> datetime:
    """An ISO 8601 timestamp as an aware datetime (naive timestamps are taken as UTC)."""
    if not isinstance(value, str):
        raise SidecarError(f"captured_at must be an ISO 8601 string, got {type(value).__name__}")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise SidecarError(f"captured_at is not ISO 8601: {value!r}") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def read_sidecar(path: Path) -> tuple[str | None, datetime | None]:
    """``(url, captured_at)`` from ``<name>.json`` beside a capture, or ``(None, None)``."""
    sidecar = path.with_suffix(SIDECAR_SUFFIX)
    if not sidecar.is_file():
        return None, None
    try:
        data = json.loads(sidecar.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SidecarError(f"{sidecar.name} is not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise SidecarError(f"{sidecar.name} must hold a JSON object")
    url = data.get("url")
    if url is not None and not isinstance(url, str):
        raise SidecarError(f"url must be a string, got {type(url).__name__}")
    captured_at = data.get("captured_at")
    return url, parse_captured_at(captured_at) if captured_at is not None else None


def _unreadable(path: Path, capture_format: CaptureFormat, raw: bytes, reason: str, detail: str) -> Quarantined:
    """A read failure as a quarantined capture whose id is stable for the same file and bytes."""
    capture = Capture(
        raw=raw,
        format=capture_format,
        source=str(path),
        captured_at=datetime.now(UTC),
        capture_id=sha256_hex(b"unreadable\0" + str(path).encode() + b"\0" + raw),
    )
    return Quarantined(capture, "read", reason, detail)


def read_capture_file(found: CaptureFile) -> Capture | Quarantined:
    """Read one capture file and its sidecar."""
    path = Path(found.path)
    try:
        size = path.stat().st_size
        if size > MAX_CAPTURE_BYTES:
            detail = f"{size} bytes is over the {MAX_CAPTURE_BYTES} byte limit for one capture"
            return _unreadable(path, found.format, b"", "too_large", detail)
        raw = path.read_bytes()
    except OSError as exc:
        return _unreadable(path, found.format, b"", "unreadable", f"cannot read {path}: {exc.strerror or exc}")
    try:
        url, captured_at = read_sidecar(path)
    except SidecarError as exc:
        return _unreadable(path, found.format, raw, "bad_sidecar", str(exc))
    if captured_at is None:
        captured_at = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
    return Capture(raw=raw, format=found.format, source=str(path), captured_at=captured_at, url=url)


def read_captures(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Capture | Quarantined]:
    """Every capture under ``paths``, read lazily one file at a time."""
    for found in discover(paths):
        yield read_capture_file(found)
