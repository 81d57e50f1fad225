"""Page metadata: JSON-LD (graphs, types, persons), <meta>, byline elements, title choice."""

from __future__ import annotations

from lxml import html as lxml_html

from cleaners.byline import parse_byline
from cleaners.metadata import (
    byline_candidates,
    choose_title,
    extract_metadata,
    headline_wrappers,
    strip_site_suffix,
)

JSONLD_PAGE = """<html lang="en-GB"><head>
<title>Council approves new bridge | The Daily Example</title>
<meta property="og:title" content="Council approves new bridge">
<meta property="og:site_name" content="The Daily Example">
<meta property="article:published_time" content="2024-03-01T08:00:00Z">
<meta name="author" content="Someone Else">
<script type="application/ld+json">
{"@context": "https://schema.org", "@graph": [
  {"@type": "WebSite", "name": "Daily Example Site"},
  {"@type": "NewsArticle", "headline": "Council approves new bridge",
   "datePublished": "2024-02-29T18:30:00-05:00", "dateModified": "2024-03-02T09:00:00Z",
   "author": [{"@type": "Person", "name": "Jane Doe"}, {"@type": "Organization", "name": "Example Media"},
              {"@type": "Person", "name": "John  Roe"}],
   "publisher": {"@type": "Organization", "name": "The Daily Example"},
   "articleBody": "First paragraph.\\nSecond paragraph."}
]}
</script>
<script type="application/ld+json">{ not json </script>
</head><body><h1>Council approves new bridge</h1><p>Body.</p></body></html>"""


def _tree(html: str) -> lxml_html.HtmlElement:
    return lxml_html.document_fromstring(html)


def test_jsonld_article_in_a_graph() -> None:
    found = extract_metadata(_tree(JSONLD_PAGE))
    assert found.authors == ("Jane Doe", "John Roe")  # organisations skipped, spaces folded
    assert found.author_source == "jsonld"
    assert (found.published, found.published_source) == ("2024-02-29T18:30:00-05:00", "jsonld")
    assert (found.modified, found.modified_source) == ("2024-03-02T09:00:00Z", "jsonld")
    assert found.site_name == "The Daily Example"
    assert found.article_body == "First paragraph.\nSecond paragraph."
    assert found.language == "en"
    assert found.headline == "Council approves new bridge"


def test_meta_fallbacks_without_jsonld() -> None:
    page = JSONLD_PAGE.split('<script type="application/ld+json">')[0] + "</head><body></body></html>"
    found = extract_metadata(_tree(page))
    assert (found.authors, found.author_source) == (("Someone Else",), "meta")
    assert (found.published, found.published_source) == ("2024-03-01T08:00:00Z", "meta")
    assert found.article_body is None


def test_title_prefers_the_visible_headline() -> None:
    found = extract_metadata(_tree(JSONLD_PAGE))
    assert choose_title(found) == "Council approves new bridge"


def test_title_without_h1_drops_the_site_suffix() -> None:
    page = "<html><head><title>Ten ways to save energy | Green Homes</title></head><body><p>x</p></body></html>"
    assert choose_title(extract_metadata(_tree(page))) == "Ten ways to save energy"


def test_site_name_h1_is_not_the_title() -> None:
    page = (
        "<html><head><title>A brief intro to git • Cory Dransfeldt</title>"
        '<meta property="og:site_name" content="Cory Dransfeldt"></head>'
        "<body><h1>Cory Dransfeldt</h1><h2>A brief intro to git</h2></body></html>"
    )
    assert choose_title(extract_metadata(_tree(page))) == "A brief intro to git"


def test_strip_site_suffix() -> None:
    assert strip_site_suffix("Storm hits coast - Example News", "Example News") == "Storm hits coast"
    assert strip_site_suffix("Example News: Storm hits coast", "Example News") == "Storm hits coast"
    assert strip_site_suffix("Zero Waste - A Beginner's Guide", "Eartheasy") == "Zero Waste - A Beginner's Guide"


