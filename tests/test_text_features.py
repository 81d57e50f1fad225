"""The vectorised line features (cleaners.text.page_features) equal a plain per-line reference.

The reference is the line-by-line implementation the weights were fitted with; the page-wide one
must give bit-identical values, or the cleaner's output would change with its speed-ups.
"""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cleaners.text as text_module
from cleaners.language import stopwords
from cleaners.profiles import Rule, default_profiles
from cleaners.text import (
    _CJK_LANGUAGES,
    _DATEISH,
    _PRICE,
    _SENTENCE_END,
    _SEPARATORS,
    _SPEECH_TAG,
    _TABLE_CELLS,
    _URL_OR_EMAIL,
    _WORD,
    CONTEXT_FEATURE_NAMES,
    FEATURE_NAMES,
    RuleMatcher,
    first_matching_rule,
    load_weights,
    page_features,
)

#: The page-wide bullet pattern the features were first computed with (lines joined by "\n").
_BULLET_START = re.compile(r"^(?:[•·▪◦●■*–—-][^\S\n]|\d{1,2}[.)][^\S\n]|\(?[a-z]\)[^\S\n])", re.MULTILINE)


def reference_features(text: str, language: str | None, stop: frozenset[str], repeated: bool) -> list[float]:
    """One line's features, computed the straightforward way (FEATURE_NAMES order)."""
    cjk = language in _CJK_LANGUAGES
    split = text.split()
    words = max(1, len("".join(split)) // 2) if cjk else len(split)
    tokens = _WORD.findall(text.lower())
    n_tokens = len(tokens) or 1
    if cjk:
        stop_share, title_share = 0.3, 0.0
    else:
        stop_share = sum(t in stop for t in tokens) / n_tokens
        initials = [w[0] for w in split if w[0].isalpha()]
        title_share = sum(c.isupper() for c in initials) / len(initials) if initials else 0.0
    ends = bool(_SENTENCE_END.search(text)) and not reference_cut_short(text)
    first = text[:1]
    return [
        1.0,
        math.log1p(words),
        float(ends),
        float(text.endswith(":")),
        stop_share,
        title_share,
        min(1.0, (text.count(",") + text.count(";") + text.count("，") + text.count("、")) / max(words, 1)),
        float(repeated),
        float(words <= 12 and bool(re.search(r"\d", text)) and bool(_DATEISH.search(text))),
        sum(t.isdigit() for t in tokens) / n_tokens,
        float(bool(_BULLET_START.search(text))),
        float(not cjk and len(text) >= 4 and text[:80].isupper()),
        float(bool(_SEPARATORS.search(text))),
        float(first.isalpha() and first.islower()),
        float(words <= 3),
        float(words >= 8 and not ends),
        float(bool(_URL_OR_EMAIL.search(text))),
        float(len(_TABLE_CELLS.findall(text)) >= 2),
        float(bool(_PRICE.search(text))),
        float(bool(_SPEECH_TAG.search(text[-40:]))),
        0.0,  # repeated_field: a page-level feature, set by analyse_page (tests/test_text.py)
    ]


def reference_cut_short(text: str) -> bool:
    """A line ending (before closing quotes) in "…" or "..." right after a word: a teaser cut short."""
    stripped = text.rstrip("\"'”’»)]")
    if len(stripped) < 4:
        return False
    if stripped.endswith("…"):
        return stripped[-2] not in " ."
    return stripped.endswith("...") and stripped[-4] not in " ."


TRICKY = [
    "The harbour reopened on Monday, after three weeks of repairs.",
    "İSTANBUL — Şehir merkezinde ſaid: “Quote.”",  # lower() lengthens İ; ſ folds to s
    "Jane on May 2 SAID\t:",
    "John wrote",
    "1     Kyle Busch     5040",
    "Price: $139.00 or 120 €",
    "Home | World › Sports / Opinion",
    "Follow us @example or https://example.com/x",
    "NOV 18, 2019 7:45 AM",
    "3 hours ago",
    "• a list item",
    "12) numbered item",
    "(a) lettered item",
    "𝐁𝐨𝐥𝐝 𝑖𝑡𝑎𝑙𝑖𝑐 letters 🙂 and ２０２４ digits ٣",
    'the end.")',
    "a_b c__d 42 x4 ½ ²",
    "\u00a0non\u2009breaking\u3000spaces",
    "ALL CAPS HEADLINE",
    "Many people dream of becoming entrepreneurs, and often the biggest...",
    "Letting technology do the heavy lifting…",
    "Wait for it ...",
    "The storm passed. . .",
    "“and then…”",
]


def test_a_line_cut_short_by_an_ellipsis_ends_no_sentence() -> None:
    lines = ["Many people dream of becoming entrepreneurs, and often the biggest...", "The harbour reopened…"]
    features = [
        dict(zip(FEATURE_NAMES, row, strict=True)) for row in page_features(lines, "en", frozenset(), [False] * 2)
    ]
    assert [f["ends_sentence"] for f in features] == [0.0, 0.0]
    assert features[0]["long_no_end"] == 1.0
    assert page_features(["The harbour reopened on Monday."], "en", frozenset(), [False])[0][2] == 1.0


def test_page_features_equal_the_reference_on_tricky_lines() -> None:
    for language in ("en", "de", None, "ja"):
        stop = stopwords(language) if language else frozenset()
        repeated = [i % 3 == 0 for i in range(len(TRICKY))]
        fast = page_features(TRICKY, language, stop, repeated).tolist()
        slow = [reference_features(t, language, stop, r) for t, r in zip(TRICKY, repeated, strict=True)]
        assert fast == slow


_LINE = (
    st.text(
        alphabet=st.sampled_from(list("aAbBsSſİı\u212a eE.,;:!?|/•»@$€1290 \t\u00a0-—“”'()_ÉéßΣσς中文字𝐁🙂٣½")),
        min_size=1,
        max_size=60,
    )
    .map(str.strip)
    .filter(bool)
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_LINE, min_size=1, max_size=12), st.sampled_from(["en", "el", None, "zh"]))
def test_page_features_equal_the_reference(texts: list[str], language: str | None) -> None:
    stop = stopwords(language) if language else frozenset({"a", "the", "σ"})
    repeated = [False] * len(texts)
    fast = page_features(texts, language, stop, repeated).tolist()
    assert fast == [reference_features(t, language, stop, False) for t in texts]


