"""Dates: JSON-LD, then <meta>, then htmldate, then the URL; how each was found is kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cleaners.core import parse_published
from cleaners.dates import date_from_url, find_dates, normalise_date

BLANK = "<html><body><article><p>Text without any date.</p></article></body></html>"
PAGE = (
    '<html><body><article><time datetime="2021-03-03T10:00:00">3 March 2021</time><p>Text.</p></article></body></html>'
)


def test_normalise_keeps_offset_and_plain_dates() -> None:
    assert normalise_date("2019-11-19T12:30:00Z") == "2019-11-19T12:30:00+00:00"
    assert normalise_date("2019-11-19T07:30:00-05:00") == "2019-11-19T07:30:00-05:00"
    assert normalise_date("2019-11-19") == "2019-11-19"
    assert normalise_date("Tue, 19 Nov 2019 12:30:00 GMT") == "2019-11-19T12:30:00+00:00"
    assert normalise_date("1574166600") == "2019-11-19T12:30:00+00:00"


def test_normalise_reads_month_names_of_other_languages() -> None:
    assert normalise_date("04-ago-2021") == "2021-08-04"
    assert normalise_date("4 de agosto de 2021") == "2021-08-04"
    assert normalise_date("4. März 2024") == "2024-03-04"
    assert normalise_date("12 déc. 2025") == "2025-12-12"
    assert normalise_date("31-feb-2021") is None


def test_normalise_rejects_non_dates() -> None:
    assert normalise_date("yesterday-ish") is None
    assert normalise_date("") is None
    assert normalise_date("1066-10-14") is None


def test_jsonld_wins_over_meta() -> None:
    found = find_dates("2020-01-02T10:00:00Z", "2020-01-05", None, None, BLANK, None)
    assert (found.published, found.published_source) == ("2020-01-02T10:00:00+00:00", "jsonld")


def test_meta_when_no_jsonld() -> None:
    found = find_dates(None, "2020-01-05", None, "2020-01-06T08:00:00+01:00", BLANK, None)
    assert (found.published, found.published_source) == ("2020-01-05", "meta")
    assert (found.updated, found.updated_source) == ("2020-01-06T08:00:00+01:00", "meta")


def test_updated_before_published_is_dropped() -> None:
    found = find_dates("2020-01-05", None, "2020-01-01", None, BLANK, None)
    assert found.updated is None and found.updated_source is None


def test_htmldate_reads_the_page_text() -> None:
    found = find_dates(None, None, None, None, PAGE, None)
    assert (found.published, found.published_source) == ("2021-03-03", "htmldate")


def test_date_shown_on_page_beats_a_stale_metadata_date() -> None:
    found = find_dates("2015-06-01T09:00:00Z", None, None, None, PAGE, None)
    assert (found.published, found.published_source) == ("2021-03-03", "htmldate")
    agreeing = find_dates("2021-03-03T10:00:00Z", None, None, None, PAGE, None)
    assert (agreeing.published, agreeing.published_source) == ("2021-03-03T10:00:00+00:00", "jsonld")


def test_url_date_is_the_last_resort() -> None:
    found = find_dates(None, None, None, None, BLANK, "https://example.com/2018/05/04/story")
    assert found.published == "2018-05-04"
    assert found.published_source in ("htmldate", "url")


def test_url_date() -> None:
    assert date_from_url("https://example.com/2019/11/19/story.html") == "2019-11-19"
    assert date_from_url("https://example.com/news/20191119/story") == "2019-11-19"
    assert date_from_url("https://example.com/2019/13/45/story") is None
    assert date_from_url("https://example.com/story") is None


def test_published_never_after_capture_and_timezone_aware() -> None:
    captured = datetime(2020, 1, 3, tzinfo=UTC)
    parsed = parse_published("2020-01-02T10:00:00-05:00", captured)
    assert parsed == datetime(2020, 1, 2, 15, 0, tzinfo=UTC)
    assert parsed is not None and parsed.tzinfo is not None
    assert parse_published("2020-01-04", captured) is None


def test_published_keeps_the_pages_offset_and_so_its_calendar_day() -> None:
    captured = datetime(2020, 1, 3, tzinfo=UTC)
    parsed = parse_published("2020-01-01T22:00:00-05:00", captured)
    assert parsed is not None
    assert parsed.date().isoformat() == "2020-01-01"  # 03:00 UTC on the 2nd, but the page's day is the 1st
    assert parsed.utcoffset() == timedelta(hours=-5)
    assert parsed == datetime(2020, 1, 2, 3, 0, tzinfo=UTC)
    assert parse_published("2020-01-02", captured) == datetime(2020, 1, 2, tzinfo=UTC)
    assert parse_published("2020-01-03T01:00:00+02:00", captured) == datetime(2020, 1, 2, 23, tzinfo=UTC)
    assert parse_published("2020-01-02T20:00:00-05:00", captured) is None  # 01:00 UTC on the 3rd: after capture


def test_time_element_is_used_before_htmldate_when_metadata_has_no_date() -> None:
    page = (
        "<html><body><article><time datetime='2023-10-12T19:38:01Z'>12 October</time>"
        "<p>Reviewed 10 December 2023.</p></article></body></html>"
    )
    found = find_dates(None, None, None, None, page, None, time_element="2023-10-12T19:38:01Z")
    assert (found.published, found.published_source) == ("2023-10-12T19:38:01+00:00", "time")
    metadata_first = find_dates("2021-03-03", None, None, None, BLANK, None, time_element="2023-10-12")
    assert (metadata_first.published, metadata_first.published_source) == ("2021-03-03", "jsonld")


def test_published_label_is_used_after_time_elements_and_before_htmldate() -> None:
    found = find_dates(None, None, None, None, PAGE, None, label_date="January 3, 2024")
    assert (found.published, found.published_source) == ("2024-01-03", "label")
    timed = find_dates(None, None, None, None, PAGE, None, time_element="2021-03-03", label_date="January 3, 2024")
    assert (timed.published, timed.published_source) == ("2021-03-03", "time")
    declared = find_dates(None, "2020-01-05", None, None, BLANK, None, label_date="January 3, 2024")
    assert declared.published_source == "meta"


def test_free_text_search_is_skipped_when_asked() -> None:
    """A date only in the prose needs htmldate's extensive search; the fast mode keeps to markup."""
    prose = (
        "<html><body><article><p>The council met on 14 March 2021 and voted to close the bridge"
        " for repairs.</p></article></body></html>"
    )
    assert find_dates(None, None, None, None, prose, None).published == "2021-03-14"
    markup_only = find_dates(None, None, None, None, prose, None, free_text=False)
    assert (markup_only.published, markup_only.published_source) == (None, None)
    assert find_dates(None, None, None, None, PAGE, None, free_text=False).published == "2021-03-03"


