"""Plain-text capture cleaning (cleaners/text.py): rules, line model, best block, header, explain."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from cleaners import ProfileSet, default_profiles
from cleaners.text import (
    DATELINE_SIGNAL,
    EMBEDDED_POST_SIGNAL,
    FEATURE_NAMES,
    KEEP_MAIN_BLOCK,
    LISTED_ITEM_SIGNAL,
    PATTERNED_ROWS_SIGNAL,
    TABLE_ROWS_SIGNAL,
    Header,
    Line,
    LineDecision,
    PassCache,
    RuleMatcher,
    TextExtraction,
    Unit,
    _block_of,
    _one_line,
    _select,
    _settle_page,
    analyse_page,
    best_block,
    continues_sentence,
    extract_text,
    join_wrapped,
    line_features,
    page_features,
    parse_text_date,
    repeated_among,
    repeated_fields,
    repeated_lines,
    split_columns,
    split_lines,
)
from flows.cli import main as cli_main

PROSE = [
    "The harbour reopened to fishing boats on Monday after three weeks of repairs to the breakwater, "
    "which was damaged when a winter storm pushed waves over the sea wall.",
    "Crews replaced more than two hundred concrete blocks and rebuilt the lighthouse jetty, the port "
    "authority said in a statement, adding that the total cost was still being calculated.",
    "Fishermen said the closure had cost them most of the season's first catch, and several asked the "
    "town council for help with mooring fees while they recover from the losses.",
    "The council is expected to vote on a relief package next week, and the mayor said she would "
    "support a plan that waives the fees for the rest of the year.",
    "Engineers will inspect the sea wall again in the spring, when the authority hopes to begin a "
    "second phase of work that would raise the wall by half a metre.",
]
MENU = ["Home", "World", "Business", "Sports", "Opinion", "Subscribe", "Sign In"]
FOOTER = ["Contact Us", "Privacy Policy", "Terms of Use", "© 2024 Example News. All rights reserved."]


def capture(*blocks: list[str]) -> str:
    return "\n\n".join(line for block in blocks for line in block)


def kept_texts(found: TextExtraction) -> list[str]:
    return list(found.paragraphs)


def decision_for(found: TextExtraction, text: str) -> LineDecision:
    return next(d for d in found.decisions if d.text == text)


@pytest.fixture(scope="module")
def profiles() -> ProfileSet:
    return default_profiles()


# --- line rules (data in cleaners/profiles/*.toml) ------------------------------------------


def test_generic_rules_drop_chrome_lines_with_their_rule_id(profiles) -> None:
    found = extract_text(capture(["Skip to main content", "Advertisement"], PROSE, FOOTER), profiles)
    skip = decision_for(found, "Skip to main content")
    assert (skip.keep, skip.rule) == (False, "nav.skip-link")
    assert decision_for(found, "Advertisement").rule == "ad.label"
    assert decision_for(found, "© 2024 Example News. All rights reserved.").rule == "legal.copyright"


def inside_article(line: str, profiles):
    """The cleaner's result for ``line`` between the third and fourth paragraphs of an article."""
    return extract_text(capture(MENU, PROSE[:3], [line], PROSE[3:], FOOTER), profiles)


def assert_dropped_inside_article(line: str, rule: str, profiles) -> None:
    """``line`` between an article's paragraphs is dropped by ``rule`` and the article kept whole."""
    found = inside_article(line, profiles)
    assert decision_for(found, line).rule == rule
    assert kept_texts(found) == PROSE


@pytest.mark.parametrize(
    "caption",
    [
        "Workers lift a concrete block onto the rebuilt jetty on Monday. Credit: Jane Doe",
        "The lighthouse jetty seen from the breakwater (Image: Example Agency )",
        "A trawler leaves the reopened harbour at dawn, Photo: Sam Roe/Harbour Times",
        "Fishing boats wait outside the closed harbour in March. (AP)",
        "Jane Q. Public Submitted photo",
    ],
)
def test_a_caption_ending_in_its_picture_credit_is_dropped(profiles, caption: str) -> None:
    assert_dropped_inside_article(caption, "media.caption-credit", profiles)


def test_a_sentence_about_credit_is_no_picture_credit(profiles) -> None:
    sentence = "The council said the relief would come as a tax credit: fishermen can claim it from April."
    found = inside_article(sentence, profiles)
    assert sentence in kept_texts(found)


@pytest.mark.parametrize(
    "heading", ["About Jane Doe", "Über Max Mustermann", "Sobre Ana Paula Silva", "About the Authors"]
)
def test_the_author_bio_after_the_article_is_not_kept(profiles, heading: str) -> None:
    bio = (
        "Jane has covered the coast for twelve years, and before that she worked as a deckhand on "
        "trawlers out of the harbour, which is where she first learned to love the sea."
    )
    found = extract_text(capture(MENU, PROSE, [heading, bio], FOOTER), profiles)
    assert kept_texts(found) == PROSE
    assert decision_for(found, heading).rule == "end.footer"


@pytest.mark.parametrize(
    "heading",
    [
        "Most read in world news",
        "Top stories in Nation",
        "More:",
        "Other posts you'll love:",
        "You may also be interested in the following articles:",
        "On a related note, here are some more stories from the coast.",
        "More by the author:",
    ],
)
def test_a_teaser_box_named_by_its_section_is_not_kept(profiles, heading: str) -> None:
    teasers = ["Lighthouse keeper's cottage sold for record price", "Ferry timetable changes for winter"]
    found = extract_text(capture(MENU, PROSE, [heading], teasers, FOOTER), profiles)
    assert kept_texts(found) == PROSE
    assert decision_for(found, heading).rule == "aside.related"


def test_a_heading_about_a_thing_inside_the_article_ends_nothing(profiles) -> None:
    found = inside_article("About the new jetty", profiles)
    assert kept_texts(found)[-2:] == PROSE[3:]
    assert decision_for(found, "About the new jetty").rule != "end.footer"