# --- rule matching: the dispatching matcher equals trying every rule in order -----------------

RULE_LINES = [
    "Home",
    "HOME",
    "ſearch",
    "Sign In",
    "© 2024 Example News. All rights reserved.",
    "ALL RİGHTS RESERVED",
    "all rights reſerved",
    "\u212aelvin",
    "«Previous",
    "Next article »",
    "Reuters/Getty Images",
    "Photo: Jane Doe/AFP via Getty Images",
    "12 Comments",
    "3 min read",
    "1.2k views",
    "Jane Doe, staff writer",
    "by Jane Doe, Staff Writer at The Example",
    "Sign up for our daily newsletter.",
    "Get the newsletter — sign up now",
    "Live updates: the storm makes landfall",
    "The harbour reopened to fishing boats on Monday after three weeks of repairs.",
    "Advertisement",
    "x",
    "—",
]


def test_rule_matcher_equals_first_matching_rule() -> None:
    profiles = default_profiles()
    rules = profiles.generic.rules
    matcher = RuleMatcher(rules)
    assert [matcher.match(line) for line in RULE_LINES] == [first_matching_rule(line, rules) for line in RULE_LINES]
    assert matcher.match_lines(RULE_LINES) == [first_matching_rule(line, rules) for line in RULE_LINES]


_RULE_WORDS = st.sampled_from(
    ["sign up", "newsletter", "all rights reserved", "/", "live", "writer", "staff", "editor", "Home", "©", "12",
     "of", "min", "read", "views", "comments", "ſ", "\u212a", "İ", "Next", "«", " ", "now", "Jane Doe,", "."]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_RULE_WORDS, min_size=1, max_size=8).map(" ".join), min_size=1, max_size=6))
def test_rule_matcher_equals_first_matching_rule_on_generated_lines(lines: list[str]) -> None:
    rules = default_profiles().generic.rules
    matcher = RuleMatcher(rules)
    assert matcher.match_lines(lines) == [first_matching_rule(line, rules) for line in lines]


def _rule(rule_id: str, pattern: str) -> Rule:
    return Rule(rule_id, "drop", rule_id, (re.compile(pattern, re.IGNORECASE),))