def test_a_copyright_year_is_no_publication_day() -> None:
    """htmldate gives the footer's "© 2019" as 2019-01-01: no date, and no match for a declared one."""
    footer = (
        "<html><body><article><p>Text without any date, long enough to be read as an article.</p></article>"
        "<footer><p>Copyright &copy; 2019 Example Inc. All rights reserved.</p></footer></body></html>"
    )
    assert find_dates(None, None, None, None, footer, None).published is None
    declared = find_dates(None, "2020-03-09", None, None, footer, None)
    assert (declared.published, declared.published_source) == ("2020-03-09", "meta")
    dated = find_dates(None, None, None, None, footer, "https://example.com/2018/05/04/story")
    assert dated.published == "2018-05-04"  # htmldate reads the URL too


@pytest.mark.parametrize(
    "shown",
    ['<time datetime="2019-01-01T09:00:00Z">New Year\'s Day</time>', "<p class='date'>January 1, 2019</p>"],
)
def test_a_story_of_new_years_day_keeps_its_date(shown: str) -> None:
    """A January 1st the page writes out in full is a real day, not a copyright year."""
    page = (
        f"<html><body><article>{shown}<p>Text about the first swim of the year, long enough to be an article.</p>"
        "</article><footer><p>Copyright &copy; 2019 Example Inc.</p></footer></body></html>"
    )
    assert (find_dates(None, None, None, None, page, None).published or "")[:10] == "2019-01-01"