def test_byline_candidates_marked_and_plain() -> None:
    page = (
        "<html><body><nav><span class='author'>Nav Person</span></nav>"
        "<article><div class='post-meta'><span class='author-name'>Jane Doe</span></div>"
        "<p>By John Roe</p><p>By the way, this is a long sentence and not a byline at all today.</p>"
        "<div class='comments'><span class='comment-author'>Troll Person</span></div></article></body></html>"
    )
    assert byline_candidates(_tree(page)) == [("Jane Doe", True), ("By John Roe", False)]


def test_two_author_links_are_kept_apart() -> None:
    page = "<html><body><div class='byline'>By <a href='/a'>Jane Doe</a> and <a href='/b'>John Roe</a></div></body>"
    assert byline_candidates(_tree(page)) == [("Jane Doe, John Roe", True)]


def test_first_h1_that_other_sources_agree_with_is_the_headline() -> None:
    page = (
        "<html><head><title>Storm closes the harbour | Coast News</title></head>"
        "<body><h1>Open Menu Close Menu</h1><article><h1>Storm closes the harbour</h1></article></body></html>"
    )
    found = extract_metadata(_tree(page))
    assert found.h1 == "Storm closes the harbour"
    assert choose_title(found) == "Storm closes the harbour"


def test_h1_sharing_no_words_with_the_titles_is_not_the_headline() -> None:
    page = (
        "<html><head><title>Best garden tools of 2025 | Shed World</title>"
        '<meta property="og:title" content="Best garden tools of 2025"></head>'
        "<body><h1>Do you want more web conversions?</h1><p>x</p></body></html>"
    )
    assert choose_title(extract_metadata(_tree(page))) == "Best garden tools of 2025"


def test_h1_with_some_words_of_the_titles_still_wins() -> None:
    page = (
        "<html><head><title>Best garden tools of 2025 | Shed World</title></head>"
        "<body><h1>The garden tools we use every day</h1><p>x</p></body></html>"
    )
    assert choose_title(extract_metadata(_tree(page))) == "The garden tools we use every day"


def test_plain_quotes_when_the_metadata_writes_the_headline_so() -> None:
    page = (
        '<html><head><meta property="og:title" content="Why cheap SEO doesn\'t work"></head>'
        "<body><h1>Why cheap SEO doesn\u2019t work</h1><p>x</p></body></html>"
    )
    assert choose_title(extract_metadata(_tree(page))) == "Why cheap SEO doesn't work"
    only_curly = "<html><body><h1>Why cheap SEO doesn\u2019t work</h1><p>x</p></body></html>"
    assert choose_title(extract_metadata(_tree(only_curly))) == "Why cheap SEO doesn\u2019t work"


def test_time_element_date_skips_update_times_and_chrome() -> None:
    page = (
        "<html><body><nav><time datetime='2020-01-01'>1 Jan</time></nav>"
        "<article><h1>Headline</h1><span>Updated <time datetime='2024-05-03'>3 May</time></span>"
        "<time class='entry-date published' datetime='2024-03-17T19:47:39+00:00'>17 March</time></article>"
        "</body></html>"
    )
    assert extract_metadata(_tree(page)).time_published == "2024-03-17T19:47:39+00:00"
    assert extract_metadata(_tree("<html><body><p>No time here.</p></body></html>")).time_published is None


def test_jsonld_author_given_by_id_is_resolved_in_the_graph() -> None:
    page = """<html><head><script type="application/ld+json">{"@graph": [
      {"@type": "Article", "headline": "H", "author": {"@id": "https://x.org/#/person/1"}},
      {"@type": "Person", "@id": "https://x.org/#/person/1", "name": "Albert Swann"}]}</script>
    </head><body><p>x</p></body></html>"""
    found = extract_metadata(_tree(page))
    assert found.authors == ("Albert Swann",)


def test_jsonld_organisation_author_is_kept_apart_from_persons() -> None:
    page = """<html><head><script type="application/ld+json">{"@type": "BlogPosting", "headline": "H",
      "author": {"@type": "Organization", "name": "Thrive Agency"}}</script></head><body><p>x</p></body></html>"""
    found = extract_metadata(_tree(page))
    assert found.authors == ()
    assert found.author_organisations == ("Thrive Agency",)


