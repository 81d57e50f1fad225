"""HTML extraction: body choice, chrome lines, JSON-LD body, authors, credits, dates, title."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree
from lxml.html import HtmlElement

from cleaners import html as html_module
from cleaners.core import clean
from cleaners.errors import Rejected
from cleaners.html import (
    choose_body,
    chrome_rules,
    class_words,
    clean_lines,
    drop_repeated_headline,
    extract_html,
    is_chrome_line,
    parse_tree,
    popup_texts,
    readability_paragraphs,
    recover_dropped_blocks,
    second_opinion,
    trafilatura_paragraphs,
    without_popups,
)
from schemas.records import ArticleRecord, Capture

PROSE = [
    "The city council voted on Tuesday to approve the long-delayed bridge across the river, ending a debate that "
    "had lasted for more than a decade and divided the two neighbourhoods it will connect.",
    "Construction is expected to begin next spring, the mayor said, and the bridge should open to pedestrians and "
    "cyclists within three years if the contractors keep to the schedule agreed with the province.",
    "Residents on both banks packed the chamber for the vote, and several of them said afterwards that they were "
    "relieved the question had finally been settled after so many public meetings and reports.",
]


def _page(jsonld: str = "", byline: str = "<p class='byline'>By Jane Doe and John Roe</p>") -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in PROSE)
    return f"""<html lang="en"><head><title>Council approves bridge | The Daily Example</title>
