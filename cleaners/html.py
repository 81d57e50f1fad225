"""HTML capture extraction: trafilatura for the body and metadata, as plain values."""

from __future__ import annotations

from dataclasses import dataclass

import trafilatura

from cleaners.errors import Rejected


@dataclass(frozen=True, slots=True)
class HtmlExtraction:
    """What the HTML extractor found in one page (plain values only: safe to pickle)."""

    paragraphs: tuple[str, ...]
    title: str | None
    byline: str | None
    published: str | None
    publisher: str | None
    language: str | None


def extract_html(html: str, url: str | None = None) -> HtmlExtraction:
    """Body paragraphs and metadata of an HTML page. Raises Rejected when there is no article."""
    try:
        document = trafilatura.bare_extraction(
            html,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
        )
    except (ValueError, RecursionError) as exc:  # lxml refuses some documents outright
        raise Rejected("extract", "unparsable_html", f"the HTML could not be parsed: {exc}") from exc
    text = (document.text if document else "") or ""
    paragraphs = tuple(p.strip() for p in text.split("\n") if p.strip())
    if not paragraphs:
        raise Rejected("extract", "no_article_text", "the page has no article text that an extractor could find")
    return HtmlExtraction(
        paragraphs=paragraphs,
        title=document.title or None,
        byline=document.author or None,
        published=document.date or None,
        publisher=document.sitename or None,
        language=document.language or None,
    )