@pytest.mark.parametrize(
    "line",
    [
        "Stay in the loop with the Harbour Times. Subscribe to our weekly newsletter.",
        "Get the best of the coast delivered straight to your inbox every Friday.",
        "You have been successfully subscribed!",
        "There was a problem subscribing you. Check your address and try again.",
        "No spam, ever. You can unsubscribe at any time and we never share your details.",
    ],
)
def test_a_newsletter_box_inside_the_article_is_dropped(profiles, line: str) -> None:
    assert_dropped_inside_article(line, "promo.newsletter", profiles)


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        ("Email (required)", "promo.newsletter"),
        ("This field is for validation purposes and should be left unchanged.", "promo.newsletter"),
        ("Link copied!", "social.follow"),
        ("Save this story", "social.follow"),
        ("Flag as Inappropriate", "social.follow"),
        ("Search for:", "nav.account"),
        ("Back to Blog", "nav.pager"),
        ("Get in touch", "promo.call-to-action"),
        ("Enjoyed this piece? We need your help to keep publishing.", "promo.call-to-action"),
        ("Sign Up for e-mail newsletters", "promo.newsletter"),
        ("CLICK HERE TO GET THE HARBOUR TIMES APP", "promo.call-to-action"),
        ("Image copyright Getty Images", "media.caption-credit"),
        ("Image caption The lighthouse jetty was rebuilt with two hundred new blocks", "media.caption-credit"),
        ("Wordcount: 717", "meta.reading-time"),
        ("Opens in a new window", "nav.banner"),
        ("Advert", "ad.label"),
        ("This slideshow requires JavaScript.", "media.placeholder"),
        ("Notice: JavaScript is required for this content.", "media.placeholder"),
        ("(opens in a new tab)", "nav.banner"),
        ("Secure .gov websites use HTTPS", "nav.banner"),
        ("A .gov website belongs to an official government organization in the United States.", "nav.banner"),
        ("Please check the opt-in box to confirm you would like to receive our emails.", "promo.newsletter"),
        ("Keep an eye on your inbox for the next edition.", "promo.newsletter"),
        ("There was an error processing your subscription.", "promo.newsletter"),
        ("An email with an activation link has been sent to your address.", "promo.newsletter"),
        ("I agree that the Harbour Times may send me its weekly newsletter.", "promo.newsletter"),
        ("Stay up to date with the Harbour Times.", "promo.newsletter"),
        ("Follow the Harbour Times on Instagram, Facebook and YouTube.", "social.follow"),
        ("Subscribe to our YouTube channel for more harbour videos!", "social.follow"),
        ("Share this content", "social.follow"),
        ("Pin it for later!", "social.follow"),
        ("Was this article helpful?", "promo.call-to-action"),
        ("Did you enjoy this post? You can buy me a coffee.", "promo.call-to-action"),
        ("If you enjoyed this article, please share it with a friend.", "promo.call-to-action"),
        ("Join our Discord", "promo.call-to-action"),
        ("If you buy something through our links, we may earn a commission.", "legal.consent"),
        ("Photo by Sam Roe", "media.caption-credit"),
        ("Photo illustration by the Harbour Times. Photo by Sam Roe.", "media.caption-credit"),
        ("Courtesy of the Harbour Trust", "media.caption-credit"),
        ("(Image: © Harbour Trust/Sam Roe)", "media.caption-credit"),
        ("Also: Ferry timetable changes for winter", "aside.related"),
        ("This post contains affiliate links. Read our full disclosure.", "legal.consent"),
        ("When you buy through links on our site, we may earn an affiliate commission.", "legal.consent"),
        ("Thank you! Please check your inbox for your welcome email.", "promo.newsletter"),
        ("There was an issue with the form. Please try again.", "promo.newsletter"),
        ("We noticed you are using an old browser. Please update it to see this site.", "nav.banner"),
        ("Your browser is not supported.", "nav.banner"),
        ("Dismiss notification", "nav.banner"),
    ],
)
def test_form_labels_and_buttons_inside_the_article_are_dropped(profiles, line: str, rule: str) -> None:
    assert_dropped_inside_article(line, rule, profiles)


@pytest.mark.parametrize(
    "button",
    [
        "Check price at Harbour Outfitters",
        "Buy on Amazon",
        "Track price",
        "Loading prices for your region…",
        "See the rating.",
    ],
)
def test_a_shopping_widget_between_a_guides_items_is_dropped_and_splits_nothing(profiles, button: str) -> None:
    assert_dropped_inside_article(button, "promo.shopping", profiles)


def test_a_deal_naming_its_price_is_no_shopping_button(profiles) -> None:
    deal = "Get it on Amazon for $139"
    assert decision_for(inside_article(deal, profiles), deal).rule != "promo.shopping"


@pytest.mark.parametrize(
    "line",
    [
        "Image caption generation is a hard problem: a network must describe what a picture shows in words.",
        "Image source separation lets an astronomer tell the light of two nearby stars apart in one exposure.",
    ],
)
def test_a_sentence_about_image_captions_is_no_caption_label(profiles, line: str) -> None:
    found = inside_article(line, profiles)
    assert decision_for(found, line).rule != "media.caption-credit"
    assert line in kept_texts(found)


@pytest.mark.parametrize(
    "line",
    [
        "By signing up you agree to our Terms of Use and Privacy Policy and to receive our emails.",
        "Note: this page may contain affiliate links. Read more in our Privacy Policy.",
        "Your details will be handled according to the Harbour Times Privacy Policy.",
        "We use cookies to improve your experience and to measure traffic on this site.",
        "I agree to the processing of my personal data for the purpose of creating an account.",
    ],
)
def test_consent_small_print_inside_the_article_is_dropped(profiles, line: str) -> None:
    assert_dropped_inside_article(line, "legal.consent", profiles)


def test_an_article_sentence_about_cookies_is_kept(profiles) -> None:
    sentence = "Apps that use cookies or send marketing messages must also follow the new rules, the regulator said."
    found = inside_article(sentence, profiles)
    assert sentence in kept_texts(found)