def test_two_sources_agreeing_on_a_day_outweigh_the_first_one() -> None:
    # the <meta> date and the visible "Published" label agree; htmldate alone reads 2021-03-03
    alone = find_dates(None, "2020-03-09", None, None, PAGE, None)
    assert (alone.published, alone.published_source) == ("2021-03-03", "htmldate")
    found = find_dates(None, "2020-03-09", None, None, PAGE, None, label_date="March 9, 2020")
    assert (found.published, found.published_source) == ("2020-03-09", "meta")


def test_time_element_showing_the_update_is_the_day_a_reader_sees() -> None:
    found = find_dates(
        "2012-09-12T16:45:28Z", None, "2021-09-08T18:02:10Z", None, BLANK, None, time_element="2021-09-08T18:02:10Z"
    )
    assert (found.published, found.published_source) == ("2021-09-08T18:02:10+00:00", "time")
    assert found.updated == "2021-09-08T18:02:10+00:00"


def test_date_under_the_headline_replaces_a_date_only_htmldate_found() -> None:
    found = find_dates(None, None, None, None, PAGE, None, headline_date="December 18, 2025")
    assert (found.published, found.published_source) == ("2025-12-18", "headline")
    declared = find_dates("2021-03-03T10:00:00Z", None, None, None, PAGE, None, headline_date="December 18, 2025")
    assert declared.published_source == "jsonld"  # metadata and htmldate agree: two sources


def test_an_update_shown_by_the_headline_is_the_updated_date_when_nothing_declares_one() -> None:
    page = "<html><body><p>Text.</p></body></html>"
    found = find_dates(None, None, None, None, page, None, headline_date="May 1, 2020", headline_update="June 3, 2024")
    assert (found.published, found.published_source) == ("2020-05-01", "headline")
    assert (found.updated, found.updated_source) == ("2024-06-03", "headline")
    declared = find_dates(None, None, "2024-06-05T10:00:00Z", None, page, None, headline_update="June 3, 2024")
    assert (declared.updated, declared.updated_source) == ("2024-06-05T10:00:00+00:00", "jsonld")


def test_a_date_by_the_headline_before_the_declared_day_is_the_first_publication() -> None:
    moved = find_dates("2022-10-24T12:40:59+00:00", None, None, None, BLANK, None, headline_date="8 Oct 2022")
    assert (moved.published, moved.published_source) == ("2022-10-08", "headline")
    plain = find_dates(None, "2024-07-05", None, None, BLANK, None, headline_date="March 1, 2024")
    assert (plain.published, plain.published_source) == ("2024-03-01", "headline")


def test_a_date_by_the_headline_after_the_declared_day_does_not_replace_it() -> None:
    found = find_dates("2022-07-21T09:00:00Z", None, None, None, BLANK, None, headline_date="29 August 2023")
    assert (found.published, found.published_source) == ("2022-07-21T09:00:00+00:00", "jsonld")


def test_a_headline_date_that_is_the_declared_instant_in_another_zone_is_not_earlier() -> None:
    # 00:04 UTC on July 5 is the evening of July 4 in America: the same instant, not an older day
    found = find_dates("2025-07-05T00:04:00+00:00", None, None, None, BLANK, None, headline_date="July 4, 2025")
    assert (found.published, found.published_source) == ("2025-07-05T00:04:00+00:00", "jsonld")
    late = find_dates("2025-12-19T22:02:58Z", None, None, None, BLANK, None, headline_date="Dec 18, 2025")
    assert (late.published, late.published_source) == ("2025-12-18", "headline")


def test_a_date_in_a_sentence_under_the_headline_does_not_replace_the_declared_day() -> None:
    found = find_dates(
        "2020-03-15T09:00:00Z",
        None,
        None,
        None,
        BLANK,
        None,
        headline_date="March 3, 2020",
        headline_date_in_prose=True,
    )
    assert (found.published, found.published_source) == ("2020-03-15T09:00:00+00:00", "jsonld")
