"""Publication and update dates of a page: JSON-LD, <meta>, a <time> element, htmldate, then the URL."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from importlib import resources

from dateutil import parser as date_parser
from lxml import etree
from lxml.html import HtmlElement

_URL_DATE = re.compile(r"/((?:19|20)\d{2})[/-]([01]?\d)[/-]([0-3]?\d)(?:/|-|$|\.)")
_URL_COMPACT = re.compile(r"/((?:19|20)\d{2})([01]\d)([0-3]\d)(?:/|-|_)")
_EPOCH = re.compile(r"^\d{10}(?:\d{3})?$")
EARLIEST_YEAR = 1990


@lru_cache(maxsize=1)
def foreign_months() -> dict[str, int]:
    """Month names of other languages (lower-case) -> month number, from ``cleaners/data/months.toml``."""
    text = (resources.files("cleaners") / "data" / "months.toml").read_text(encoding="utf-8")
    return dict(tomllib.loads(text)["months"])


def foreign_date_pattern(*, groups: bool = True) -> str:
    """A day-first date with a month name of another language: "4 de agosto de 2021", "04-ago-2021",
    "4. März 2024", "12 déc. 2025" (with ``groups``, the day, the month and the year are groups)."""
    names = "|".join(sorted((re.escape(name) for name in foreign_months()), key=len, reverse=True))
    open_ = "(" if groups else "(?:"
    return rf"{open_}\d{{1,2}})\.?(?:\s+de\s+|\s+|-){open_}{names})\.?(?:\s+de\s+|,?\s+|-){open_}\d{{4}})"


@lru_cache(maxsize=1)
def _foreign_date() -> re.Pattern[str]:
    return re.compile(foreign_date_pattern(), re.IGNORECASE)


def _from_foreign(text: str) -> datetime | None:
    """The day of a date written with a month name of another language, or None."""
    match = _foreign_date().fullmatch(text)
    if match is None:
        return None
    day, month, year = match.groups()
    try:
        return datetime(int(year), foreign_months()[month.lower()], int(day))
    except (ValueError, KeyError):
        return None


@dataclass(frozen=True, slots=True)
class PageDates:
    """The dates found for a page (ISO 8601 strings) and how each was found."""

    published: str | None = None
    published_source: str | None = None
    updated: str | None = None
    updated_source: str | None = None


def normalise_date(value: str | None) -> str | None:
    """An ISO 8601 string for a date as pages write it, or None if it is not a plausible date.

    Keeps the page's own UTC offset when it gives one; a date without time stays a date.
    """
    if not value or not (text := value.strip()):
        return None
    if _EPOCH.match(text):
        seconds = int(text) / (1000 if len(text) == 13 else 1)
        return datetime.fromtimestamp(seconds, tz=UTC).isoformat()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = _from_foreign(text) or date_parser.parse(text, fuzzy=False)
        except (ValueError, OverflowError, TypeError):
            return None
    if not EARLIEST_YEAR <= parsed.year <= 2100:
        return None
    has_time = bool(re.search(r"\d{1,2}:\d{2}", text))
    return parsed.isoformat() if has_time else parsed.date().isoformat()


def date_from_url(url: str | None) -> str | None:
    """A /2019/11/19/ (or /20191119/) date in a URL path, if valid."""
    if not url:
        return None
    for pattern in (_URL_DATE, _URL_COMPACT):
        if match := pattern.search(url):
            try:
                return datetime(*(int(g) for g in match.groups())).date().isoformat()
            except ValueError:
                continue
    return None


def date_from_htmldate(
    page: str | HtmlElement, url: str | None, *, original: bool, free_text: bool = True
) -> str | None:
    """htmldate's guess (its own heuristics over the whole page), as YYYY-MM-DD.

    ``page`` is the HTML or its parsed tree (htmldate copies a tree before pruning it, and
    reusing the tree saves a second parse of the page). The page's markup is searched first; its
    free text (htmldate's extensive search, about five times the cost) only if that finds nothing
    and ``free_text`` allows it. A January 1st is no date found: htmldate gives a bare year (the
    footer's "© 2025") as that day, and a page's copyright year is not its publication day.
    """
    from htmldate import find_date

    for extensive in (False, True) if free_text else (False,):
        try:
            found = find_date(
                page, url=url, original_date=original, extensive_search=extensive, outputformat="%Y-%m-%d"
            )
        except (ValueError, TypeError, RecursionError):
            return None
        if found and not _year_only(found, page):
            return found
    return None


def _year_only(day: str, page: str | HtmlElement) -> bool:
    """htmldate's year-only guess: a January 1st (how it returns a copyright or footer year) that
    the page never writes as a full date ("2025-01-01", "01/01/2025", "January 1, 2025", "1 Jan
    2025"), so a story of New Year's Day keeps its date."""
    if day[5:10] != "01-01":
        return False
    year = re.escape(day[:4])
    written = re.compile(
        rf"{year}[-/.]0?1[-/.]0?1(?!\d)|(?<!\d)0?1[-/.]0?1[-/.]{year}"
        rf"|jan(?:uary|\.)? 0?1(?:st)?,? {year}|(?<!\d)0?1(?:st)? jan(?:uary|\.)?,? {year}",
        re.IGNORECASE,
    )
    html = page if isinstance(page, str) else etree.tostring(page, encoding="unicode")
    return written.search(html) is None


def _agreed_day(
    published: str | None, source: str | None, found: list[tuple[str, str]]
) -> tuple[str | None, str | None]:
    """The day that more of the page's date sources give than give the chosen one (at least two).

    One source can be wrong in its own way (a stale template date, htmldate reading 03-09 as
    3 September); two that agree on another day outweigh it. The agreeing value first in
    trust order is kept (with its time and offset).
    """
    votes: dict[str, int] = {}
    for value, _ in found:
        votes[value[:10]] = votes.get(value[:10], 0) + 1
    day, count = max(votes.items(), key=lambda item: item[1], default=("", 0))
    if count < 2 or (published is not None and votes.get(published[:10], 0) >= count):
        return published, source
    return next((value, name) for value, name in found if value[:10] == day)


#: UTC offsets in use run from -12:00 to +14:00: a declared instant falls on one of these days somewhere.
_WESTMOST, _EASTMOST = timedelta(hours=-12), timedelta(hours=14)


def _shown_before(shown: str | None, declared: str | None) -> bool:
    """True when the day shown (YYYY-MM-DD…) is before the declared date's day wherever it is read.

    A declared instant of 00:30 UTC on the 5th is the evening of the 4th in America: a page
    showing the 4th shows the same instant, not an earlier publication.
    """
    if not shown or not declared:
        return False
    try:
        instant = datetime.fromisoformat(declared)
    except ValueError:
        return False
    if len(declared) > 10 and instant.tzinfo is not None:
        return shown[:10] < (instant.astimezone(UTC) + _WESTMOST).date().isoformat()
    return shown[:10] < declared[:10]


def find_dates(
    jsonld_published: str | None,
    meta_published: str | None,
    jsonld_modified: str | None,
    meta_modified: str | None,
    page: str | HtmlElement,
    url: str | None,
    time_element: str | None = None,
    label_date: str | None = None,
    headline_date: str | None = None,
    headline_update: str | None = None,
    *,
    headline_date_in_prose: bool = False,
    consult_page: bool = True,
    free_text: bool = True,
) -> PageDates:
    """Published and updated dates with their source, most trusted source first.

    ``time_element`` is the ``datetime`` of the page's first dating ``<time>`` element: when the
    page declares no publication date in JSON-LD or <meta>, that machine-readable date beside
    the headline is trusted over htmldate's guess over the whole page; after it, ``label_date``,
    the date a visible "Published"/"Posted on" label gives. ``consult_page=False`` skips
    htmldate (the costliest step) and trusts the metadata; ``free_text=False`` keeps htmldate to the
    page's markup (see ``date_from_htmldate``). ``headline_date``, the date written just before or
    after the headline, replaces a day that only htmldate or the URL gave, and a JSON-LD/meta day
    after it (read in any time zone: see ``_shown_before``) unless ``headline_date_in_prose`` (the
    date is in a sentence of the article, not a dateline); where there is none,
    ``headline_update`` (an "Updated …" date by the headline) does, with the source
    ``headline-update``; that date is also the updated date when the metadata declares none.
    """
    declared = ((jsonld_published, "jsonld"), (meta_published, "meta"), (time_element, "time"), (label_date, "label"))
    declared_dates = {source: normalise_date(value) for value, source in declared}  # in trust order
    published, published_source = next(((v, s) for s, v in declared_dates.items() if v), (None, None))
    # htmldate weighs the dates a reader sees on the page; when it names another day than the
    # metadata (often an old first-publication date left in a template), the page wins.
    consult = consult_page and published_source not in ("time", "label")
    shown = date_from_htmldate(page, url, original=True, free_text=free_text) if consult else None
    if shown and (published is None or published[:10] != shown):
        published, published_source = shown, "htmldate"
    from_url = date_from_url(url)
    if published is None and from_url:
        published, published_source = from_url, "url"
    updated, updated_source = None, None
    for value, source in ((jsonld_modified, "jsonld"), (meta_modified, "meta")):
        if normalised := normalise_date(value):
            updated, updated_source = normalised, source
            break
    candidates = [*((v, s) for s, v in declared_dates.items()), (shown, "htmldate"), (from_url, "url")]
    found = [(value, source) for value, source in candidates if value]
    published, published_source = _agreed_day(published, published_source, found)
    shown_time = declared_dates["time"]
    if shown_time and updated and shown_time[:10] == updated[:10] and published and published[:10] != updated[:10]:
        # the page's dating <time> element shows the update: that is the day a reader sees
        published, published_source = shown_time, "time"
    under_headline = normalise_date(headline_date)
    update_shown = normalise_date(headline_update)
    if (by_headline := under_headline or update_shown) and published_source in ("htmldate", "url", None):
        votes = sum(1 for value, _ in found if published and value[:10] == published[:10])
        if votes < 2:  # htmldate's or the URL's date alone: the one written by the headline wins
            published, published_source = by_headline, "headline" if under_headline else "headline-update"
    elif (
        published_source in ("jsonld", "meta")
        and not headline_date_in_prose
        and _shown_before(under_headline, published)
    ):
        # an article is not shown dated before it was published: a declared day after the one
        # written by the headline is a re-publication (a migration, a CMS import), not its first day
        published, published_source = under_headline, "headline"
    if update_shown and updated is None:
        updated, updated_source = update_shown, "headline"
    if updated is not None and published is not None and updated < published:
        updated, updated_source = None, None
    return PageDates(published, published_source, updated, updated_source)