@pytest.mark.parametrize(
    "bio",
    [
        "Jane Doe is a freelance writer based in Portland. Her work has appeared in the Harbour Times.",
        "Sam Roe is the Harbour Times' senior editor and has covered the coast since 2009.",
        "Dr. Ann Lee is an Associate Professor of Oceanography at the University of the Coast.",
    ],
)
def test_an_authors_bio_after_the_article_is_dropped(profiles, bio: str) -> None:
    found = extract_text(capture(MENU, PROSE, [bio], FOOTER), profiles)
    assert kept_texts(found) == PROSE
    assert decision_for(found, bio).rule == "meta.author-bio"


@pytest.mark.parametrize(
    "line",
    [
        "Tim Alberta Is a First-Rate Journalist. The Council Should Listen.",  # a headline: "Is" capitalised
        "The Harbour Trust is a charity that has looked after the breakwater since the storm of 1953.",
    ],
)
def test_a_sentence_naming_someone_or_something_is_no_bio(profiles, line: str) -> None:
    assert decision_for(inside_article(line, profiles), line).rule != "meta.author-bio"


def test_every_removed_line_has_a_rule_and_a_reason(profiles) -> None:
    found = extract_text(capture(MENU, PROSE, FOOTER), profiles)
    removed = [d for d in found.decisions if not d.keep]
    assert removed
    assert all(d.rule and d.reason for d in removed)
    assert {d.text for d in removed}.isdisjoint(found.paragraphs)


def test_one_pass_matcher_agrees_with_rule_by_rule_matching(profiles) -> None:
    rules = profiles.generic.rules
    matcher = RuleMatcher(rules)
    lines = ["Skip to main content", "Read more", "Facebook", PROSE[0], "Comments (12)", "By Jane Doe"]
    expected = [next((r for r in rules if r.matches(line)), None) for line in lines]
    assert matcher.match_lines(lines) == expected
    assert [r.id if r else None for r in expected] == [
        "nav.skip-link",
        "promo.call-to-action",
        "social.follow",
        None,
        "end.comments",
        "meta.byline",
    ]


# --- line model ------------------------------------------------------------------------------


def test_line_features_tell_prose_from_a_menu_item() -> None:
    stop = frozenset({"the", "to", "on", "of", "was", "when", "after", "which", "a", "over"})
    prose = dict(zip(FEATURE_NAMES, line_features(PROSE[0], "en", stop, False), strict=True))
    menu = dict(zip(FEATURE_NAMES, line_features("Sports", "en", stop, True), strict=True))
    assert prose["ends_sentence"] == 1.0 and menu["ends_sentence"] == 0.0
    assert prose["stop_share"] > 0.2 and menu["stop_share"] == 0.0
    assert menu["short"] == 1.0 and menu["repeated"] == 1.0 and menu["title_share"] == 1.0


def test_page_features_equal_line_by_line_features() -> None:
    texts = [PROSE[0], "Nov 18, 2019 7:45 am", "1     Kyle Busch     5040", "Price: $139.00", "Jane on May 2 said:"]
    repeated = [False] * len(texts)
    stop = frozenset({"the", "to"})
    batched = page_features(texts, "en", stop, repeated).tolist()
    assert batched == [list(line_features(t, "en", stop, False)) for t in texts]
    named = [dict(zip(FEATURE_NAMES, row, strict=True)) for row in batched]
    assert named[1]["dateish"] == 1.0
    assert named[2]["table_row"] == 1.0
    assert named[3]["price"] == 1.0
    assert named[4]["speech_tag"] == 1.0


# --- best block ------------------------------------------------------------------------------


def test_best_block_is_the_maximum_sum_run() -> None:
    assert best_block([-1.0, 3.0, -1.0, 4.0, -9.0, 2.0], [False] * 6) == (1, 3)


def test_best_block_skips_transparent_lines_and_stops_at_boundaries() -> None:
    assert best_block([2.0, None, 2.0], [False] * 3) == (0, 2)
    assert best_block([2.0, 0.0, 3.0], [False, True, False]) == (2, 2)
    assert best_block([-1.0, -2.0], [False, False]) is None


def test_article_between_menu_and_footer_is_kept_whole(profiles) -> None:
    found = extract_text(capture(MENU, PROSE, FOOTER), profiles)
    assert kept_texts(found) == PROSE
    assert all(d.rule == KEEP_MAIN_BLOCK for d in found.decisions if d.keep)


def test_article_split_by_an_inline_promo_box_is_kept_on_both_sides(profiles) -> None:
    promo = ["Related Stories", "Storm closes harbour for three weeks", "Mayor promises relief for fishermen"]
    found = extract_text(capture(MENU, PROSE[:3], promo, PROSE[3:], FOOTER), profiles)
    assert kept_texts(found) == PROSE
    assert decision_for(found, "Related Stories").rule == "aside.related"


@pytest.mark.parametrize("heading", ["Table of Contents", "In this article", "Inhaltsverzeichnis"])
def test_a_table_of_contents_inside_the_article_is_dropped_with_its_entries(profiles, heading: str) -> None:
    entries = ["Repairs to the breakwater", "What the fishermen lost", "The council's vote"]
    found = extract_text(capture(MENU, PROSE[:1], [heading, *entries], PROSE[1:], FOOTER), profiles)
    assert kept_texts(found) == PROSE  # the intro above the contents is kept too
    assert decision_for(found, heading).rule == "nav.contents"
    assert not any(decision_for(found, entry).keep for entry in entries)


def test_a_run_of_ruled_chrome_keeps_the_block_from_spanning_a_bio_after_it(profiles) -> None:
    chrome = ["Share on Facebook", "Share on Twitter", "Share on LinkedIn", "Print this article", "Email this article"]
    chrome += ["Follow us on Instagram", "Sign In", "Subscribe"]
    bio = [
        "Jane Doe",
        "Jane Doe is a screenwriter from New York who has written about film, television and the sea for many years.",
        "She lives by the harbour with her two dogs and a boat she is still repairing.",
    ]
    found = extract_text(capture(MENU, PROSE[:3], chrome, bio, FOOTER), profiles)
    assert kept_texts(found) == PROSE[:3]