def test_written_by_twitter_label_is_an_author() -> None:
    page = (
        '<html><head><meta name="twitter:label1" content="Written by">'
        '<meta name="twitter:data1" content="Jayesh Shinde"><meta name="twitter:label2" content="Est. reading time">'
        '<meta name="twitter:data2" content="4 minutes"></head><body><p>x</p></body></html>'
    )
    assert extract_metadata(_tree(page)).authors == ("Jayesh Shinde",)


def test_name_after_a_written_by_label_element_is_a_candidate() -> None:
    page = (
        "<html><body><article><div><p>Last updated</p><time>Aug 04, 2025</time></div>"
        "<div><p>Written by</p><p>Edzel Tabing</p></div><p>Body text.</p></article></body></html>"
    )
    assert ("Edzel Tabing", True) in byline_candidates(_tree(page))


def test_link_to_an_author_page_is_a_marked_candidate() -> None:
    page = (
        "<html><body><article><span><a href='/authors/trevor-jackins'>Trevor Jackins</a></span>"
        "<a href='/blog/other-story'>Other story</a><p>Body.</p></article></body></html>"
    )
    candidates = byline_candidates(_tree(page))
    assert ("Trevor Jackins", True) in candidates
    assert all(text != "Other story" for text, _ in candidates)


def test_unmarked_by_colon_line_is_a_candidate() -> None:
    page = "<html><body><article><p>by: Ziyi Xu, Dec 17, 2025</p><p>Body.</p></article></body></html>"
    assert ("by: Ziyi Xu, Dec 17, 2025", False) in byline_candidates(_tree(page))


def test_contributors_label_followed_by_text_names_the_author() -> None:
    page = (
        "<html><body><article><div><strong>Contributors:</strong> Janet Loughrey</div><p>B.</p></article></body></html>"
    )
    assert ("Janet Loughrey", True) in byline_candidates(_tree(page))


def test_label_after_the_name_points_back_at_it() -> None:
    page = "<html><body><article><div><p>Matteo Laratta</p><p>| Author</p></div><p>Body.</p></article></body></html>"
    assert ("Matteo Laratta", True) in byline_candidates(_tree(page))


def test_labelled_author_card_in_a_sidebar_counts_but_related_stories_do_not() -> None:
    card = "<aside class='article-sidebar'><h3>Author</h3><p>Lisa D. Ellis</p></aside>"
    related = "<div class='related-stories'><span>By</span><span>Other Writer</span></div>"
    page = f"<html><body><article><p>Body.</p>{card}{related}</article></body></html>"
    candidates = byline_candidates(_tree(page))
    assert ("Lisa D. Ellis", True) in candidates
    assert all("Other Writer" not in text for text, _ in candidates)


def test_utility_class_soup_is_not_taken_for_a_sidebar() -> None:
    page = (
        "<html><body><div class='w-full lg:mr-[--sidebar-container-width]'>"
        "<a href='/blog/authors/emmanuel-oyibo'>Emmanuel Oyibo</a><p>Body.</p></div></body></html>"
    )
    assert ("Emmanuel Oyibo", True) in byline_candidates(_tree(page))


def test_layout_classes_on_the_body_do_not_make_the_page_chrome() -> None:
    page = (
        "<html class='no-js'><body class='single-post has-sidebar footer-on-bottom'><article><h1>Harbour reopens</h1>"
        "<span class='posted-by'>By <span class='author vcard'>Jane Doe</span></span>"
        "<time datetime='2024-05-01'>May 1, 2024</time><p>Body.</p></article>"
        "<div class='sidebar'><span class='author'>Other Writer</span></div></body></html>"
    )
    candidates = byline_candidates(_tree(page))
    assert candidates[:2] == [("By Jane Doe", True), ("Jane Doe", True)]
    assert all("Other Writer" not in text for text, _ in candidates)  # a block named sidebar still is one
    assert extract_metadata(_tree(page)).time_published == "2024-05-01"


def test_byline_text_of_separate_elements_is_not_glued() -> None:
    page = (
        "<html><body><article><p>By <span>Cazzy Magennis</span><span>Last Updated</span></p>"
        "<p>Body.</p></article></body></html>"
    )
    texts = [text for text, _ in byline_candidates(_tree(page))]
    assert "By Cazzy Magennis Last Updated" in texts
    assert parse_byline(texts[0]).authors == ("Cazzy Magennis",)