@pytest.mark.parametrize("guarded_first", [True, False])
def test_rule_matcher_keeps_rule_order_between_guarded_and_first_character_patterns(guarded_first: bool) -> None:
    """A pattern that can start anywhere but needs "sign up" and one dispatched on the line's first
    character both match: the earlier rule wins, whichever kind it is."""
    guarded, headed = _rule("guarded", r".{0,20}sign up .{0,20}"), _rule("headed", r"get .{0,40}")
    rules = (guarded, headed) if guarded_first else (headed, guarded)
    assert RuleMatcher(rules).match("Get the newsletter: sign up now") is rules[0]


def test_rule_matcher_compiles_a_bounded_number_of_alternations() -> None:
    """Lines holding ever new combinations of guard strings compile no new regexes: one
    alternation per first character and line length class, and one per guard string (here 100
    combinations of 10 strings, all lines starting with "x": at most 11)."""
    rules = default_profiles().generic.rules
    matcher = RuleMatcher(rules)
    guards = ["sign up ", "newsletter", "cookie", "privacy", "photo", "editor", "writer", "live", "(", "/"]
    lines = [f"x {a} and {b} here" for a in guards for b in guards] + [f"x {a}" for a in guards]
    assert matcher.match_lines(lines) == [first_matching_rule(line, rules) for line in lines]
    assert matcher.compiled_alternations() <= 1 + len(guards)


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("(sign|log) ?in", {"sig", "log"}),
        ("ad", {"ad"}),  # a match shorter than the prefix is the whole line
        ("(the )?cat", {"the", "cat"}),
        ("(ÜBER|about) .{1,40}", {"abo"}),  # "Ü" matches no ASCII character
        ("\u212aey|\u017fign", {"key", "sig"}),  # the Kelvin sign and long s fold to ASCII letters
        ("[A-C]\\d{1,2}", {"a0", "a00", "a01", "b5", "c99"} | {f"{c}{d}" for c in "abc" for d in "0123456789"}),
    ],
)
def test_prefixes_list_every_start_of_a_match(pattern: str, expected: set[str]) -> None:
    found = text_module._prefixes(re.compile(pattern, re.IGNORECASE))
    assert found is not None and expected <= found
    assert all(len(prefix) <= text_module.RULE_PREFIX_CHARS for prefix in found)


def test_prefixes_of_patterns_that_may_start_with_anything() -> None:
    assert text_module._prefixes(re.compile("[^.!?]{0,80}live", re.IGNORECASE)) is None  # negated class
    assert "" in text_module._prefixes(re.compile(".{0,60}/ ?x", re.IGNORECASE))  # type: ignore[operator]
    digits = text_module._prefixes(re.compile("\\d{1,7} of \\d{1,7}", re.IGNORECASE))
    assert digits is not None and len(digits) <= text_module._PREFIXES_MAX  # bounded: two digits, then any


def test_rule_matcher_dispatch_on_prefixes_keeps_the_first_matching_rule() -> None:
    """Lines shorter than the prefix, lines with a non-ASCII character in it, letters that fold to
    ASCII and case all give the rule matching rule by rule gives."""
    rules = default_profiles().generic.rules
    lines = ["Ad", "AD", "x", "»", "Nä", "Ne\u0301xt", "Next »", "\u017fign in", "Sign in", "© 2024 Example", "12 min"]
    lines += ["(c) 2024 Example", "By Jane", "The End", "Read More", "Related: the harbour", "3 of 12", "Home"]
    assert RuleMatcher(rules).match_lines(lines) == [first_matching_rule(line, rules) for line in lines]


# --- weights: kept as data, every feature named -------------------------------------------------


def test_weights_file_names_every_feature() -> None:
    line, context = load_weights()
    assert len(line) == len(FEATURE_NAMES) and len(context) == len(CONTEXT_FEATURE_NAMES)
    assert (line, context) == (text_module.LINE_WEIGHTS, text_module.CONTEXT_WEIGHTS)


def test_weights_with_a_missing_feature_are_refused() -> None:
    names = [name for name in FEATURE_NAMES if name != "repeated"]
    toml = "[line]\n" + "".join(f"{n} = 0.5\n" for n in names)
    toml += "[context]\n" + "".join(f"{n} = 0.5\n" for n in CONTEXT_FEATURE_NAMES)
    with pytest.raises(ValueError, match="line"):
        load_weights(toml)


def test_every_generic_rule_pattern_has_a_bounded_width() -> None:
    """Lines longer than any pattern can match skip rule matching: one unbounded pattern (a ``+``)
    would make every long paragraph go through the regexes."""
    assert RuleMatcher(default_profiles().generic.rules).max_chars is not None