@pytest.mark.parametrize(
    "slots",
    [
        ["Advertisement", "Story continues below advertisement", "Advertisement"],  # ad slot before the last paragraph
        ["Photo: Sam Roe/Harbour Times", "Advertisement", "Advertisement"],
    ],
)
def test_ad_slots_and_picture_credits_inside_the_article_do_not_split_it(slots: list[str], profiles) -> None:
    """Publishers set ads and picture credits between paragraphs: their lines (``inline`` drop rules)
    cost the block search nothing, unlike a run of share buttons after the article."""
    found = extract_text(capture(MENU, PROSE[:4], slots, PROSE[4:], FOOTER), profiles)
    assert kept_texts(found) == PROSE


def test_a_short_paragraph_between_ad_slots_of_a_short_article_is_kept(profiles) -> None:
    short = "The mayor said she was relieved."
    slots = ["Advertisement", "Story continues below advertisement", short, "Advertisement"]
    found = extract_text(capture(MENU, PROSE[:1], slots, PROSE[1:2], FOOTER), profiles)
    assert kept_texts(found) == [PROSE[0], short, PROSE[1]]


@pytest.mark.parametrize(
    ("opening", "thread"),
    [
        (
            "Comments (2)",
            [
                "Alex on May 3, 2024 at 4:47 pm said:",
                "I walked past the harbour yesterday and the new jetty looks great, well done to its builders.",
                "Sam on May 3, 2024 at 5:10 pm said:",
                "The fees should have been waived from the start, it is the least the council could do for them.",
            ],
        ),
        (  # a newsletter platform's thread heading
            "Discussion about this post",
            [
                "I walked past the harbour yesterday and the new jetty looks great, well done to the crews.",
                "The fees should have been waived from the start, it is the least the council could do.",
            ],
        ),
    ],
)
def test_a_comment_section_ends_the_article(opening: str, thread: list[str], profiles) -> None:
    found = extract_text(capture(MENU, PROSE, [opening, *thread], FOOTER), profiles)
    assert kept_texts(found) == PROSE
    assert decision_for(found, opening).rule == "end.comments"


def test_a_read_full_review_button_inside_the_article_is_dropped(profiles) -> None:
    found = inside_article("Read Full Review", profiles)
    assert decision_for(found, "Read Full Review").rule == "promo.call-to-action"
    assert kept_texts(found) == PROSE


# --- hard-wrapped lines and columns ----------------------------------------------------------


def test_hard_wrapped_sentences_are_joined_into_paragraphs(profiles) -> None:
    wrapped = [
        "The harbour reopened to fishing boats on Monday after three weeks of repairs to",
        "the breakwater, which was damaged when a winter storm pushed waves over the sea",
        "wall.",
    ]
    text = capture(MENU, ["\n".join(wrapped)], PROSE[1:], FOOTER)  # wrapped: consecutive lines
    found = extract_text(text, profiles)
    assert found.paragraphs[0] == " ".join(wrapped)
    assert [d.keep for d in found.decisions if d.text in wrapped] == [True, True, True]


def test_a_blank_line_ends_a_paragraph_even_mid_sentence(profiles) -> None:
    # Re-cleaning a cleaned body (paragraphs separated by blank lines) must not merge paragraphs.
    split = ["The council said the repairs to the sea wall would cost more than planned due to", *PROSE[1:3]]
    found = extract_text(capture(MENU, split, FOOTER), profiles)
    assert split[1] in found.paragraphs  # on its own, not joined to the line before the blank line
    assert not any(split[0] in p and split[1] in p for p in found.paragraphs)


def test_continues_sentence_needs_a_broken_sentence() -> None:
    stop = frozenset({"the", "of", "to"})
    assert continues_sentence("Crews replaced more than two hundred concrete blocks and", "rebuilt the jetty.", stop)
    assert continues_sentence("The authority said the total cost of", "Repairs was high.", stop)
    assert not continues_sentence("Crews replaced two hundred concrete blocks.", "then they left.", stop)
    assert not continues_sentence("Harbour News", "reopening today", stop)  # too short to be wrapped prose
    units = join_wrapped([Line(1, "A line that ends with the"), Line(2, "next one.")], [None, None], stop)
    assert [u.text for u in units] == ["A line that ends with the next one."]


def test_narrow_column_of_three_word_lines_is_joined() -> None:
    # A narrow column (a fact box, an infographic's caption) wraps after three or four words.
    stop = frozenset({"the", "of", "to", "in"})
    assert continues_sentence("ages 5 to", "19 had cavities", stop) is False  # a digit starts no word
    assert continues_sentence("oral cancer were", "diagnosed in the", stop)
    lines = [Line(1, "Most adults have"), Line(2, "had at least one"), Line(3, "cavity by age 40.")]
    units = join_wrapped(lines, [None, None, None], stop)
    assert [u.text for u in units] == ["Most adults have had at least one cavity by age 40."]


def test_two_column_rendering_is_split_into_columns() -> None:
    lines = [
        Line(1, "The harbour reopened to fishing boats on Monday.          Archive"),
        Line(2, "Crews replaced more than two hundred concrete blocks.          January (27)"),
        Line(3, "1     Kyle Busch     5040     5"),
    ]
    assert [line.text for line in split_columns(lines)] == [
        "The harbour reopened to fishing boats on Monday.",
        "Crews replaced more than two hundred concrete blocks.",
        "1     Kyle Busch     5040     5",
        "Archive",
        "January (27)",
    ]


def test_repeated_among_compares_only_the_lines_that_may_repeat() -> None:
    texts = ["Read More", "Harbour news", "read more", "Sea wall", "Harbour News"]
    assert repeated_among(texts, [True] * 5) == repeated_lines(texts) == [True, True, True, False, True]
    # "maybe" holds every repeated line (and "Sea wall", which is not): the same answer.
    assert repeated_among(texts, [True, True, True, True, True]) == [True, True, True, False, True]
    assert repeated_among(texts, [True, False, True, False, False]) == [True, False, True, False, False]
    assert repeated_among([], []) == []