def test_published_label_date_in_the_text_or_the_next_element() -> None:
    inline = "<html><body><article><p>Published: January 3, 2024</p><p>Body.</p></article></body></html>"
    assert extract_metadata(_tree(inline)).label_published == "January 3, 2024"
    split = (
        "<html><body><article><div><div>Published</div><div>October 14, 2025</div></div>"
        "<p>Body.</p></article></body></html>"
    )
    assert extract_metadata(_tree(split)).label_published == "October 14, 2025"
    original = "<html><body><p>This article was originally published on 26 Sep 2019 at 4:12pm</p></body></html>"
    assert extract_metadata(_tree(original)).label_published == "26 Sep 2019"


def test_published_label_in_related_stories_or_without_a_date_is_ignored() -> None:
    related = (
        "<html><body><article><p>Body.</p></article>"
        "<div class='related-posts'><p>Posted on March 2, 2020</p></div></body></html>"
    )
    assert extract_metadata(_tree(related)).label_published is None
    undated = "<html><body><p>This report was published by the council.</p></body></html>"
    assert extract_metadata(_tree(undated)).label_published is None


def test_date_and_byline_inside_the_h1_are_not_the_headline() -> None:
    page = (
        '<html><head><meta property="og:title" content="Harbour reopens after the storm"></head>'
        "<body><h1>Harbour reopens after the storm<span class='posted-on'>Posted on "
        "<time datetime='2024-05-03'>May 3, 2024</time></span></h1><p>x</p></body></html>"
    )
    found = extract_metadata(_tree(page))
    assert found.h1_segments == ("Harbour reopens after the storm", "Posted on", "May 3, 2024")
    assert choose_title(found) == "Harbour reopens after the storm"


def test_label_before_the_headline_in_the_h1_is_dropped() -> None:
    page = (
        "<html><head><title>Ten tips for new gardeners | Shed World</title></head>"
        "<body><h1><strong>Blog:</strong> Ten tips for new gardeners</h1><p>x</p></body></html>"
    )
    assert choose_title(extract_metadata(_tree(page))) == "Ten tips for new gardeners"


def test_h1_subtitle_piece_is_kept_when_most_of_the_h1() -> None:
    # the declared title is the short piece: the h1's long first line is a headline, not chrome
    page = (
        '<html><head><meta property="og:title" content="Budgets 101"></head>'
        "<body><h1>Household budgeting for first time renters <span>Budgets 101</span></h1></body></html>"
    )
    assert choose_title(extract_metadata(_tree(page))) == "Household budgeting for first time renters Budgets 101"


def test_headline_and_subtitle_pieces_take_the_declared_separator() -> None:
    page = (
        '<html><head><meta property="og:title" content="Why tutors matter - Choosing a good tutor"></head>'
        "<body><h1><span>Why tutors matter</span> <span>Choosing a good tutor</span></h1></body></html>"
    )
    assert choose_title(extract_metadata(_tree(page))) == "Why tutors matter - Choosing a good tutor"


def test_a_pipe_ends_the_headline() -> None:
    page = "<html><body><h1>How to sleep through the night | Patient Education | City Hospital</h1></body></html>"
    assert choose_title(extract_metadata(_tree(page))) == "How to sleep through the night"
    section_first = "<html><body><h1>Opinion | Why the harbour must stay open</h1></body></html>"
    assert choose_title(extract_metadata(_tree(section_first))) == "Why the harbour must stay open"


def test_site_name_at_the_end_of_the_h1_is_dropped() -> None:
    page = (
        '<html><head><meta property="og:site_name" content="Artwire"></head>'
        "<body><h1>Best art shows of the year – Artwire</h1></body></html>"
    )
    assert choose_title(extract_metadata(_tree(page))) == "Best art shows of the year"


def test_time_element_that_says_updated_is_not_the_publication_date() -> None:
    page = (
        "<html><body><article><h1>Headline</h1><div>By Jane Doe</div>"
        "<time datetime='2025-06-18T16:35:02Z'>Updated on June 18, 2025 at 12:35 PM</time>"
        "<p>Published <time datetime='2024-10-15'>October 15, 2024</time></p></article></body></html>"
    )
    assert extract_metadata(_tree(page)).time_published == "2024-10-15"


