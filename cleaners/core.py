"""The single cleaning entry point: a Capture becomes an ArticleRecord or a Quarantined value."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

import courlan

from cleaners.byline import parse_byline
from cleaners.decode import decode_bytes
from cleaners.errors import Rejected
from cleaners.html import extract_html
from cleaners.language import detect_language
from cleaners.modes import DEFAULT_MODE, ExtractionMode, cleaner_version
from cleaners.profiles import ProfileSet, default_profiles
from cleaners.text import count_words, extract_text
from schemas.records import ArticleRecord, Capture, Quarantined, content_hash, normalise_body, sha256_hex

MIN_BODY_WORDS = 15


@dataclass(frozen=True, slots=True)
class Extracted:
    """The format-independent result of extraction, before it becomes a record."""

    paragraphs: tuple[str, ...]
    title: str | None
    byline: str | None
    published: str | None
    publisher: str | None
    language: str | None
    updated: str | None = None
    date_source: str | None = None
    authors: tuple[str, ...] | None = None  # already parsed (HTML); None: parse ``byline``
    credits: tuple[str, ...] | None = None


def canonical_url(url: str | None) -> str | None:
    """The URL normalised for identity (scheme, host case, tracking parameters), if valid."""
    if not url:
        return None
    return courlan.normalize_url(url, strict=True) if courlan.check_url(url) else None


def host_of(url: str | None) -> str | None:
    """The lower-cased host of a URL, if any."""
    if not url:
        return None
    try:
        return urlsplit(url).hostname
    except ValueError:
        return None


def article_id(url: str | None, body: str, normalised: str | None = None) -> str:
    """sha256 of the canonical URL when known, else of the normalised body (``normalised``:
    ``normalise_body(body)``, when the caller has it)."""
    canonical = canonical_url(url)
    return sha256_hex((canonical or normalised or normalise_body(body)).encode("utf-8"))


def parse_published(value: str | None, captured_at: datetime) -> datetime | None:
    """An ISO date or datetime as an aware datetime, never later than the capture.

    The page's own UTC offset is kept (a story published at 22:00 in New York is dated that day,
    not the next one); a value without an offset is taken as UTC. The archive stores the instant
    (Arrow timestamps are UTC), so the offset only matters to callers reading the record.
    """
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed if parsed <= captured_at else None


def _extract(capture: Capture, profiles: ProfileSet, mode: ExtractionMode) -> Extracted:
    if not capture.raw or capture.raw.isspace():  # as ``not raw.strip()``, without copying the page
        raise Rejected("read", "empty", "the capture is empty or whitespace only")
    decoded = decode_bytes(capture.raw, capture.declared_encoding, is_html=capture.format == "html")
    if not decoded.text or decoded.text.isspace():
        raise Rejected("decode", "empty", "the capture decodes to whitespace only")
    if capture.format == "html":
        found = extract_html(decoded.text, capture.url, mode, controls_removed=True)
        profile = profiles.for_capture(host_of(capture.url), ())
        publisher = found.publisher or (profile.publisher if profile else None)
        return Extracted(
            found.paragraphs, found.title, found.byline, found.published, publisher, found.language,
            updated=found.updated, date_source=found.date_source, authors=found.authors, credits=found.credits,
        )  # fmt: skip
    text = extract_text(decoded.text, profiles, host_of(capture.url))
    return Extracted(
        text.paragraphs, text.title, text.byline, text.published, text.publisher, text.language,
        date_source="text" if text.published else None,
    )  # fmt: skip


def clean(
    capture: Capture, profiles: ProfileSet | None = None, mode: ExtractionMode = DEFAULT_MODE
) -> ArticleRecord | Quarantined:
    """Clean one capture. Pure: no files, network or Prefect; a rejection is a value.

    ``mode`` chooses the HTML extraction's speed/quality trade-off (``cleaners.modes``).
    """
    profiles = profiles or default_profiles()
    try:
        found = _extract(capture, profiles, mode)
    except Rejected as rejected:
        return Quarantined(capture, rejected.stage, rejected.reason, rejected.detail)
    body = "\n\n".join(found.paragraphs)
    language = found.language or detect_language(body)
    split = body.split()  # shared by the word count and the content hash
    words = count_words(split, language)
    if words < MIN_BODY_WORDS:
        detail = f"only {words} words of article text were found (minimum {MIN_BODY_WORDS})"
        return Quarantined(capture, "extract", "no_article_text", detail)
    byline = parse_byline(found.byline) if found.byline else None
    published_at = parse_published(found.published, capture.captured_at)
    normalised = normalise_body(body, split)
    return ArticleRecord(
        article_id=article_id(capture.url, body, normalised),
        url=capture.url,
        publisher=found.publisher,
        title=found.title,
        byline=byline.raw if byline else None,
        authors=found.authors if found.authors is not None else (byline.authors if byline else ()),
        credits=found.credits if found.credits is not None else (byline.credits if byline else ()),
        published_at=published_at,
        captured_at=capture.captured_at.astimezone(UTC),
        language=language,
        body=body,
        word_count=words,
        capture_id=capture.capture_id,
        capture_format=capture.format,
        source=capture.source,
        cleaner_version=cleaner_version(mode),
        updated_at=parse_published(found.updated, capture.captured_at),
        date_source=found.date_source if published_at else None,
        content_hash=content_hash(body, normalised),
    )