def test_one_line_units_are_those_a_second_split_leaves_whole() -> None:
    table = "1     Kyle Busch     5040     5"  # tested when the capture was split: a table row
    assert _one_line(Unit(table, (Line(1, table),), None))
    gap = " " * 10
    line = f"fishing boats on{gap}Archive page"  # two short cells: a line the split leaves whole
    assert _one_line(Unit(line, (Line(2, line),), None))
    joined = f"The harbour reopened to {line}"  # joined after the split: its left cell is prose-sized
    assert not _one_line(Unit(joined, (Line(1, "The harbour reopened to"), Line(2, line)), None))
    assert not _one_line(Unit("Archive\t", (Line(1, "Archive\t"),), None))  # a cell's whitespace


def test_settle_page_is_the_page_of_the_kept_paragraphs(profiles) -> None:
    # The settle pass builds the page of the kept paragraphs from the first pass's units; it must be
    # the page that splitting and analysing those paragraphs again gives: a joined (hard-wrapped)
    # paragraph one unit, a paragraph repeated on the page but not among the kept ones unrepeated.
    wrapped = [
        "The harbour reopened to fishing boats on Monday after three weeks of repairs to",
        "the breakwater, which was damaged when a winter storm pushed waves over the sea",
        "wall.",
    ]
    text = capture(MENU, ["\n".join(wrapped)], PROSE[1:4], [PROSE[4]], FOOTER, [PROSE[4]])
    cache = PassCache()
    page, _, keep, header = _select(analyse_page(text, profiles, None, cache))
    paragraphs = [u.text for i, (u, k) in enumerate(zip(page.units, keep, strict=True)) if k and i not in header.units]
    assert paragraphs[0] == " ".join(wrapped)
    settled = _settle_page(page, keep, header, profiles, None, cache)
    again = analyse_page("\n\n".join(paragraphs), profiles, None, PassCache())
    assert [(u.text, u.lines, u.rule) for u in settled.units] == [(u.text, u.lines, u.rule) for u in again.units]
    assert np.array_equal(settled.features, again.features)
    assert (settled.words, settled.language, settled.site) == (again.words, again.language, again.site)


# --- title, byline, date and credits ---------------------------------------------------------


@pytest.mark.parametrize(
    ("byline", "expected"),
    [
        ("By Jane Doe", "By Jane Doe"),
        ("JANE DOE AND JOHN ROE", "JANE DOE AND JOHN ROE"),
        ("Jane Doe Senior Reporter", "Jane Doe Senior Reporter"),
    ],
)
def test_byline_title_and_date_before_the_article(profiles, byline: str, expected: str) -> None:
    header = ["Harbour Reopens After Storm Repairs", byline, "Published March 14, 2022"]
    found = extract_text(capture(MENU, header, PROSE, FOOTER), profiles)
    assert found.title == "Harbour Reopens After Storm Repairs"
    assert found.byline == expected
    assert found.published == "2022-03-14"
    assert kept_texts(found) == PROSE
    assert decision_for(found, "Published March 14, 2022").rule == DATELINE_SIGNAL


def test_credit_line_is_the_byline_and_ends_the_article(profiles) -> None:
    found = extract_text(capture(MENU, PROSE, ["With files from The Canadian Press"], PROSE[:1], FOOTER), profiles)
    assert found.byline == "With files from The Canadian Press"
    assert kept_texts(found) == PROSE
    assert decision_for(found, "With files from The Canadian Press").rule == "end.credit"


def test_no_title_is_invented_when_the_page_has_none(profiles) -> None:
    found = extract_text(capture(["Skip to main content"], PROSE), profiles)
    assert found.title is None and found.byline is None and found.published is None


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("Published March 14, 2022", "2022-03-14"),
        ("Updated on: November 19, 2019 / 10:07 AM", "2019-11-19"),
        ("14 Sept. 2021", "2021-09-14"),
        ("Posted 2020-02-29 08:00", "2020-02-29"),
        ("February 30, 2021", None),
        ("Monday", None),
    ],
)
def test_parse_text_date(text: str, iso: str | None) -> None:
    assert parse_text_date(text) == iso


# --- explain ---------------------------------------------------------------------------------


def test_explain_prints_every_line_with_keep_or_drop_and_why(tmp_path: Path, capsys) -> None:
    path = tmp_path / "capture.txt"
    path.write_text(capture(["Skip to main content"], PROSE, ["Comments (3)"]), encoding="utf-8")
    assert cli_main(["explain", str(path)]) == 0
    out = capsys.readouterr().out
    assert "nav.skip-link" in out and "navigation: skip link" in out
    assert "end.comments" in out
    assert out.count("keep") >= len(PROSE)


def test_split_lines_numbers_non_empty_lines() -> None:
    assert split_lines("a\n\n  b  \n") == [Line(1, "a"), Line(3, "b")]


def test_dated_comment_headers_start_a_thread_but_embedded_post_dates_do_not(profiles: ProfileSet) -> None:
    from cleaners.text import analyse_page, thread_start

    thread = []
    for name, minute in (("alex", 10), ("sam", 12), ("kim", 15)):
        thread += [f"{name} says:", f"May 3, 2024 at 4:{minute} pm", "I walked past the harbour and it looks great."]
    page = analyse_page(capture(PROSE, thread), profiles)
    start = thread_start(page, 0)
    assert start is not None and page.units[start].text == "May 3, 2024 at 4:10 pm"

    tweets = [f"— Jane Doe (@jane{i}) May {i}, 2024" for i in range(1, 4)]
    page = analyse_page(capture(PROSE[:1], tweets[:1], PROSE[1:2], tweets[1:2], PROSE[2:3], tweets[2:]), profiles)
    assert thread_start(page, 0) is None


def test_bare_name_next_to_the_dateline_is_the_byline(profiles: ProfileSet) -> None:
    header = ["Andrew King", "September 4, 2025", "Harbour Reopens After Storm Repairs"]
    found = extract_text(capture(MENU, header, PROSE, FOOTER), profiles)
    assert (found.byline, found.published, found.title) == (
        "Andrew King",
        "2025-09-04",
        "Harbour Reopens After Storm Repairs",
    )
    assert kept_texts(found) == PROSE


# --- lists introduced by a kept line ---------------------------------------------------------

CHECKLIST = ["Life jackets for every passenger", "A working radio", "Spare fuel and oil", "Flares and a whistle"]