def test_date_written_under_the_headline() -> None:
    page = (
        "<html><body><nav><a href='/'>Home</a></nav><article><h1>Harbour reopens</h1>"
        "<div class='meta'><span>Jane Doe</span> · <span>December 18, 2025</span> · 3 min read</div>"
        "<p>The harbour reopened on 2 January 2026.</p></article></body></html>"
    )
    assert extract_metadata(_tree(page)).headline_date == "December 18, 2025"


def test_headline_date_with_a_month_name_of_another_language() -> None:
    for shown in ("04-ago-2021", "4 de agosto de 2021", "4. März 2024", "12 déc. 2025"):
        page = f"<html><body><div>By: Jane Doe on {shown} 5:11</div><h1>Harbour reopens</h1><p>Text.</p></body></html>"
        assert extract_metadata(_tree(page)).headline_date == shown
    prose = "<html><body><h1>Harbour reopens</h1><p>It opened 3 days ago, in 2021.</p></body></html>"
    assert extract_metadata(_tree(prose)).headline_date is None


def test_headline_date_skips_updates_and_ambiguous_numbers() -> None:
    updated = "<html><body><h1>Harbour reopens</h1><p>Updated Dec 4, 2025</p><p>Text.</p></body></html>"
    assert extract_metadata(_tree(updated)).headline_date is None
    ambiguous = "<html><body><h1>Harbour reopens</h1><p>03/10/2023 by Jane</p></body></html>"
    assert extract_metadata(_tree(ambiguous)).headline_date is None
    clear = "<html><body><h1>Harbour reopens</h1><p>03/21/2023 by Jane</p></body></html>"
    assert extract_metadata(_tree(clear)).headline_date == "03/21/2023"
    in_script = "<html><body><h1>Harbour reopens</h1><script>x='May 1, 2020'</script><p>Text.</p></body></html>"
    assert extract_metadata(_tree(in_script)).headline_date is None


def test_a_date_under_the_headline_in_a_sentence_is_marked_as_prose() -> None:
    prose = (
        "<html><body><h1>Harbour reopens</h1><p>On March 3, 2020, the council voted to close the harbour"
        " for repairs that took nearly six years.</p></body></html>"
    )
    found = extract_metadata(_tree(prose))
    assert (found.headline_date, found.headline_date_in_prose) == ("March 3, 2020", True)
    dateline = (
        "<html><body><h1>Harbour reopens</h1><p>Posted on March 3, 2020 by Jane Doe in Local News</p></body></html>"
    )
    found = extract_metadata(_tree(dateline))
    assert (found.headline_date, found.headline_date_in_prose) == ("March 3, 2020", False)


def test_date_written_just_above_the_headline() -> None:
    page = (
        "<html><body><nav><a href='/blog'>Back to all articles</a></nav><div><p>February 4, 2025 - 11 minutes</p>"
        "<h1>Cloud computing next</h1></div><p>Text.</p></body></html>"
    )
    assert extract_metadata(_tree(page)).headline_date == "February 4, 2025"
    far = "<html><body><p>May 1, 2020</p><div>" + "Menu item. " * 10 + "</div><h1>Headline</h1></body></html>"
    assert extract_metadata(_tree(far)).headline_date is None
    below_wins = "<html><body><p>May 1, 2020</p><h1>Headline</h1><p>June 2, 2021 by Jane</p></body></html>"
    assert extract_metadata(_tree(below_wins)).headline_date == "June 2, 2021"


def test_a_date_above_the_headline_in_a_link_a_related_card_or_a_masthead_is_not_its_date() -> None:
    related = (
        "<html><body><div class='related'><a href='/a'>Storm hits coast</a> <span>May 1, 2020</span></div>"
        "<h1>Harbour reopens</h1><p>Text.</p></body></html>"
    )
    assert extract_metadata(_tree(related)).headline_date is None
    linked = (
        "<html><body><div><a href='/prev'>Previous story, Jan 3, 2019</a></div><h1>Harbour reopens</h1></body></html>"
    )
    assert extract_metadata(_tree(linked)).headline_date is None
    masthead = (
        "<html><body><div class='top'><p>Monday, December 7, 2026</p></div>"
        "<article><h1>Harbour reopens</h1><p>Text.</p></article></body></html>"
    )
    assert extract_metadata(_tree(masthead)).headline_date is None


