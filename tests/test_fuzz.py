"""Property tests: the cleaners and the byline parser never raise, keep input lines, are idempotent."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cleaners import clean, default_profiles
from cleaners.byline import agency_names, parse_byline
from cleaners.decode import decode_bytes
from cleaners.errors import Rejected
from cleaners.text import split_columns, split_lines
from schemas.records import ArticleRecord, Capture, Quarantined
from tests.conftest import EVAL_DIR

PROFILES = default_profiles()
CAPTURED = datetime(2026, 11, 20, 8, 30, tzinfo=UTC)
#: Short and deterministic in the default suite; ``bench/fuzz.py`` sets FUZZ_EXAMPLES to run the same
#: properties long and random.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "150"))
FAST = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize="FUZZ_EXAMPLES" not in os.environ,
    database=None,
    suppress_health_check=list(HealthCheck),
)

#: Words that make generated lines look like prose (stop words included) or like page chrome.
PROSE = [
    "the",
    "of",
    "and",
    "to",
    "in",
    "a",
    "is",
    "that",
    "for",
    "on",
    "was",
    "with",
    "he",
    "it",
    "as",
    "at",
    "by",
    "from",
    "his",
    "her",
    "they",
    "said",
    "have",
    "this",
    "harbour",
    "council",
    "storm",
    "repairs",
    "boats",
    "fishermen",
    "season",
    "breakwater",
    "minister",
    "week",
    "statement",
    "town",
    "police",
    "report",
    "market",
    "prices",
    "school",
    "hospital",
    "workers",
    "strike",
    "election",
    "court",
    "ruling",
    "river",
]
CHROME = ["Home", "World", "Sign in", "Subscribe", "Share", "Menu", "Advertisement", "©", "|", "»", "Read more"]
ODD = ["é", "ü", "—", "“", "”", "’", "…", "\u00a0", "\t", "  ", "\u202e", "\x1b", "\x0c", "日本", "Ã©", "\r"]


@st.composite
def prose_line(draw: st.DrawFn) -> str:
    words = draw(st.lists(st.sampled_from(PROSE + ODD), min_size=1, max_size=40))
    line = " ".join(words)
    ending = draw(st.sampled_from(["", ".", ".", ".", ",", ":", "?", "!"]))
    capital = draw(st.booleans())
    return (line[:1].upper() + line[1:] if capital else line) + ending


@st.composite
def page_text(draw: st.DrawFn) -> str:
    """A copied page: chrome lines, blank lines and prose lines, some hard-wrapped, in any order."""
    lines = draw(
        st.lists(
            st.one_of(prose_line(), st.sampled_from(CHROME), st.just(""), st.text(max_size=80)),
            min_size=0,
            max_size=60,
        )
    )
    newline = draw(st.sampled_from(["\n", "\r\n", "\n\n"]))
    return newline.join(lines)


@st.composite
def page_html(draw: st.DrawFn) -> str:
    tags = st.sampled_from(["p", "div", "span", "article", "h1", "li", "nav", "footer", "script", "b", "a"])
    parts = []
    for _ in range(draw(st.integers(0, 30))):
        tag = draw(tags)
        closed = draw(st.booleans())
        parts.append(f"<{tag}>{draw(st.one_of(prose_line(), st.text(max_size=40)))}" + (f"</{tag}>" if closed else ""))
    head = draw(st.sampled_from(["", "<html><head><title>T</title></head><body>", '<meta charset="utf-16">']))
    return head + "\n".join(parts)


def capture(raw: bytes, fmt: str) -> Capture:
    return Capture(raw=raw, format=fmt, source="fuzz", captured_at=CAPTURED)  # type: ignore[arg-type]


def input_lines(raw: bytes) -> list[str]:
    """The stripped, non-empty lines of a text capture as the cleaner sees them: decoded, and a
    two-column rendering undone (left cells in order, then right cells: ``split_columns``)."""
    try:
        text = decode_bytes(raw).text
    except Rejected:
        return []
    return [line.text for line in split_columns(split_lines(text))]


def made_of_input_lines(body: str, lines: list[str]) -> bool:
    """Every paragraph is one input line or a run of consecutive input lines joined by one space
    (a hard-wrapped paragraph), and paragraphs come in input order."""
    cursor = 0
    for paragraph in body.split("\n\n"):
        for start in range(cursor, len(lines)):
            rest, end = paragraph, start
            while end < len(lines) and rest != lines[end] and rest.startswith(lines[end] + " "):
                rest, end = rest[len(lines[end]) + 1 :], end + 1
            if end < len(lines) and rest == lines[end]:
                cursor = end + 1
                break
        else:
            return False
    return True


@FAST
@given(st.binary(max_size=4000), st.sampled_from(["text", "html"]))
def test_clean_never_raises_on_arbitrary_bytes(raw: bytes, fmt: str) -> None:
    result = clean(capture(raw, fmt), PROFILES)
    assert isinstance(result, ArticleRecord | Quarantined)
    if isinstance(result, Quarantined):
        assert result.reason and result.detail


@settings(FAST, max_examples=max(1, EXAMPLES * 2 // 5))  # the HTML extractors are slower: ~0.5 s an example
@given(page_html())
def test_clean_never_raises_on_html_like_pages(page: str) -> None:
    result = clean(capture(page.encode("utf-8", "surrogatepass"), "html"), PROFILES)
    assert isinstance(result, ArticleRecord | Quarantined)
    if isinstance(result, ArticleRecord):
        assert result.body.strip() and result.word_count > 0


@FAST
@given(page_text())
def test_text_body_is_made_of_input_lines_in_order(page: str) -> None:
    raw = page.encode("utf-8", "surrogatepass")
    result = clean(capture(raw, "text"), PROFILES)
    assert isinstance(result, ArticleRecord | Quarantined)
    if isinstance(result, ArticleRecord):
        assert made_of_input_lines(result.body, input_lines(raw)), result.body


@FAST
@given(page_text())
def test_cleaning_a_cleaned_body_changes_nothing(page: str) -> None:
    first = clean(capture(page.encode("utf-8", "surrogatepass"), "text"), PROFILES)
    if isinstance(first, ArticleRecord):
        again = clean(capture(first.body.encode("utf-8"), "text"), PROFILES)
        assert isinstance(again, ArticleRecord), again
        assert again.body == first.body


@FAST
@given(st.text(max_size=200), st.one_of(st.none(), st.text(max_size=30)), st.booleans())
def test_parse_byline_never_raises_and_names_come_from_the_input(raw: str, site: str | None, single: bool) -> None:
    byline = parse_byline(raw, site, None, single=single)
    words = set(" ".join(raw.split()).replace(",", " ").split())
    for author in byline.authors:
        assert author and all(w in words or w.rstrip(".") in {x.rstrip(".,") for x in words} for w in author.split())
    assert len(set(byline.authors)) == len(byline.authors)
    agencies = set(agency_names().values())
    folded = " ".join(raw.split()).casefold()
    for credit in byline.credits:  # an agency's canonical name, or an organisation named in the input
        assert credit in agencies or (len(credit) >= 3 and credit.casefold() in folded), credit


@FAST
@given(
    st.lists(
        st.sampled_from(
            ["By", "Jane Doe", "John Smith", "Reuters", "AP", "and", ",", "Staff Writer", "Updated", "Jan 5", "Jr."]
        ),
        max_size=10,
    )
)
def test_parse_byline_on_byline_shaped_text(parts: list[str]) -> None:
    byline = parse_byline(" ".join(parts))
    assert all(a.strip() == a and a for a in byline.authors)
    assert set(byline.credits) <= set(agency_names().values()) | {"Staff"}


def test_real_pages_bodies_are_made_of_their_lines() -> None:
    """The same property over real copied pages (the shared evaluation set): all of them."""
    pages = sorted(EVAL_DIR.glob("*/*.txt"))[:120]
    if not pages:
        pytest.skip(f"the shared evaluation data is not at {EVAL_DIR}")
    articles = 0
    for path in pages:
        raw = path.read_bytes()
        result = clean(capture(raw, "text"), PROFILES)
        if isinstance(result, ArticleRecord):
            articles += 1
            assert made_of_input_lines(result.body, input_lines(raw)), path.name
    assert articles > len(pages) // 2


#: Two paragraphs the first pass kept apart (a dropped line stood between them) are one hard-wrapped
#: paragraph to the second pass: ``join_wrapped`` joins across blank lines.
SPLIT_BY_A_DROPPED_LINE = """Home | World | Sport
The council approved the new harbour budget on Monday after a long debate about repairs to the sea wall.
In recent months, hundreds of people in the town have become sick and some have even died due to
Advertisement
Contaminated water, officials said, was found in two of the wells that supply the eastern districts.
The mayor said the wells would stay closed until the end of the month while engineers test them.
"""


def test_recleaning_keeps_paragraphs_a_dropped_line_separated() -> None:
    first = clean(capture(SPLIT_BY_A_DROPPED_LINE.encode(), "text"), PROFILES)
    assert isinstance(first, ArticleRecord)
    again = clean(capture(first.body.encode(), "text"), PROFILES)
    assert isinstance(again, ArticleRecord)
    assert again.body == first.body