def test_items_of_a_list_a_kept_line_introduces_are_kept(profiles: ProfileSet) -> None:
    intro = ["Before going out again, the harbour master asks every crew to check the following:"]
    found = extract_text(capture(MENU, PROSE, intro, CHECKLIST, FOOTER), profiles)  # the list ends the article
    assert kept_texts(found) == PROSE + intro + CHECKLIST  # and the footer's "Contact Us" ends the list
    # the line model alone drops the last items (short, no sentence: menu-shaped); the intro keeps them
    assert decision_for(found, CHECKLIST[-1]).rule == LISTED_ITEM_SIGNAL
    assert all(decision_for(found, item).rule in (LISTED_ITEM_SIGNAL, KEEP_MAIN_BLOCK) for item in CHECKLIST)


def test_a_short_label_or_repeated_lines_are_no_list_intro(profiles: ProfileSet) -> None:
    found = extract_text(capture(MENU, PROSE, ["Our picks:"], CHECKLIST, FOOTER[1:]), profiles)
    assert decision_for(found, "Our picks:").keep
    assert not any(decision_for(found, item).rule == LISTED_ITEM_SIGNAL for item in CHECKLIST)
    assert not decision_for(found, CHECKLIST[-1]).keep

    intro = ["Before going out again, the harbour master asks every crew to check the following:"]
    found = extract_text(capture(MENU, PROSE, intro, CHECKLIST, FOOTER[1:], CHECKLIST), profiles)
    assert not any(d.keep for d in found.decisions if d.text in CHECKLIST)  # repeated: a menu


# --- a comment section after a short article ------------------------------------------------


@pytest.mark.parametrize("opening", ["3 Comments", "Leave a comment"])
def test_a_comment_link_between_the_excerpt_and_the_body_keeps_the_whole_article(
    profiles: ProfileSet, opening: str
) -> None:
    """A blog layout: title, excerpt, "3 Comments" (a link to the thread), then the article."""
    intro = [
        "Harbour Reopens After Storm Repairs",
        "The harbour reopened to boats on Monday after three weeks of repairs to the storm-damaged breakwater,"
        " the council said.",
        "Fishing crews who had moored in the next town for most of the month returned the same morning to unload"
        " their catch.",
    ]
    found = extract_text(capture(MENU, intro, [opening], PROSE, FOOTER), profiles)
    assert set(PROSE) <= set(kept_texts(found))


@pytest.mark.parametrize(
    "opening",
    [
        "12 Kommentare",
        "Commentaires (3)",
        "Deja un comentario",
        "Deixe uma resposta",
        "Комментарии",
        "コメント",
        "댓글 (5)",
    ],
)
def test_comment_section_openings_in_other_languages_end_the_article(profiles: ProfileSet, opening: str) -> None:
    comments = ["I walked past the harbour yesterday and the new jetty looks great, well done to the crews."]
    found = extract_text(capture(MENU, PROSE, [opening], comments, FOOTER[1:]), profiles)
    assert decision_for(found, opening).rule == "end.comments"
    assert kept_texts(found) == PROSE


def test_an_article_line_with_a_comment_word_is_no_comment_opening(profiles: ProfileSet) -> None:
    line = "Die Kommentare der Leser waren freundlich, sagte der Bürgermeister am Montag in der Stadt."
    found = extract_text(capture(MENU, PROSE[:2], [line], PROSE[2:], FOOTER[1:]), profiles)
    assert decision_for(found, line).rule != "end.comments"


def test_a_related_teaser_after_a_short_article_is_not_joined_to_it(profiles: ProfileSet) -> None:
    # the snippet reads like prose; only the "Related Stories" heading between says it is a promo
    teaser = ["Storm closes harbour for three weeks", "The breakwater was damaged when waves went over the wall..."]
    found = extract_text(capture(MENU, PROSE[:2], ["Related Stories"], teaser, FOOTER[1:]), profiles)
    assert kept_texts(found) == PROSE[:2]
    assert not decision_for(found, teaser[1]).keep


def _thread(count: int) -> list[str]:
    lines: list[str] = []
    for number, name in enumerate(("alex", "sam", "kim", "lee", "max", "noa", "ray", "zoe")[:count], start=1):
        lines += [
            f"{number}. {name} says:",
            f"May {number + 2}, 2024 at 9:{10 + number} am",
            f"The new jetty is a fine piece of work, and the crews who built it deserve our thanks, {name} thinks.",
            "The fees should have been waived from the start, since it is the least the council could do for them.",
        ]
    return lines


def test_a_comment_thread_after_its_opening_line_does_not_outweigh_a_short_article(profiles: ProfileSet) -> None:
    found = extract_text(capture(MENU, PROSE[:3], ["34 responses to this story"], _thread(8), FOOTER[1:]), profiles)
    assert kept_texts(found) == PROSE[:3]
    assert decision_for(found, "34 responses to this story").rule == "end.comments"
    assert not decision_for(found, "1. alex says:").keep


def test_a_thread_found_inside_it_starts_at_its_first_comment_header(profiles: ProfileSet) -> None:
    """Comments quoting the article can make the best block start inside the thread: the thread
    found after that block's start begins at the first header of its chain, not at the block."""
    from cleaners.text import analyse_page, thread_start

    page = analyse_page(capture(PROSE[:2], _thread(6)), profiles)
    inside = next(i for i, unit in enumerate(page.units) if unit.text == "4. lee says:")
    start = thread_start(page, inside)
    assert start is not None and page.units[start].text == "May 3, 2024 at 9:11 am"
    dated = ["Harbour timetable, May 3, 2024 at 9:11 am"]
    page = analyse_page(capture(PROSE, dated, PROSE, PROSE, _thread(4)), profiles)
    start = thread_start(page, len(PROSE) + 1)  # a dated line far before the thread is not its start
    assert start is not None and page.units[start].text == "May 3, 2024 at 9:11 am"


def test_only_an_end_rule_may_open_a_comment_section() -> None:
    from cleaners.profiles import ProfileError, parse_profile

    rule = {"id": "x.comments", "action": "end", "comments": True, "patterns": ["comments"]}
    assert parse_profile({"id": "x", "rules": [rule]}).rules[0].comments
    with pytest.raises(ProfileError):
        parse_profile({"id": "x", "rules": [{**rule, "action": "drop"}]})