def test_update_shown_by_the_headline_is_kept_apart() -> None:
    below = "<html><body><h1>Best tutors</h1><p>Updated: December 31, 2024</p><p>Text.</p></body></html>"
    found = extract_metadata(_tree(below))
    assert (found.headline_date, found.headline_update) == (None, "December 31, 2024")
    above = "<html><body><p>Blog</p><p>Last updated: Dec 12, 2025</p><h1>SEO agencies</h1></body></html>"
    assert extract_metadata(_tree(above)).headline_update == "Dec 12, 2025"
    both = "<html><body><p>DECEMBER 22, 2022 Updated: JANUARY 02, 2026</p><h1>Meditation</h1></body></html>"
    found = extract_metadata(_tree(both))
    assert (found.headline_date, found.headline_update) == ("DECEMBER 22, 2022", "JANUARY 02, 2026")
    second = "<html><body><h1>Meditation</h1><p>May 1, 2020 · Updated June 3, 2024</p><p>Text.</p></body></html>"
    found = extract_metadata(_tree(second))
    assert (found.headline_date, found.headline_update) == ("May 1, 2020", "June 3, 2024")


def test_byline_pieces_in_separate_blocks_are_kept_apart() -> None:
    page = (
        "<html><body><article><h1>Headline</h1><div class='writer-card'><div class='name'><div>By </div>"
        "<a href='/people/jane-doe'>Jane Doe</a></div><div class='role'>EdTech Content writer</div></div>"
        "<p>Text.</p></article></body></html>"
    )
    text, marked = byline_candidates(_tree(page))[0]
    assert (text, marked) == ("By | Jane Doe | EdTech Content writer", True)
    assert parse_byline(text, single=marked).authors == ("Jane Doe",)
    inline = "<html><body><p><span>By</span><a href='/x'>Ana Lima</a></p></body></html>"
    assert byline_candidates(_tree(inline))[0][0] == "By Ana Lima"


def test_h1_matching_the_headline_after_a_leading_site_name_is_the_title() -> None:
    page = (
        '<html><head><meta property="og:title" content="Shed World | Ten tips for new gardeners this spring">'
        "</head><body><h1>Ten tips for new gardeners this spring</h1><p>x</p></body></html>"
    )
    assert choose_title(extract_metadata(_tree(page))) == "Ten tips for new gardeners this spring"


def test_byline_marks_are_read_from_the_named_attributes_only() -> None:
    page = (
        "<html><body><article>"
        "<a href='/about' title='author page'><span>Home</span></a>"  # a title: not a mark
        "<div data-section='authority'><span class='Article-AUTHOR'>Jane Doe</span></div>"
        "<span class='authority-badge'>Verified Source</span>"
        "</article></body></html>"
    )
    assert byline_candidates(_tree(page)) == [("Jane Doe", True)]


def test_unmarked_byline_found_below_blank_text() -> None:
    page = "<html><body><article><div>\u00a0<p>\n  <b>By Jane Doe</b></p></div></article></body></html>"
    assert byline_candidates(_tree(page)) == [("By Jane Doe", False)]


def test_author_box_with_a_bio_gives_the_name_it_starts_with() -> None:
    bio = "Jane Doe is a growth-focused marketing professional who has written about clinics for a decade."
    page = (
        "<html><body><article><p>Body.</p><div class='blog_author-box'><img alt='Jane Doe'>"
        f"<div>Jane Doe</div><div><p>{bio}</p></div></div></article></body></html>"
    )
    assert ("Jane Doe", False) in byline_candidates(_tree(page))
    about = f"<html><body><div class='author-box'><h3>About the author</h3><p>{bio}</p></div></body></html>"
    assert byline_candidates(_tree(about)) == []