<meta property="og:site_name" content="The Daily Example">
<meta property="og:title" content="Council approves bridge">
<meta property="article:published_time" content="2024-03-01T08:00:00+00:00">
<meta property="article:modified_time" content="2024-03-02T10:00:00+00:00">
{jsonld}</head><body>
<nav><a href="/news">News</a> <a href="/sport">Sport</a></nav>
<article><h1>Council approves bridge</h1>{byline}
{paragraphs}
<p>Read more: <a href="/other">Mayor unveils plan for new downtown transit hub</a></p>
<p>With files from The Canadian Press</p>
</article>
<aside><h3>Related</h3><ul><li><a href="/x">Mayor unveils plan for new downtown transit hub</a></li></ul></aside>
<footer>© 2024 The Daily Example</footer></body></html>"""


def test_extracts_body_and_metadata() -> None:
    found = extract_html(_page(), "https://example.com/news/2024/03/01/bridge")
    assert list(found.paragraphs)[-3:] == PROSE
    assert not any("Read more" in p or "files from" in p for p in found.paragraphs)
    assert found.title == "Council approves bridge"
    assert found.publisher == "The Daily Example"
    assert found.authors == ("Jane Doe", "John Roe")
    assert found.credits == ("The Canadian Press",)
    assert found.published == "2024-03-01T08:00:00+00:00"
    assert found.date_source == "meta"
    assert found.updated == "2024-03-02T10:00:00+00:00"


def test_jsonld_author_beats_byline_markup() -> None:
    jsonld = """<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Council approves bridge",
      "author": {"@type": "Person", "name": "Ana Lima"}, "datePublished": "2024-03-01T07:00:00Z"}</script>"""
    found = extract_html(_page(jsonld), None)
    assert found.authors == ("Ana Lima",)
    assert found.date_source == "jsonld"


def test_no_byline_means_no_author() -> None:
    found = extract_html(_page(byline=""), None)
    assert found.authors == ()


def test_jsonld_article_body_replaces_extracted_text_only_when_full() -> None:
    full = "\\n".join([*PROSE, "A fourth paragraph that only the structured data carries, about the budget."])
    jsonld = f'<script type="application/ld+json">{{"@type": "NewsArticle", "articleBody": "{full}"}}</script>'
    assert extract_html(_page(jsonld), None).paragraphs[-1].startswith("A fourth paragraph")
    teaser = f'<script type="application/ld+json">{{"@type": "NewsArticle", "articleBody": "{PROSE[0]}"}}</script>'
    assert list(extract_html(_page(teaser), None).paragraphs)[-3:] == PROSE


def test_page_without_text_is_rejected() -> None:
    with pytest.raises(Rejected):
        extract_html("<html><body><nav><a href='/'>Home</a></nav></body></html>", None)


@pytest.mark.parametrize(
    "line",
    [
        "Read more: Mayor unveils plan for new downtown transit hub",
        "Advertisement",
        "Photo: Jane Doe/Getty Images",
        "Sign up for our morning newsletter",
        "Reporting by Jane Doe; Editing by John Roe",
        "5 min read",
        "Filed under: Politics, City Hall",
        "Table of Contents",
        "Written by Jane Doe",
        "Read our full Acme Phone 3 review",
        "Write to Jane Doe at jane.doe@example.com",
        "Email Jane Doe at jdoe@example.com or follow her @janedoe.",
        "Products are chosen by our editors. Purchases made through our links may earn us a commission.",
        "This post contains affiliate links: if you buy through them, we may earn a small commission.",
        "This slideshow requires JavaScript.",
        "Related news",
        "- 2 min read",
        "In this article:",
        "More on Wharton:",
        "- Lorem ipsum 1",
        "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.",
    ],
)
def test_chrome_lines(line: str) -> None:
    assert is_chrome_line(line, frozenset(), chrome_rules())


@pytest.mark.parametrize(
    "line",
    [
        "More than 2,500 people attended the meeting, organisers said.",
        "Related research by the university found the opposite effect.",
        "The broker may earn a commission on each sale, analysts said.",
        "Written by a committee, the report runs to 400 pages.",
        "More on that later: the council met on Tuesday.",
        "Designers fill mock-ups with lorem ipsum until the copy is ready.",
        PROSE[0],
    ],
)
def test_prose_is_not_chrome(line: str) -> None:
    assert not is_chrome_line(line, frozenset(), chrome_rules())


def test_link_headline_lines_are_dropped_but_listed_links_kept() -> None:
    links = frozenset({"mayor unveils plan for new downtown transit hub"})
    kept, credits = clean_lines(
        ["Mayor unveils plan for new downtown transit hub", "- Mayor unveils plan for new downtown transit hub"], links
    )
    assert kept == ["- Mayor unveils plan for new downtown transit hub"]
    assert credits == []


STORY = [
    "The council voted on Tuesday to close the old bridge to lorries from next spring.",
    "Residents said the detour would add twenty minutes to their morning drive.",
    "What happens next",
    "Engineers will inspect the bridge again in March before any final decision is taken.",
]


def test_a_second_copy_of_the_article_is_dropped() -> None:
    kept, _ = clean_lines([*STORY, "Bridge closure timeline", *STORY, *STORY], frozenset())
    assert kept == [*STORY, "Bridge closure timeline"]


def test_a_copy_goes_with_the_headline_that_opens_it() -> None:
    headline = "Bridge to close to lorries"
    kept, _ = clean_lines([headline, *STORY, headline, *STORY], frozenset())
    assert kept == [headline, *STORY]


def test_a_repeat_that_is_not_the_article_over_again_stays() -> None:
    later = [
        "Drivers of vans under three tonnes may still use the bridge at any time of the day or night.",
        "Cyclists and people on foot keep both of the footpaths on the eastern side, the council said.",
        "Buses will be allowed across in both directions during the morning and the evening rush hours.",
    ]
    body = [*STORY, *later, *later]  # repeats a run as long as half the body, but not from its start
    assert clean_lines(body, frozenset())[0] == body
    body = [STORY[0], STORY[1], STORY[0]]  # one paragraph quoted again: not a run
    assert clean_lines(body, frozenset())[0] == body
    long_body = [*STORY, *later, *[f"Paragraph {n} of a long report on the traffic survey results." for n in range(9)]]
    short_copy = [*STORY, *long_body[4:], *STORY[:3]]  # the start again, under half the words before it
    assert clean_lines(short_copy, frozenset())[0] == short_copy


def test_repeated_lines_of_an_article_are_prose() -> None:
    question = "What did you cook the first time you made dinner for your family?"
    interview = [
        "We asked three home cooks the same questions about the dishes they grew up with.",
        question,
        "Pancakes, mostly burnt ones, and my father ate every single one of them anyway.",
        question,
        "A lentil soup from my grandmother's notebook, which I still make every winter.",
        question,
        "Fried rice, because it was the only thing in the fridge on a Sunday night.",
    ]
    assert clean_lines(interview, frozenset())[0] == interview
    day = [
        "Breakfast: two eggs, one slice of toast and a cup of strawberries.",
        "Lunch: grilled chicken salad with beans.",
    ]
    plan = [*interview, *day, "Dinner: salmon, rice and green beans with lemon.", *day, "Dinner: lentil soup."]
    assert clean_lines(plan, frozenset())[0] == plan  # a day's meals repeated: a short run, far from the start


def test_a_bare_machine_timestamp_is_not_prose() -> None:
    lines = ["2019-11-19T08:57:40+01:00", "2019-11-19 07:23Z", "At 2019-11-19 08:57 the alarm rang, officials said."]
    kept, _ = clean_lines(lines, frozenset())
    assert kept == ["At 2019-11-19 08:57 the alarm rang, officials said."]


def test_a_paragraph_repeated_right_after_itself_is_kept_once() -> None:
    """The extractor doubles a block nested in a block of the same text; a short value repeated
    in adjacent cells and a paragraph repeated further on stay."""
    lines = [PROSE[0], PROSE[0], "265 lbs", "265 lbs", PROSE[1], PROSE[0]]
    kept, _ = clean_lines(lines, frozenset())
    assert kept == [PROSE[0], "265 lbs", "265 lbs", PROSE[1], PROSE[0]]


def test_second_opinion_only_when_the_first_found_little() -> None:
    short, long = ["One paragraph of text here."], ["One paragraph of text here.", *PROSE]
    assert choose_body(short, short, long) == long
    assert choose_body(PROSE, PROSE, [*PROSE, "extra words " * 5]) == PROSE
    assert choose_body(PROSE, PROSE[:1], []) == PROSE  # precision mode lost too much
    assert choose_body([], [], PROSE) == PROSE  # trafilatura found nothing
    teaser = ["Many people dream of becoming entrepreneurs..."]
    assert choose_body(teaser, teaser, PROSE * 4) == PROSE * 4  # a small wrong block


def test_headline_repeated_as_first_paragraph_is_dropped() -> None:
    page = _page().replace("<article><h1>Council approves bridge</h1>", "<article><p>Council approves bridge</p>")
    found = extract_html(page, None)
    assert list(found.paragraphs) == PROSE
    assert found.title == "Council approves bridge"
    assert drop_repeated_headline(["Council approves bridge!", *PROSE], ("Council Approves Bridge", None)) == PROSE
    assert drop_repeated_headline(PROSE, ("Council approves bridge", "Other")) == PROSE


LISTICLE_ITEMS = [
    "Agi's Counter",
    "An all-day cafe and pastry shop with a menu of deli classics from the owner's grandmothers.",
    "Alta Calidad",
    "Creative Mexican cooking, from the queso fundido with chorizo to the short rib tacos.",
]


def _listicle(items: str) -> HtmlElement:
    intro, middle, end = (f"<p>{p}</p>" for p in PROSE)
    return parse_tree(
        f"<html><body><article>{intro}{middle}<div class='cards'>{items}</div>{end}</article>"
        "<footer><p>Copyright 2024 The Daily Example, all rights reserved by the owners.</p></footer></body></html>"
    )


def test_list_items_the_extractor_dropped_between_its_paragraphs_are_put_back() -> None:
    names, notes = LISTICLE_ITEMS[::2], LISTICLE_ITEMS[1::2]
    items = "".join(f"<h3>{a}</h3><div class='excerpt'><p>{b}</p></div>" for a, b in zip(names, notes, strict=True))
    assert recover_dropped_blocks(PROSE, _listicle(items)) == [*PROSE[:2], *LISTICLE_ITEMS, PROSE[2]]
    assert recover_dropped_blocks(PROSE[:2], _listicle(items)) == PROSE[:2]  # too few anchors to place them


def test_put_back_blocks_keep_inline_markup_inside_words_and_sentences() -> None:
    """A link or emphasis inside a word or before a comma adds no space; a line break does."""
    items = (
        "<h3>Agi<em>'s</em> Counter</h3>"
        "<p>The <a href='/c'>council</a>'s vote, <b>Wash</b>ington said, was close.</p>"
        "<p>Open daily<br>from nine until late</p>"
    )
    recovered = recover_dropped_blocks(PROSE, _listicle(items))
    assert recovered[2:5] == [
        "Agi's Counter",
        "The council's vote, Washington said, was close.",
        "Open daily from nine until late",
    ]


def test_a_short_heading_is_not_taken_for_part_of_a_longer_kept_word() -> None:
    """ "Cons" is not kept already because the kept text says "considered"; "bridge" (a kept word) is."""
    paragraphs = [*PROSE[:2], "Engineers considered three designs before this one.", PROSE[2]]
    page = parse_tree(
        "<html><body><article>" + "".join(f"<p>{p}</p>" for p in paragraphs[:3])
        + "<h3>Cons</h3><h3>bridge</h3>" + f"<p>{PROSE[2]}</p></article></body></html>"
    )  # fmt: skip
    assert recover_dropped_blocks(paragraphs, page) == [*paragraphs[:3], "Cons", PROSE[2]]


def test_nothing_is_put_back_when_too_few_paragraphs_are_found_in_the_page() -> None:
    """Four kept paragraphs holding 90 % of the words in two found as blocks of the page: two
    anchors are too few to place the items between them by."""
    paragraphs = [*PROSE[:2], "Not in the page.", "Nor this."]
    names = "".join(f"<h3>{name}</h3>" for name in LISTICLE_ITEMS[::2])
    page = parse_tree(f"<html><body><article><p>{PROSE[0]}</p>{names}<p>{PROSE[1]}</p></article></body></html>")
    assert recover_dropped_blocks(paragraphs, page) == paragraphs


def test_furniture_code_and_kept_text_are_not_put_back() -> None:
    furniture = (
        "<figure><figcaption>The bridge at dusk, seen from the eastern bank of the river.</figcaption></figure>"
        "<div class='share-bar'><p>Share this story with your friends and family on social media.</p></div>"
        "<ul><li><a href='/a'>Mayor unveils plan for new downtown transit hub</a></li></ul>"
        "<pre>git commit -m 'fix the bridge'</pre><p style='display: none'>A hidden duplicate teaser.</p>"
        f"<p>{PROSE[0]}</p>"
    )
    assert recover_dropped_blocks(PROSE, _listicle(furniture)) == PROSE


def test_markup_after_the_closing_html_tag_is_part_of_the_page() -> None:
    """A template that closes the page early and goes on: the article after ``</html>`` is in the
    body (where a browser shows it), not in a second top-level element nothing searches."""
    paragraphs = "".join(f"<p>{p}</p>" for p in PROSE)
    head = "<html><head><title>Bridge</title></head><body><nav>Menu</nav></body></html>"
    page = f"{head}\n<div id='post'>{paragraphs}</div>"
    tree = parse_tree(page)
    assert [p.text_content() for p in tree.iter("p")] == PROSE
    assert list(extract_html(page).paragraphs) == PROSE
    # text right after </html>, before any element, is kept too
    tree = parse_tree(f"{head}\nA sentence standing after the page's end. <b>bold</b>")
    assert "A sentence standing after the page's end." in tree.find("body").text_content()


def test_kept_blocks_inside_a_newsletter_box_or_related_stories_are_taken_out() -> None:
    """The extractor kept a newsletter box's texts and a related headline after the article: they
    sit inside elements whose class names furniture, below the element holding the article."""
    box = (
        "<section class='Newsletter-container'><h3>Pick Six Newsletter</h3>"
        "<h4>Get the day's big stories and fun stuff you love.</h4></section>"
        "<div class='related-stories'><h3>Mayor unveils plan for new downtown transit hub</h3></div>"
    )
    page = parse_tree(
        "<html><body><main><div class='story'>" + "".join(f"<p>{p}</p>" for p in PROSE)
        + f"</div>{box}</main></body></html>"
    )  # fmt: skip
    kept = [*PROSE, "Pick Six Newsletter", "Get the day's big stories and fun stuff you love."]
    assert recover_dropped_blocks([*kept, "Mayor unveils plan for new downtown transit hub"], page) == PROSE


def test_an_article_inside_an_element_named_like_furniture_stays() -> None:
    """The article's own container may carry such a class ("url-breadcrumb", "share-enabled"):
    the paragraphs found inside it hold most of the kept words, so it is not furniture."""
    page = parse_tree(
        "<html><body><main><article class='content url-breadcrumb share-enabled'>"
        + "".join(f"<p>{p}</p>" for p in PROSE)
        + "</article><div class='related'><p>Mayor unveils plan for new downtown transit hub</p></div>"
        + "</main></body></html>"
    )  # fmt: skip
    kept = [*PROSE, "Mayor unveils plan for new downtown transit hub"]
    assert recover_dropped_blocks(kept, page) == PROSE


def test_furniture_classes_match_whole_word_parts_of_a_class() -> None:
    """A pull quote classed "shareable-quote" inside the article is no share bar (a word inside
    another word); "shareBar" and "post_related-stories" are furniture (camelCase humps, dashes)."""
    quote = "Nobody expected the bridge to open before the winter, said one of the engineers."
    page = parse_tree(
        "<html><body><main><div class='story'>" + "".join(f"<p>{p}</p>" for p in PROSE[:2])
        + f"<blockquote class='shareable-quote'><p>{quote}</p></blockquote><p>{PROSE[2]}</p></div>"
        + "<div class='shareBar'><p>Share this story with your friends and family today.</p></div>"
        + "<div class='post_related-stories'><p>Mayor unveils plan for new downtown transit hub</p></div>"
        + "</main></body></html>"
    )  # fmt: skip
    kept = [*PROSE[:2], quote, PROSE[2]]
    chrome = ["Share this story with your friends and family today.", "Mayor unveils plan for new downtown transit hub"]
    assert recover_dropped_blocks([*kept, *chrome], page) == kept
    words = "newsletter container shareable quote md grid area sidebar 2 el 2638ad0"
    assert class_words("Newsletter-container shareableQuote md:[grid-area:sidebar2] el-2638ad0") == words


def test_a_hover_cards_text_is_cut_out_of_the_sentence_holding_it() -> None:
    """A person's hover card and a glossary tooltip, inline in a paragraph, are joined into the
    sentence by the extractor; a short tooltip (the term itself) and a link stay."""
    page = parse_tree(
        "<html><body><p>Rep. <span class='rollover-people'><a href='/p/omar'>Ilhan Omar</a>"
        "<span class='rollover-people-block'><span class='rollover-block'><a href='/p/omar'>Ilhan Omar</a>"
        "<a href='/n/1'>Hillicon Valley: senators call for security</a></span></span></span> said so.</p>"
        "<p>Traffic and <span class='Term'><dfn>keywords</dfn><span class='Term_tooltip'>Keyword A keyword is"
        " what users write into a search engine.</span></span> matter.</p>"
        "<p>The <span class='has-tooltip'>Senate</span> voted.</p></body></html>"
    )
    popups = popup_texts(page)
    assert popups == [
        "Ilhan OmarHillicon Valley: senators call for security",
        "Keyword A keyword is what users write into a search engine.",
    ]
    paragraphs = [
        "Rep. Ilhan OmarIlhan OmarHillicon Valley: senators call for security said so.",
        "Traffic and keywordsKeyword A keyword is what users write into a search engine. matter.",
        "The Senate voted.",
    ]
    assert without_popups(paragraphs, popups) == [
        "Rep. Ilhan Omar said so.",
        "Traffic and keywords matter.",
        "The Senate voted.",
    ]


def test_a_tooltips_term_of_four_words_is_no_popup() -> None:
    """The term a tooltip belongs to (its trigger class, or its tooltip text in an attribute) is
    visible text: cutting it would take it out of every paragraph naming it."""
    page = parse_tree(
        "<html><body><p>Rates were set by the <span class='has-tooltip' title='The FOMC sets rates'>"
        "Federal Open Market Committee</span> on Wednesday.</p><p>The <span class='tooltip' "
        "data-tooltip='A committee of the Federal Reserve'>Federal Open Market Committee</span> meets.</p>"
        "</body></html>"
    )
    assert popup_texts(page) == []


def test_readability_is_asked_where_trafilatura_found_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(html_module, "readability_paragraphs", lambda tree: PROSE)
    monkeypatch.setattr(html_module, "quick_readability_paragraphs", lambda tree: [])
    assert second_opinion(parse_tree(_page()), 0) == PROSE  # no screen: nothing found
    assert second_opinion(parse_tree(_page()), 400) == []  # screened out by the quick port


def test_readability_reads_the_article_after_the_closing_html_tag(monkeypatch: pytest.MonkeyPatch) -> None:
    """The second opinion works on the parsed page, where markup after ``</html>`` is in the body,
    not on the raw page (where its own parser leaves it out)."""
    monkeypatch.setattr(html_module, "trafilatura_paragraphs", lambda tree, url, **options: [])
    head = "<html><head><title>Bridge</title></head><body><nav><a href='/'>Home</a></nav></body></html>"
    page = f"{head}\n<div class='post'>" + "".join(f"<p>{p}</p>" for p in PROSE) + "</div>"
    assert list(extract_html(page).paragraphs) == PROSE
    tree = parse_tree(page)
    assert readability_paragraphs(tree) == PROSE
    assert len(tree.findall(".//p")) == 3  # the page itself is left as it was


def test_clean_fills_schema_v2_fields() -> None:
    capture = Capture(
        raw=_page().encode("utf-8"),
        format="html",
        source="test:page",
        captured_at=datetime(2024, 6, 1, tzinfo=UTC),
        url="https://example.com/news/2024/03/01/bridge",
    )
    record = clean(capture)
    assert isinstance(record, ArticleRecord)
    assert record.authors == ("Jane Doe", "John Roe")
    assert record.credits == ("The Canadian Press",)
    assert record.published_at == datetime(2024, 3, 1, 8, tzinfo=UTC)
    assert record.updated_at == datetime(2024, 3, 2, 10, tzinfo=UTC)
    assert record.date_source == "meta"
    assert record.publisher == "The Daily Example"


def test_dates_after_capture_are_dropped() -> None:
    capture = Capture(
        raw=_page().encode("utf-8"), format="html", source="test:page", captured_at=datetime(2024, 2, 1, tzinfo=UTC)
    )
    record = clean(capture)
    assert isinstance(record, ArticleRecord)
    assert record.published_at is None and record.updated_at is None and record.date_source is None


def test_person_in_the_byline_beats_an_organisation_in_the_metadata() -> None:
    jsonld = """<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Council approves bridge",
      "author": {"@type": "Organization", "name": "Example Media Group"}}</script>"""
    found = extract_html(_page(jsonld), None)
    assert found.authors == ("Jane Doe", "John Roe")


def test_organisation_author_alone_becomes_the_credit() -> None:
    jsonld = """<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Council approves bridge",
      "author": {"@type": "Organization", "name": "Example Media Group"}}</script>"""
    found = extract_html(_page(jsonld, byline=""), None)
    assert found.authors == ()
    assert found.credits == ("Example Media Group", "The Canadian Press")


def test_desk_named_as_author_in_the_metadata_is_final() -> None:
    jsonld = """<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Council approves bridge",
      "author": {"@type": "Person", "name": "Metro News Desk"}}</script>"""
    found = extract_html(_page(jsonld, byline="<div class='author-card'>Ana Lima</div>"), None)
    assert found.authors == ()
    assert found.credits[0] == "Metro News Desk"


def test_visible_byline_beats_a_different_meta_author() -> None:
    def with_meta_author(name: str) -> str:
        tag = '<meta property="og:title"'
        return _page().replace(tag, f'<meta name="author" content="{name}">{tag}')

    assert extract_html(with_meta_author("Mark Stone"), None).authors == ("Jane Doe", "John Roe")
    # the meta naming the byline's first person is kept as it is
    assert extract_html(with_meta_author("Jane Doe"), None).authors == ("Jane Doe",)


def test_co_authors_linked_beside_the_declared_author_join_it() -> None:
    """Metadata naming only the first of the authors the byline links to their author pages."""
    jsonld = """<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Council approves bridge",
      "author": {"@type": "Person", "name": "Ana Lima"}}</script>"""

    def byline(between: str) -> str:
        return (
            "<div class='meta'>By <a href='/author/ana-lima/'>Ana Lima</a><span>, </span>"
            f"<a href='/author/bo-chen/'>Bo Chen</a>{between}<a href='/author/cy-dunn/'>Cy Dunn</a></div>"
        )

    assert extract_html(_page(jsonld, byline(" &amp; ")), None).authors == ("Ana Lima", "Bo Chen", "Cy Dunn")
    assert extract_html(_page(jsonld, byline(" · Reviewed by ")), None).authors == ("Ana Lima", "Bo Chen")
    others = "<p><a href='/author/bo-chen/'>Bo Chen</a>, <a href='/author/cy-dunn/'>Cy Dunn</a></p>"
    assert extract_html(_page(jsonld, others), None).authors == ("Ana Lima",)


def test_a_team_list_in_navigation_or_a_sidebar_adds_no_co_author() -> None:
    jsonld = """<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Council approves bridge",
      "author": {"@type": "Person", "name": "Ana Lima"}}</script>"""
    team = (
        "<a href='/author/ana-lima/'>Ana Lima</a>, <a href='/author/bo-chen/'>Bo Chen</a>, "
        "<a href='/author/cy-dunn/'>Cy Dunn</a>"
    )
    byline = "<p class='byline'>By <a href='/author/ana-lima/'>Ana Lima</a></p>"
    for block in (f"<nav><p>Our writers: {team}</p></nav>", f"<aside class='sidebar'><p>{team}</p></aside>"):
        page = _page(jsonld, byline).replace("<article>", block + "<article>")  # the team list comes first
        assert extract_html(page, None).authors == ("Ana Lima",)


def test_bylines_in_a_sidebar_whose_h1_no_title_agrees_with_are_no_authors() -> None:
    """A sidebar widget's h1 chosen as the page's h1 does not make the sidebar the article's wrapper."""
    widget = "<div class='sidebar'><h1>Popular posts</h1><p class='author'>By Mara Quinn</p></div>"
    page = _page(byline="").replace("<h1>Council approves bridge</h1>", "<h2>Council approves bridge</h2>")
    assert extract_html(page.replace("<article>", widget + "<article>"), None).authors == ()