def test_only_a_drop_rule_may_be_inline() -> None:
    from cleaners.profiles import ProfileError, parse_profile

    rule = {"id": "x.ad", "action": "drop", "inline": True, "patterns": ["advertisement"]}
    assert parse_profile({"id": "x", "rules": [rule]}).rules[0].inline
    with pytest.raises(ProfileError, match="inline"):
        parse_profile({"id": "x", "rules": [{**rule, "action": "aside"}]})


STANDINGS = [
    "1     Harbour Rowing      5040      5      1     17      27",
    "2     North Quay          5035      7      0     15      24",
    "3     Lighthouse          5033      4      6     15      26",
    "4     Breakwater          5027      6      3     19      24",
    "5     Sea Wall            2380      2      3     12      21",
    "6     Jetty               2339      1      1     11      18",
]


@pytest.mark.parametrize("before", [True, False])
def test_a_table_next_to_the_article_is_kept_as_its_rows(profiles: ProfileSet, before: bool) -> None:
    # aligned cells of digits and no sentence: line by line a table scores like a menu
    body = [*STANDINGS, *PROSE[:3]] if before else [*PROSE[:3], *STANDINGS]
    found = extract_text(capture(MENU, body, FOOTER[1:]), profiles)
    assert kept_texts(found) == body
    # a table costs the block search nothing: after the prose its rows may join the block itself
    assert decision_for(found, STANDINGS[0]).rule in (TABLE_ROWS_SIGNAL, KEEP_MAIN_BLOCK)
    assert not before or decision_for(found, STANDINGS[0]).rule == TABLE_ROWS_SIGNAL


def test_a_short_table_or_one_far_from_the_article_is_not_kept(profiles: ProfileSet) -> None:
    found = extract_text(capture(MENU, PROSE[:3], STANDINGS[:3], FOOTER[1:]), profiles)
    assert kept_texts(found) == PROSE[:3]
    found = extract_text(capture(MENU, PROSE[:3], FOOTER[1:], MENU, STANDINGS), profiles)
    assert kept_texts(found) == PROSE[:3]


def test_a_long_table_inside_the_article_does_not_split_it(profiles: ProfileSet) -> None:
    # the rows of a table cost the block search nothing: a standings table scoring like a menu line
    # by line had cut the article's intro off the text after it
    rows = [f"{n}     Crew {n}     {5000 - n * 7}     {n % 5}     {n % 3}" for n in range(1, 25)]
    page = analyse_page(capture(PROSE[:2], rows, PROSE[2:]), profiles)
    is_row = np.array([unit.text in rows for unit in page.units])
    assert _block_of(page, np.where(is_row, -1.0, 0.5)) == (0, len(page.units) - 1)


GUIDE_SECTIONS = ["What the harbour needs", "The repairs so far", "What the fishermen say", "The next phase"]
GUIDE_LISTS = [
    ["Concrete blocks", "Steel piles", "Lighthouse jetty", "Mooring rings"],
    ["Breakwater", "Sea wall", "Slipway", "North quay"],
    ["Mooring fees", "Lost catch", "Fuel costs", "Insurance"],
    ["Wall height", "Spring survey", "Tender", "Budget"],
]


def _guide(contents: list[str], headings: list[str]) -> list[str]:
    """A guide: its contents list, then each section's heading, a paragraph and a short list."""
    sections = [[h, p, *items] for h, p, items in zip(headings, PROSE, GUIDE_LISTS, strict=False)]
    return [*MENU, *contents, *(line for section in sections for line in section), *FOOTER]


def test_the_headings_a_contents_list_names_span_the_article(profiles: ProfileSet) -> None:
    numbered = [f"#{n}. {h}" for n, h in enumerate(GUIDE_SECTIONS, 1)]  # headings written apart from the list
    page = analyse_page(capture(_guide(GUIDE_SECTIONS, numbered)), profiles)
    texts = [unit.text for unit in page.units]
    assert page.sections == (texts.index(numbered[0]), texts.index(numbered[-1]))
    # the span's lines cost the block search nothing: a list of short lines no longer splits the guide
    scores = np.where([len(t.split()) < 5 for t in texts], -1.0, 0.5)
    assert _block_of(page, scores) == (texts.index(numbered[0]), texts.index(PROSE[3]))


@pytest.mark.parametrize(
    "headings",
    [
        GUIDE_SECTIONS[:3],  # three entries are no contents list
        [GUIDE_SECTIONS[0], *GUIDE_SECTIONS[2:], GUIDE_SECTIONS[1]],  # out of order
    ],
)
def test_no_contents_list_without_four_headings_in_order(profiles: ProfileSet, headings: list[str]) -> None:
    assert analyse_page(capture(_guide(GUIDE_SECTIONS, headings)), profiles).sections is None


def test_a_menu_repeated_in_the_footer_names_no_sections(profiles: ProfileSet) -> None:
    # the same links again, with no paragraph between them, or a label met more than twice
    menu = ["Harbour news", "Fishing reports", "Tide tables", "Boat sales", "Weather"]
    assert analyse_page(capture(menu, PROSE, menu), profiles).sections is None
    spread = [line for item in menu for line in (item, PROSE[0])]
    assert analyse_page(capture(menu, spread, menu), profiles).sections is None


def test_a_settle_pass_keeps_the_sections_of_the_first(profiles: ProfileSet) -> None:
    numbered = [f"#{n}. {h}" for n, h in enumerate(GUIDE_SECTIONS, 1)]
    page = analyse_page(capture(_guide(GUIDE_SECTIONS, numbered)), profiles)
    texts = [unit.text for unit in page.units]
    keep = [t not in GUIDE_SECTIONS and t not in MENU and t not in FOOTER for t in texts]
    settled = _settle_page(page, keep, Header(None, None, None, {}), profiles, None, PassCache())
    settled_texts = [unit.text for unit in settled.units]
    assert settled.sections == (settled_texts.index(numbered[0]), settled_texts.index(numbered[-1]))