def test_an_author_marked_wrapper_around_the_headline_gives_no_author() -> None:
    """``class="post-with-author"`` around the post: its first title-case text is the headline."""
    story = "The recall covers vehicles built over three years and many models sold here. " * 8
    for teaser in ("Short teaser text of the story for the readers of the site.", story):
        page = (
            f"<html><body><div class='post-with-author'><h1>Tesla Recalls Cars</h1><p>{teaser}</p></div>"
            f"<p>{story}</p></body></html>"
        )
        assert byline_candidates(_tree(page)) == []


def test_containers_holding_the_headline_are_not_chrome() -> None:
    """A ``<nav>`` left unclosed around the page, or a "newsletter-post" class around the post,
    holds the headline: the byline and the date in it are the article's, not navigation's."""
    for opening, closing in (("<nav class='menu'>", "</nav>"), ("<div class='post newsletter-post'>", "</div>")):
        page = (
            f"<html><body>{opening}<article><h1>How to start an LLC</h1>"
            "<div><span>by </span><a href='/articles/authors/jane-doe'>Jane Doe</a></div>"
            "<time datetime='2025-03-04'>March 4, 2025</time><p>Body.</p></article>"
            f"{closing}<nav class='menu'><a href='/authors/john-roe'>John Roe</a></nav></body></html>"
        )
        tree = _tree(page)
        found = extract_metadata(tree)
        assert found.h1_is_headline
        assert ("Jane Doe", True) in byline_candidates(tree, headline_wrappers(tree.find(".//h1")))
        assert byline_candidates(tree) == []
        assert found.time_published == "2025-03-04"


def test_a_sidebar_widgets_h1_that_no_title_agrees_with_wraps_no_article() -> None:
    """The chosen h1 is a sidebar widget's heading ("Recent posts"): the sidebar stays chrome, its
    bylines and dates are not the article's."""
    widget = (
        "<div class='sidebar'><h1>Recent posts</h1><p><span class='author'>Other Writer</span>"
        "<time datetime='2021-05-06'>May 6, 2021</time></p></div>"
    )
    for article_h1 in ("", "<h1>Our menu</h1>"):
        page = (
            "<html><head><title>Harbour reopens | Site</title></head><body>"
            f"{widget}<div class='post'>{article_h1}<h2>Harbour reopens</h2><p>Body.</p></div></body></html>"
        )
        found = extract_metadata(_tree(page))
        assert found.time_published is None
        assert found.h1 == "Recent posts" and not found.h1_is_headline
    only = "<html><body><div class='post'><h1>Harbour reopens</h1><p>Body.</p></div></body></html>"
    assert extract_metadata(_tree(only)).h1_is_headline  # the page's only h1, outside chrome


def test_an_author_link_in_a_menu_item_is_navigation() -> None:
    """A site menu outside any <nav> links a writer's page under a job ("Hong Kong Actuary")."""
    link = "<a href='/author/xlo/'>Hong Kong Actuary</a>"
    menu = f"<ul class='menu'><li class='menu-item menu-item-type-custom'>{link}</li></ul>"
    page = f"<html><body>{menu}<article><h1>Pricing guide</h1><p>Body.</p></article></body></html>"
    assert byline_candidates(_tree(page)) == []
    plain = page.replace(" menu-item-type-custom", "").replace("menu-item", "entry")
    assert byline_candidates(_tree(plain)) == [("Hong Kong Actuary", True)]


def test_links_after_a_reviewers_credit_are_not_the_writers() -> None:
    def candidates(inner: str) -> list[tuple[str, bool]]:
        box = f"<div class='author-info'>{inner}</div>"
        page = f"<html><body><article><h1>Pups</h1>{box}<p>x</p></article></body></html>"
        return byline_candidates(_tree(page))

    a, b = "<a href='/author/a'>Shelby Loos, DVM</a>", "<a href='/author/b'>Molly Price, DVM</a>"
    assert candidates(f"By {a}. Medically reviewed by {b}")[0] == ("Shelby Loos, DVM", True)
    assert candidates(f"By {a} and {b}")[0] == ("Shelby Loos, DVM, Molly Price, DVM", True)
    assert candidates(f"Reviewed by {a} and {b}")[0][0].startswith("Reviewed by")