def test_parsed_tree_is_all_html_elements_and_trafilatura_leaves_it_unchanged() -> None:
    tree = parse_tree(_page().replace("<footer>", "<form><input name='q'><label>Search</label></form><footer>"))
    assert all(isinstance(e, HtmlElement) for e in tree.iter() if isinstance(e.tag, str))
    assert "Search" in tree.text_content()
    before = etree.tostring(tree)
    assert trafilatura_paragraphs(tree, None, fast=True)
    assert etree.tostring(tree) == before


def test_page_without_markup_structure_is_unparsable() -> None:
    with pytest.raises(Rejected) as rejected:
        parse_tree("just a sentence, no page")
    assert rejected.value.reason == "unparsable_html"


def test_update_by_the_headline_beats_htmldate_on_a_page_without_declared_dates() -> None:
    page = _page(byline="<p>By Jane Doe</p><p>Updated on December 11, 2025</p>")
    page = page.replace('<meta property="article:published_time" content="2024-03-01T08:00:00+00:00">', "")
    page = page.replace('<meta property="article:modified_time" content="2024-03-02T10:00:00+00:00">', "")
    page = page.replace("</article>", "<p>The next council meeting is on October 17, 2025.</p></article>")
    found = extract_html(page, "https://example.com/news/bridge")
    assert (found.published, found.date_source) == ("2025-12-11", "headline-update")
    assert (found.updated, found.updated_source) == ("2025-12-11", "headline")