COLUMN_FOOTER = [
    "News\tSport\tWeather\tBusiness",
    "World\tFootball\tForecasts\tMarkets",
    "Politics\tCricket\tWarnings\tCompanies",
    "Health\tTennis\tClimate\tEconomy",
    "Science\tGolf\tTides\tPersonal Finance",
]


def test_a_footer_copied_as_columns_is_not_a_table(profiles: ProfileSet) -> None:
    # cells like a table's, but no figures: the site's link columns after the article
    found = extract_text(capture(MENU, PROSE[:3], COLUMN_FOOTER), profiles)
    assert kept_texts(found) == PROSE[:3]


def test_a_table_after_the_article_has_ended_is_not_kept(profiles: ProfileSet) -> None:
    found = extract_text(capture(MENU, PROSE[:3], ["Comments"], STANDINGS, FOOTER[1:]), profiles)
    assert kept_texts(found) == PROSE[:3]


TWEET = [
    "Storm surge over the harbour wall again tonight, stay off the jetty",
    "— Harbour Watch (@harbourwatch) November 18, 2019",
]


def test_a_post_embedded_in_the_article_is_kept(profiles: ProfileSet) -> None:
    # a tweet's text and attribution score like teaser lines; the attribution says what they are
    body = [*PROSE, *TWEET]  # after the last paragraph
    found = extract_text(capture(MENU, body, FOOTER), profiles)
    assert kept_texts(found) == body
    assert decision_for(found, TWEET[1]).rule == EMBEDDED_POST_SIGNAL


def test_a_post_far_from_the_article_is_not_kept(profiles: ProfileSet) -> None:
    found = extract_text(capture(MENU, PROSE, FOOTER, MENU, TWEET, MENU), profiles)
    assert kept_texts(found) == PROSE


TOUR_DATES = [
    "June 9 – West Palm Beach, FL @ Harbour Amphitheatre",
    "June 10 – Tampa, FL @ North Quay Pavilion",
    "June 14 – Atlanta, GA @ Lighthouse Arena",
    "June 17 – Nashville, TN @ Breakwater Center",
    "June 19 – Charlotte, NC @ Sea Wall Music Park",
]


def test_a_list_whose_rows_share_their_punctuation_is_kept_next_to_the_article(profiles: ProfileSet) -> None:
    # one by one the rows score like menu lines; their shared marks ("–", ",") make them a list
    found = extract_text(capture(MENU, PROSE[:3], ["Tour Dates"], TOUR_DATES, FOOTER[1:]), profiles)
    assert kept_texts(found) == [*PROSE[:3], *TOUR_DATES]
    assert decision_for(found, TOUR_DATES[0]).rule == PATTERNED_ROWS_SIGNAL


def test_a_patterned_list_needs_four_rows_kept_text_beside_it_and_no_end_before_it(profiles: ProfileSet) -> None:
    found = extract_text(capture(MENU, PROSE[:3], TOUR_DATES[:3], FOOTER[1:]), profiles)
    assert kept_texts(found) == PROSE[:3]
    found = extract_text(capture(MENU, PROSE[:3], ["Comments"], TOUR_DATES, FOOTER[1:]), profiles)
    assert kept_texts(found) == PROSE[:3]
    # three counted menu items ("()") are too few for a list: they stay out (four would be kept)
    found = extract_text(
        capture(MENU, PROSE[:3], ["News (5)", "Sport (3)", "Weather (2)", "Business"], FOOTER[1:]), profiles
    )
    assert kept_texts(found) == PROSE[:3]


def test_a_dated_teaser_list_after_the_article_is_not_put_back_as_patterned_rows(profiles: ProfileSet) -> None:
    # the comment-thread cut removes a run of dated teasers; sharing their marks ("–,") must not
    # bring them back
    teasers = [f"Story number {i} about the harbour – Harbour Times, {i} hours ago" for i in range(1, 41)]
    found = extract_text(capture(MENU, PROSE[:3], teasers, FOOTER[1:]), profiles)
    assert kept_texts(found) == PROSE[:3]


SCHOOLS = [
    ("Harbour College", "Portsmouth", 171, 29),
    ("North Quay School", "Hull", 249, 36),
    ("Lighthouse Institute", "Plymouth", 110, 37),
    ("Breakwater Academy", "Dover", 199, 25),
    ("Sea Wall College", "Whitby", 88, 41),
    ("Jetty School", "Oban", 64, 52),
]


def test_repeated_fields_are_the_records_of_a_listing() -> None:
    texts = [
        "Location: Hull",
        "Location: Dover",
        "Phone: 555-0100",
        "Location: Oban",
        "Follow us: Twitter",
        "Follow us: Twitter",
        "Follow us: Twitter",
        "Phone: 555-0101",
        "The three things the council said at the meeting on Monday: fees, moorings and repairs",
    ]
    assert repeated_fields(texts).tolist() == [1.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0]


def test_the_fields_of_a_listing_are_kept_with_its_records(profiles: ProfileSet) -> None:
    # "Location: Hull" alone looks like a menu or footer line; recurring with other values, a record
    records: list[str] = []
    for name, town, size, rate in SCHOOLS:
        records += [
            f"{name} trains its sailors on the open water from the first week, and most of them stay on as crew.",
            f"Location: {town}",
            f"Class Size: {size}",
            f"Acceptance Rate: {rate}%",
        ]
    found = extract_text(capture(MENU, PROSE[:3], records, FOOTER[1:]), profiles)
    fields = [line for line in records[: 4 * (len(SCHOOLS) - 1)] if ": " in line]
    assert all(decision_for(found, line).keep for line in fields)


def test_a_label_before_long_sentences_is_no_record_field() -> None:
    # teaser snippets under one label ("Key takeaway: …") are sentences, not a listing's fields
    towns = ("Hull", "Dover", "Oban")
    sentences = [
        f"Key takeaway: the {town} harbour reopened to fishing boats on Monday after three weeks of repairs."
        for town in towns
    ]
    assert repeated_fields(sentences).tolist() == [0.0, 0.0, 0.0]
    assert repeated_fields([f"Key takeaway: {town}" for town in towns]).tolist() == [1.0, 1.0, 1.0]
