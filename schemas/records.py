"""Record types that cross the pipeline: Capture in, ArticleRecord or Quarantined out."""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, Literal

CaptureFormat = Literal["html", "text"]
CAPTURE_FORMATS: tuple[str, ...] = ("html", "text")


def sha256_hex(data: bytes) -> str:
    """Hex sha256 of ``data``: the id function used for captures and articles."""
    return hashlib.sha256(data).hexdigest()


def normalise_body(body: str, words: list[str] | None = None) -> str:
    """Body text folded for identity: NFKC, case-folded, whitespace collapsed.

    ``str.split()`` splits at exactly the characters ``re``'s ``\\s`` matches, so this is
    ``re.sub(r"\\s+", " ", ...).strip()`` at a fraction of the cost. Most bodies are NFKC already,
    which ``is_normalized`` tells in one quick pass (``normalize`` checks less and rebuilds them);
    for those, ``words`` (``body.split()``, when the caller has split it already) is reused.
    """
    if not unicodedata.is_normalized("NFKC", body):
        return " ".join(unicodedata.normalize("NFKC", body).split()).casefold()
    return " ".join(body.split() if words is None else words).casefold()


def content_hash(body: str, normalised: str | None = None) -> str:
    """sha256 of the normalised body: two captures of the same text share it (``normalised``:
    ``normalise_body(body)``, when the caller has it)."""
    return sha256_hex((normalised if normalised is not None else normalise_body(body)).encode("utf-8"))


@dataclass(frozen=True, slots=True)
class Capture:
    """One raw input record, exactly as read from its source.

    ``capture_id`` is the sha256 of ``raw``, so the same bytes read from two places are
    the same capture. ``source`` says where it was read from (a path or URI, with a
    ``#offset`` suffix for records inside a WARC or JSONL file).
    """

    raw: bytes
    format: CaptureFormat
    source: str
    captured_at: datetime
    url: str | None = None
    declared_encoding: str | None = None
    capture_id: str = field(default="")

    def __post_init__(self) -> None:
        if self.format not in CAPTURE_FORMATS:
            raise ValueError(f"capture format must be one of {CAPTURE_FORMATS}, got {self.format!r}")
        if self.captured_at.tzinfo is None:
            raise ValueError("captured_at must be timezone-aware")
        if not self.capture_id:
            object.__setattr__(self, "capture_id", sha256_hex(self.raw))


def capture_row(capture: Capture) -> dict[str, Any]:
    """A plain dict for the ``captures`` table: the raw capture, kept to rebuild the archive."""
    return {
        "capture_id": capture.capture_id,
        "source": capture.source,
        "url": capture.url,
        "captured_at": capture.captured_at,
        "capture_format": capture.format,
        "declared_encoding": capture.declared_encoding,
        "raw": capture.raw,
    }


@dataclass(frozen=True, slots=True)
class ArticleRecord:
    """A cleaned article: one row of the ``articles`` table."""

    article_id: str
    url: str | None
    publisher: str | None
    title: str | None
    byline: str | None
    authors: tuple[str, ...]
    credits: tuple[str, ...]
    published_at: datetime | None
    captured_at: datetime
    language: str | None
    body: str
    word_count: int
    capture_id: str
    capture_format: CaptureFormat
    source: str
    cleaner_version: str
    updated_at: datetime | None = None
    date_source: str | None = None
    content_hash: str = ""
    revision: int = 1
    duplicate_of: str | None = None
    simhash: int | None = None

    @property
    def paragraphs(self) -> list[str]:
        """The body split back into its paragraphs."""
        return [p for p in self.body.split("\n\n") if p]

    def to_row(self) -> dict[str, Any]:
        """A plain dict (lists, not tuples) ready for ``pyarrow.Table.from_pylist``."""
        row = {f.name: getattr(self, f.name) for f in fields(self)}
        row["authors"] = list(self.authors)
        row["credits"] = list(self.credits)
        return row


@dataclass(frozen=True, slots=True)
class Quarantined:
    """A capture that could not be cleaned, with the stage that refused it and why.

    ``reason`` is a short stable code (``empty``, ``binary``, ``no_article_text`` …) that
    reports group by; ``detail`` is the human-readable explanation.
    """

    capture: Capture
    stage: str
    reason: str
    detail: str

    def to_row(self, cleaner_version: str) -> dict[str, Any]:
        """A plain dict for the ``quarantine`` table: the raw capture (so nothing is lost) and why."""
        row = capture_row(self.capture)
        row.update(stage=self.stage, reason=self.reason, detail=self.detail, cleaner_version=cleaner_version)
        return row


CleanResult = ArticleRecord | Quarantined