_REPAIR_CASES = [
    "<html><body><p>plain</p></body></html>",
    '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd"/>\n<html><p>x</p>',
    '<html lang="en" />\n<body><p>self-closing root</p></body>',
    "<html><body><p>non\ufffecharacters\uffff here</p></body></html>",
]


@pytest.mark.parametrize("markup", _REPAIR_CASES)
def test_repair_markup_matches_trafilatura_on_decoded_text(markup: str) -> None:
    from trafilatura.utils import repair_faulty_html

    beginning = markup[:50].lower()
    expected = repair_faulty_html(markup, beginning)
    assert html_module.repair_markup(markup, beginning, controls_removed=True) == expected
    assert html_module.repair_markup(markup, beginning) == expected


def test_repair_markup_removes_controls_unless_told_decoding_did() -> None:
    markup = "<html><body><p>bell\x07 and form\x0cfeed</p></body></html>"
    assert html_module.repair_markup(markup, markup[:50]) == "<html><body><p>bell and formfeed</p></body></html>"
    assert html_module.repair_markup(markup, markup[:50], controls_removed=True) == markup


@given(st.lists(st.text(alphabet=st.sampled_from("ab \t\r\n\x0b\x0c\x1c\x85\xa0\u2002\u2028\u3000"), max_size=8)))
def test_squashed_lines_are_each_line_squashed(pieces: list[str]) -> None:
    text = "\n".join(pieces)
    assert html_module.squashed_lines(text) == [html_module._squash(p) for p in text.split("\n") if p.strip()]


@given(
    st.lists(st.text(alphabet=st.sampled_from("aZ9_ ,.\x00\u03a3\u03c3\u0130\u00df-\n\u3000"), max_size=8), max_size=6)
)
def test_fold_all_folds_each_text(texts: list[str]) -> None:
    assert html_module.fold_all(texts) == [html_module._fold(t) for t in texts]
