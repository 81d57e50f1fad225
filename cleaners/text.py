"""Plain-text capture cleaning: classify each line, keep the article's main block, explain why.

The input is what a person gets by selecting and copying a whole rendered page: one visible
line of the page per line, menus, promos and footers included. Each line gets a decision with
a rule or signal id, so ``article-archive explain`` can show why every line was kept or dropped.

Steps, all pure:

1. lines: a two-column rendering is split into its columns, and hard-wrapped sentences are
   joined into one logical line (a unit) each;
2. profile rules (data, ``cleaners/profiles/*.toml``) mark units as ``drop``, ``end``,
   ``aside``, ``credit`` or ``byline``;
3. the line model scores every other unit from its own shape (length, sentence punctuation,
   stop-word share in the page's language, capitals, digits, separators, table cells, whether
   it repeats elsewhere on the page); the context model rescores it from its neighbours' scores
   and its place relative to the best block (weights: cleaners/data/text_weights.toml);
4. the article is the maximum-sum block of those scores (rule-dropped units are transparent,
   ``end``/``credit`` units hard boundaries, ``aside`` headings a penalty and their listed items
   dropped; a run of timed comment headers ends it, or the comment section's opening line just
   before such a run), plus units that are sure on their own, the items of a list a kept line
   introduces and the rows of a table next to kept text;
5. the title, byline and date are looked for just before the article and leave the body.
"""

from __future__ import annotations

import bisect
import itertools
import math
import operator
import re
import tomllib
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cache, cached_property
from importlib import resources
from typing import NamedTuple

import numpy as np

from cleaners.language import detect_language, stopwords
from cleaners.profiles import Profile, ProfileSet, Rule

_WORD = re.compile(r"\w+", re.UNICODE)
# No feature pattern may match across a line break (within a line, whitespace is [^\S\n]), so each
# can also run over a page of lines joined by "\n".
_SENTENCE_END = re.compile(r"[.!?…。！？][\"'”’»)\]]*$", re.MULTILINE)
_SEPARATORS = re.compile(r"[^\S\n][|•·»›/][^\S\n]|[^\S\n][|»›]$|^[|»›][^\S\n]", re.MULTILINE)
_URL_OR_EMAIL = re.compile(r"https?://|www\.|\S@\S+\.\w")
_TABLE_CELLS = re.compile(r"[^\s](?: {2,}|\t)[^\s]")
_PRICE = re.compile(r"[$€£¥][^\S\n]?\d|\d[^\S\n]?[$€£¥]")
_SPEECH_TAG = re.compile(
    r"\b(?:said|says|wrote|writes|replied|commented)[^\S\n]*:?$|\breply$", re.IGNORECASE | re.MULTILINE
)
_LEADING_LETTERS = re.compile(r"[^\W\d_]+")
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DATEISH = re.compile(
    rf"\b{_MONTH}[^\S\n]+\d{{1,2}}\b|\b\d{{1,2}}[^\S\n]+{_MONTH}\b|\b\d{{4}}-\d{{2}}-\d{{2}}\b"
    r"|\b\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b|\b\d{1,2}:\d{2}\b"
    r"|\b\d+[^\S\n]*(?:[smhd]|mins?|minutes?|hours?|hrs?|days?|weeks?|months?|years?)[^\S\n]+ago\b",
    re.IGNORECASE,
)
_CJK_LANGUAGES = frozenset({"zh", "ja", "ko", "th"})
_CLOSERS = "\"'”’»)]"
_SENTENCE_END_CHARS = ".!?…。！？"
#: A line ending in one of these is never hard-wrapped (it ends a sentence, or introduces a list).
_ENDS_NO_WRAP = (*_SENTENCE_END_CHARS, ":")
_BULLET_LINE = re.compile(r"(?:[•·▪◦●■*–—-]\s|\d{1,2}[.)]\s|\(?[a-z]\)\s)")
#: A comment header ends in one of these letters (said, says, wrote, reply…), maybe then ":".
_SPEECH_TAG_LAST = "dDsSſeEyY:"
#: ...and, when the word is last, this letter before it (sa[i]d, sa[y]s, wro[t]e, writ[e]s, repli[e]d,
#: comment[e]d, rep[l]y; ı and İ match i in a case-insensitive pattern).
_SPEECH_TAG_PENULT = "iIıİyYtTeElL"
_BULLET_FIRST = "•·▪◦●■*–—-("

#: Signal ids used when no profile rule decided a line.
KEEP_MAIN_BLOCK = "signal.main-block"
DROP_OUTSIDE_BLOCK = "signal.outside-main-block"
DROP_AFTER_END = "signal.after-article-end"
UNSTABLE_SIGNAL = "signal.unstable"
#: How many times the kept paragraphs are cleaned again to reach a fixpoint (idempotence).
SETTLE_PASSES = 3
ASIDE_ITEM_SIGNAL = "signal.aside-item"
LISTED_ITEM_SIGNAL = "signal.listed-item"
TABLE_ROWS_SIGNAL = "signal.table-rows"
PATTERNED_ROWS_SIGNAL = "signal.patterned-rows"
EMBEDDED_POST_SIGNAL = "signal.embedded-post"

#: Names of the per-line features, in the order ``line_features`` returns them.
FEATURE_NAMES: tuple[str, ...] = (
    "bias",
    "log_words",  # log(1 + words)
    "ends_sentence",  # ends with . ! ? … (a closing quote or bracket may follow), not "word..." cut short
    "ends_colon",
    "stop_share",  # share of tokens that are stop words of the page's language
    "title_share",  # share of words that start with a capital letter
    "comma_rate",  # commas and semicolons per word, capped at 1
    "repeated",  # the same line occurs elsewhere on the page
    "dateish",  # holds a date, a time or "3 hours ago"
    "numeric_share",  # share of tokens that are digits
    "bullet_start",  # starts like a list item ("1. ", "• ")
    "all_caps",
    "separators",  # menu-like separators ( | · » › / )
    "lower_start",  # starts with a lower-case letter (a continuation)
    "short",  # three words or fewer
    "long_no_end",  # eight words or more without sentence punctuation (teaser, caption)
    "url_or_email",
    "table_row",  # cells aligned by runs of spaces or tabs, as a copied table keeps them
    "price",
    "speech_tag",  # ends like a comment header ("Jane on May 2 said:", "Reply")
    "repeated_field",  # "Key: value" whose key recurs on the page with other values (specs, listings)
)

#: Names of the context features of a line, in the order ``context_features`` returns them:
#: the line model's scores around the line, and where the line sits relative to the best block.
CONTEXT_FEATURE_NAMES: tuple[str, ...] = (
    "bias",
    "local",  # the line model's own log-odds
    "window_1",  # mean log-odds of the unruled lines within 1, 3 and 8 lines
    "window_3",
    "window_8",
    "before_3",  # mean log-odds of the 3 unruled lines before / after this one
    "after_3",
    "sandwich_3",  # the lower of before_3 and after_3: text on both sides, as in a heading
    "sandwich_8",  # the same over 8 lines
    "in_block",  # inside the best block of the line model's scores
    "log_block_distance",  # log(1 + lines to that block)
    "before_block",
    "after_block",
    "word_position",  # share of the page's words before this line
    "after_end_cue",  # an end/credit rule matched between the block's start and this line
    "prev_ruled",  # the previous / next line was matched by a profile rule
    "next_ruled",
    "prev_ends_sentence",
    "prev_title_share",
    "prev_short",
    "prev_log_words",
    "prev_stop_share",
    "next_ends_sentence",
    "next_title_share",
    "next_short",
    "next_log_words",
    "next_stop_share",
)
#: Line features of the neighbours that are context features (prev_*, next_*).
NEIGHBOUR_FEATURES: tuple[str, ...] = ("ends_sentence", "title_share", "short", "log_words", "stop_share")

#: Where the weights of both models are kept, by feature name (fitted by bench/fit_text_weights.py).
WEIGHTS_FILE = "text_weights.toml"


def load_weights(text: str | None = None) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """The line and context models' weights (FEATURE_NAMES and CONTEXT_FEATURE_NAMES order) from
    ``cleaners/data/text_weights.toml``, or from ``text`` in its format; every feature must have one."""
    if text is None:
        text = (resources.files("cleaners") / "data" / WEIGHTS_FILE).read_text(encoding="utf-8")
    data = tomllib.loads(text)
    weights = []
    for table, names in (("line", FEATURE_NAMES), ("context", CONTEXT_FEATURE_NAMES)):
        given = data.get(table, {})
        if set(given) != set(names):
            raise ValueError(f"[{table}] weights must name exactly {names}; got {sorted(given)}")
        weights.append(tuple(float(given[name]) for name in names))
    return weights[0], weights[1]


#: Weights of the line model over FEATURE_NAMES (the line's log-odds of being article text) and of
#: the context model over CONTEXT_FEATURE_NAMES (fitted on top of it).
LINE_WEIGHTS, CONTEXT_WEIGHTS = load_weights()

#: Block search: a line's score is its log-odds plus BLOCK_SHIFT, times (words ** BLOCK_LENGTH_POWER),
#: so long lines weigh more but a long chrome line can't outweigh a paragraph run.
BLOCK_SHIFT = 0.0
BLOCK_LENGTH_POWER = 0.5
#: Cost of an ``aside`` heading ("Related", "Read more") inside the block, in score units.
ASIDE_PENALTY = 5.0
#: ...and a line a ``drop`` rule matched (a share button, a form label) this much: a run of chrome
#: between the article and text after it (a bio, a sidebar) keeps the block from spanning it.
#: Lines of ``inline`` drop rules (ad slots, picture credits: set inside articles) cost nothing.
DROP_PENALTY = 3.0
_RULED_COST = {"aside": ASIDE_PENALTY, "drop": DROP_PENALTY}
#: Lines after an ``aside`` heading that are dropped as its items, at most (see ``aside_items``).
ASIDE_MAX_ITEMS = 8
#: A comment thread (or dated teaser list) is THREAD_MIN_HEADERS short dated lines after the
#: article's start, each within THREAD_MAX_GAP lines of the last; from there on, text counts for
#: THREAD_DISCOUNT of its score, so a long thread can't outweigh a short article.
THREAD_MIN_HEADERS = 3
THREAD_MAX_GAP = 8
THREAD_DISCOUNT = 0.3
#: Lines starting like this attribute an embedded post or quote; their dates are not comment headers.
_QUOTE_ATTRIBUTION = ("—", "–", "-", "~")
#: Comment headers carry the time of the post ("at 4:47 pm", "2 days ago"); event dates don't.
_TIME_OF_POST = re.compile(r"\b\d{1,2}:\d{2}\b|\bago\b", re.IGNORECASE)
#: A list intro ends in ":" and has at least this many words ("Key topics include:", not "Share:").
LIST_INTRO_MIN_WORDS = 3
#: At most this many lines after a kept list intro are kept as its items (``listed_items``).
LIST_MAX_ITEMS = 30
#: A comment section's opening line (an ``end`` rule with ``comments``) cuts a thread off a short
#: article only when the thread is seen right after it: a run of comment headers starting within
#: COMMENTS_CONFIRM_GAP lines. A bare "3 Comments" link between a blog post's excerpt and its body
#: has article text after it, not headers.
COMMENTS_CONFIRM_GAP = 4
#: ...and only when the block before the opening weighs this much (block-search units).
COMMENTS_PRE_MIN = 2.0
#: A run of at least TABLE_MIN_ROWS table rows (cells aligned by runs of spaces) that ends or starts
#: within TABLE_MAX_GAP lines of kept text is the article's table (``table_rows``).
TABLE_MIN_ROWS = 4
TABLE_MAX_GAP = 3
#: A line outside the best block is still kept when the context model is this sure (log-odds).
KEEP_OUTSIDE_BLOCK = 0.0
#: A run of this many lines with the same punctuation pattern next to the article is one of its lists...
PATTERN_MIN_ROWS = 4
#: ...the pattern being a line's first PATTERN_MARKS marks (not letters, digits, spaces, dots or apostrophes).
PATTERN_MARKS = 2
_MARK = re.compile(r"[^\w\s.'’]")

#: Two columns side by side (a sidebar beside the article) are split at a run of this many spaces.
COLUMN_GAP = re.compile(r" {8,}")
#: A column split needs a cell of at least this many words (otherwise it is a table row).
COLUMN_MIN_WORDS = 6
#: Most rule patterns match only short lines (menus, buttons); longer lines skip them.
SHORT_RULE_CHARS = 80
#: Rule results are remembered for lines up to this long (menus, footers: the same on many pages),
#: for at most RULE_CACHE_SIZE distinct lines per profile pair.
RULE_CACHE_MAX_CHARS = 120
RULE_CACHE_SIZE = 50_000
#: A hard-wrapped line is joined to the next one only if it has at least this many words (a narrow
#: column or fact box wraps after three).
WRAP_MIN_WORDS = 3


class Line(NamedTuple):
    """A non-empty line of the capture with its 1-based line number (a named tuple: pages have
    hundreds, made on every pass, and a tuple is the cheapest immutable value to make)."""

    lineno: int
    text: str


#: ``_new(Line, (lineno, text))`` is ``Line(lineno, text)`` (and so for ``Unit``) without the Python
#: frame of the named tuple's generated ``__new__``: a third of the cost, for the hundreds of lines
#: and units made on every pass.
_new = tuple.__new__


@dataclass(frozen=True, slots=True)
class LineDecision:
    """Whether one line was kept, and the rule or signal (with a reason) that decided it."""

    lineno: int
    text: str
    keep: bool
    rule: str
    reason: str


@dataclass(frozen=True)
class TextExtraction:
    """What the text cleaner found in one capture.

    The decision for every line (what ``explain`` prints) is built on first use from ``explain``:
    cleaning alone never needs it.
    """

    paragraphs: tuple[str, ...]
    title: str | None
    byline: str | None
    language: str | None
    publisher: str | None
    profile_id: str | None
    explain: Callable[[], tuple[LineDecision, ...]] = field(repr=False, compare=False)
    published: str | None = None

    @cached_property
    def decisions(self) -> tuple[LineDecision, ...]:
        """Each line's keep/drop decision with the rule or signal that made it, in line order."""
        return self.explain()


class Unit(NamedTuple):
    """A logical line: one physical line, or a hard-wrapped paragraph joined from several (a named
    tuple, as ``Line``)."""

    text: str
    lines: tuple[Line, ...]
    rule: Rule | None


@dataclass(frozen=True)
class Page:
    """A capture as logical lines, with each one's rule (if any), features and word count."""

    units: tuple[Unit, ...]
    features: np.ndarray  # one row per unit, FEATURE_NAMES columns
    words: tuple[int, ...]
    language: str | None
    site: Profile | None
    contents: tuple[int, int] | None = None  # the sections of the page a settle pass kept them from

    @cached_property
    def ruled(self) -> tuple[tuple[int, str], ...]:
        """(index, action) of the units a profile rule matched."""
        return tuple([(i, u.rule.action) for i, u in enumerate(self.units) if u.rule is not None])

    @cached_property
    def unruled(self) -> np.ndarray:
        """True for each unit no profile rule matched."""
        unruled = np.ones(len(self.units), dtype=bool)
        unruled[[i for i, _ in self.ruled]] = False
        return unruled

    @cached_property
    def tables(self) -> list[tuple[int, int]]:
        """[start, stop) of each table on the page (``table_runs``)."""
        return table_runs(self)

    @cached_property
    def sections(self) -> tuple[int, int] | None:
        """[first, last] of the article's section headings a contents list names (``section_span``;
        on a settle pass, where the list was not kept, the span the first pass found)."""
        return self.contents or section_span(self)

    @cached_property
    def block_weights(self) -> np.ndarray:
        """Each unit's weight in the block search: words ** BLOCK_LENGTH_POWER."""
        return np.array([w**BLOCK_LENGTH_POWER for w in self.words], dtype=np.float64)


def split_lines(text: str) -> list[Line]:
    """The non-empty, stripped lines of ``text`` with their line numbers."""
    return [_new(Line, (i, s)) for i, raw in enumerate(text.splitlines(), start=1) if (s := raw.strip())]


def split_columns(lines: Sequence[Line]) -> list[Line]:
    """Undo a two-column rendering: left cells in order, then the right cells in order.

    A line is split only into exactly two cells with a wide gap, one of them prose-sized;
    more cells, or two short ones, are a table row and stay whole.
    """
    left: list[Line] = []
    right: list[Line] = []
    for line in lines:
        cells = _column_cells(line.text)
        if cells:
            left.append(Line(line.lineno, cells[0]))
            right.append(Line(line.lineno, cells[1]))
        else:
            left.append(line)
    return left + right if right else left


def _column_cells(text: str) -> list[str] | None:
    """The two cells of a line that is a two-column rendering (``split_columns``), else None."""
    if "        " not in text:
        return None
    cells = COLUMN_GAP.split(text)
    return cells if len(cells) == 2 and max(len(c.split()) for c in cells) >= COLUMN_MIN_WORDS else None


def _ends_sentence(line: str) -> bool:
    """Whether ``_SENTENCE_END`` is found in a line (one without line breaks): its last character
    that is no closing quote or bracket ends a sentence (a string test, not a regex search)."""
    stripped = line.rstrip(_CLOSERS)
    return bool(stripped) and stripped[-1] in _SENTENCE_END_CHARS


def continues_sentence(previous: str, following: str, stop: frozenset[str]) -> bool:
    """True when ``following`` carries on the sentence that ``previous`` broke off (hard wrap)."""
    if previous.endswith(":") or _ends_sentence(previous) or len(previous.split()) < WRAP_MIN_WORDS:
        return False
    first_word = _LEADING_LETTERS.match(following)
    if first_word is None:
        return False
    if first_word.group().islower():
        return True
    last_word = previous.rsplit(maxsplit=1)[-1]
    return previous.endswith(",") or (last_word.islower() and last_word in stop)


def join_wrapped(lines: Sequence[Line], rules: Sequence[Rule | None], stop: frozenset[str]) -> list[Unit]:
    """Logical lines: hard-wrapped runs of unruled lines joined into one unit each.

    A line joins the one before it when neither has a rule, no blank line is between them, and
    it carries on the sentence the one before broke off.
    """
    joins = [
        rule is None
        and before_rule is None
        and before_lineno + 1 == lineno
        and not before.endswith(_ENDS_NO_WRAP)  # continues_sentence's commonest "no", without a call
        and continues_sentence(before, text, stop)
        for (before_lineno, before), (lineno, text), before_rule, rule in zip(
            lines, lines[1:], rules, rules[1:], strict=False
        )
    ]
    if not any(joins):
        return [_new(Unit, (line.text, (line,), rule)) for line, rule in zip(lines, rules, strict=True)]
    units: list[Unit] = []
    for line, rule, join in zip(lines, rules, [False, *joins], strict=True):
        if join:
            last = units[-1]
            units[-1] = Unit(f"{last.text} {line.text}", (*last.lines, line), None)
        else:
            units.append(_new(Unit, (line.text, (line,), rule)))
    return units


def _pattern_width(pattern: re.Pattern[str]) -> int | None:
    """The most characters a pattern can match, or None if unbounded (or the width is unknown)."""
    try:
        width = re._parser.parse(pattern.pattern, pattern.flags).getwidth()[1]  # type: ignore[attr-defined]
    except (AttributeError, re.error):  # the parser is internal to ``re``: without it, no bound
        return None
    return None if width >= re._parser.MAXREPEAT else width  # type: ignore[attr-defined]


#: Most characters a character class may list for ``_first_chars`` to name them (else: any).
_FIRST_CHARS_MAX = 64


def _first_chars(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """The ASCII characters (lower-cased) a match of ``pattern`` can start with, or None when it
    could start with any (or the pattern is beyond this simple analysis).

    Only ASCII matters: lines starting with other characters are tried against every pattern. A
    pattern character that case-folds to an ASCII letter ("ſ", the Kelvin sign) counts as that letter.
    """
    try:
        parsed = re._parser.parse(pattern.pattern, pattern.flags)  # type: ignore[attr-defined]
        found, nullable = _first_of_sequence(list(parsed))
    except (AttributeError, re.error, _Unknown):  # the parser is internal to ``re``: without it, any
        return None
    if nullable:
        return None
    return frozenset(c.translate(_ASCII_FOLDS).lower() for c in found if c.translate(_ASCII_FOLDS).isascii())


class _Unknown(Exception):
    """A construct ``_first_chars`` does not analyse."""


#: ASCII characters of the categories a character class can name (the ASCII ones are all that matter).
_CATEGORY_CHARS = {
    "CATEGORY_DIGIT": "0123456789",
    "CATEGORY_SPACE": " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f",
    "CATEGORY_WORD": "0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
}


def _first_of_sequence(items: list[tuple[object, object]]) -> tuple[set[str], bool]:
    """First characters of a sequence of parsed items, and whether it can match the empty string."""
    found: set[str] = set()
    for op, value in items:
        first, nullable = _first_of_item(op, value)
        found |= first
        if not nullable:
            return found, False
    return found, True


def _first_of_item(op: object, value: object) -> tuple[set[str], bool]:
    constants = re._constants  # type: ignore[attr-defined]
    if op is constants.LITERAL:
        return {chr(value)}, False  # type: ignore[arg-type]
    if op is constants.AT:  # ^, $, \b: match no character
        return set(), True
    if op is constants.IN:
        chars: set[str] = set()
        for kind, item in value:  # type: ignore[attr-defined]
            if kind is constants.LITERAL:
                chars.add(chr(item))
            elif kind is constants.RANGE:
                chars.update(chr(c) for c in range(item[0], min(item[1], 0x7F) + 1))
                chars.update(c for c in _ASCII_FOLD_CHARS if item[0] <= ord(c) <= item[1])
            elif kind is constants.CATEGORY and str(item) in _CATEGORY_CHARS:
                chars.update(_CATEGORY_CHARS[str(item)])
            else:  # negated classes, negated categories
                raise _Unknown
        return chars, False
    if op is constants.SUBPATTERN:
        return _first_of_sequence(list(value[-1]))  # type: ignore[index]
    if op is constants.BRANCH:
        found: set[str] = set()
        nullable = False
        for branch in value[1]:  # type: ignore[index]
            first, empty = _first_of_sequence(list(branch))
            found |= first
            nullable = nullable or empty
        return found, nullable
    if op in (constants.MAX_REPEAT, constants.MIN_REPEAT):
        low, _, sub = value  # type: ignore[misc]
        first, empty = _first_of_sequence(list(sub))
        return first, empty or low == 0
    raise _Unknown


#: Rule patterns are dispatched on a line's first RULE_PREFIX_CHARS characters (``_prefixes``)...
RULE_PREFIX_CHARS = 3
#: ...and the analysis gives up on a pattern (it dispatches on the first character) when it would
#: list more than this many prefixes.
_PREFIXES_MAX = 512

#: A prefix being built: its text (lower-case ASCII) and whether it is final (the match may go on
#: with anything, or it has RULE_PREFIX_CHARS characters) rather than exactly the text so far.
_Prefix = tuple[str, bool]


def _prefixes(pattern: re.Pattern[str], size: int = RULE_PREFIX_CHARS) -> frozenset[str] | None:
    """Lower-case ASCII strings of at most ``size`` characters such that every line ``pattern``
    matches whole, if its first ``size`` characters are ASCII, starts (lower-cased) with one of
    them; None when the pattern is beyond this simple analysis.

    A line shorter than a match's prefix is the whole match; a pattern character that case-folds
    to an ASCII letter ("ſ", the Kelvin sign) counts as that letter, other non-ASCII ones match no
    ASCII character.
    """
    try:
        parsed = re._parser.parse(pattern.pattern, pattern.flags)  # type: ignore[attr-defined]
        found = _prefixes_of_sequence(list(parsed), {("", False)}, size)
    except (AttributeError, re.error, _Unknown):
        return None
    return frozenset(text for text, _ in found)


def _prefixes_of_sequence(items: list[tuple[object, object]], starts: set[_Prefix], size: int) -> set[_Prefix]:
    """``starts`` followed by a sequence of parsed items."""
    for op, value in items:
        if all(final for _, final in starts):
            break
        starts = _prefixes_of_item(op, value, starts, size)
    return starts


def _prefixes_of_item(op: object, value: object, starts: set[_Prefix], size: int) -> set[_Prefix]:
    """``starts`` followed by one parsed item (a repeat, a group or a branch: by its parts)."""
    constants = re._constants  # type: ignore[attr-defined]
    if op is constants.AT or op in (constants.ASSERT, constants.ASSERT_NOT):  # no character
        return starts
    if op is constants.SUBPATTERN:
        return _prefixes_of_sequence(list(value[-1]), starts, size)  # type: ignore[index]
    if op is constants.BRANCH:
        branches = [_prefixes_of_sequence(list(b), starts, size) for b in value[1]]  # type: ignore[index]
        return _bounded(starts, set().union(*branches))
    if op in (constants.MAX_REPEAT, constants.MIN_REPEAT):
        return _prefixes_of_repeat(value, starts, size)  # type: ignore[arg-type]
    final = {start for start in starts if start[1]}
    growing = [text for text, done in starts if not done]
    if op is constants.LITERAL or op is constants.IN:
        chars = _first_of_item(op, value)[0]  # raises _Unknown for negated classes
        letters = {c.translate(_ASCII_FOLDS).lower() for c in chars}
        ascii_letters = sorted(c for c in letters if c.isascii())
        grown = {(text + c, len(text) + 1 >= size) for text in growing for c in ascii_letters}
        return _bounded(starts, final | grown)
    return final | {(text, True) for text in growing}  # any character: the prefix ends here


def _prefixes_of_repeat(value: tuple[int, int, object], starts: set[_Prefix], size: int) -> set[_Prefix]:
    """``starts`` followed by ``low`` to ``high`` repeats of a parsed sequence."""
    low, high, sub = value
    found: set[_Prefix] = set()
    current, count = starts, 0
    while True:
        done = all(final for _, final in current)
        if count >= low or done:
            found |= current
        if count == high or done:
            return _bounded(starts, found)
        if count > low + size:  # a repeat that may match nothing: stop building
            return _bounded(starts, found | {(text, True) for text, _ in current})
        current = _prefixes_of_sequence(list(sub), current, size)  # type: ignore[call-overload]
        count += 1


def _bounded(starts: set[_Prefix], grown: set[_Prefix]) -> set[_Prefix]:
    """``grown``, or ``starts`` made final when ``grown`` lists more than _PREFIXES_MAX prefixes."""
    return grown if len(grown) <= _PREFIXES_MAX else {(text, True) for text, _ in starts}


def _guard(pattern: re.Pattern[str]) -> tuple[str, ...] | None:
    """Lower-case ASCII strings one of which every match of ``pattern`` contains (the most selective
    such set found), or None when there is none to test."""
    try:
        parsed = re._parser.parse(pattern.pattern, pattern.flags)  # type: ignore[attr-defined]
        options = _guards_of_sequence(list(parsed))
    except (AttributeError, re.error):
        return None
    usable = [g for g in options if all(s.isascii() and s for s in g)]
    if not usable:
        return None
    return tuple(sorted(max(usable, key=_selectivity)))


def _selectivity(strings: frozenset[str]) -> int:
    """How rarely one of ``strings`` occurs in text, roughly: the shortest one's length, where
    punctuation counts for more than letters ("/" is rarer than "ap")."""
    return min(len(s) + 2 * sum(not c.isalnum() and c != " " for c in s) for s in strings)


def _guards_of_sequence(items: list[tuple[object, object]]) -> list[frozenset[str]]:
    """Sets of literals, each set such that every match of the sequence contains one of them."""
    constants = re._constants  # type: ignore[attr-defined]
    options: list[frozenset[str]] = []
    run: list[str] = []
    for op, value in [*items, (None, None)]:
        if op is constants.LITERAL:
            run.append(chr(value).lower())  # type: ignore[arg-type]
            continue
        if run:
            options.append(frozenset({"".join(run)}))
        run = []
        if op is constants.SUBPATTERN:
            options += _guards_of_sequence(list(value[-1]))  # type: ignore[index]
        elif op in (constants.MAX_REPEAT, constants.MIN_REPEAT) and value[0] >= 1:  # type: ignore[index]
            options += _guards_of_sequence(list(value[2]))  # type: ignore[index]
        elif op is constants.BRANCH:
            per_branch = [_guards_of_sequence(list(branch)) for branch in value[1]]  # type: ignore[index]
            if all(per_branch):
                best = [max(g, key=_selectivity) for g in per_branch]
                options.append(frozenset().union(*best))
    return options


#: The only non-ASCII characters that match an ASCII letter in a case-insensitive ``re`` pattern.
_ASCII_FOLD_CHARS = "\u0130\u0131\u017f\u212a"  # İ ı ſ and the Kelvin sign
_ASCII_FOLDS = str.maketrans(dict(zip(_ASCII_FOLD_CHARS, "iisk", strict=True)))


def _alternation(rules: Sequence[Rule], keep: Callable[[re.Pattern[str]], bool]) -> re.Pattern[str] | None:
    """One regex of the rules' patterns that pass ``keep``, each rule a named group ``r<index>``."""
    parts = []
    for i, rule in enumerate(rules):
        patterns = [f"(?:{p.pattern})" for p in rule.patterns if keep(p)]
        if patterns:
            parts.append(f"(?P<r{i}>{'|'.join(patterns)})")
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


class RuleMatcher:
    """All rules of a capture's profiles compiled into a bounded set of alternations.

    The first rule (in order) with a pattern matching the whole line wins. A line whose first
    character is ASCII is tried against the patterns that can start with that character (one
    alternation per character), then, for each of the strings some patterns need ("sign up",
    "all rights reserved") that it holds, against those patterns (one alternation per string).
    Other lines are tried against all patterns at once. Lines longer than SHORT_RULE_CHARS skip
    the patterns that can't match that many characters, and lines longer than any pattern can
    match are not tried.
    """

    def __init__(self, rules: Sequence[Rule]) -> None:
        self.rules = tuple(rules)
        patterns = [p for rule in self.rules for p in rule.patterns]
        widths = {id(p): _pattern_width(p) for p in patterns}
        self._long = {id(p): widths[id(p)] is None or widths[id(p)] > SHORT_RULE_CHARS for p in patterns}  # type: ignore[operator]
        self.pattern = _alternation(self.rules, lambda p: True)
        self.long_pattern = _alternation(self.rules, lambda p: self._long[id(p)])
        self._first = {id(p): _first_chars(p) for p in patterns}
        self._guard = {id(p): _guard(p) for p in patterns if self._first[id(p)] is None}
        self._guard_strings = tuple(sorted({s for g in self._guard.values() if g for s in g}))
        self._patterns = patterns
        self._prefixes = {id(p): _prefixes(p) if self._first[id(p)] is not None else None for p in patterns}
        self._heads: dict[tuple[str, bool], re.Pattern[str] | None] = {}
        self._by_prefix: dict[str, list[int]] = {}
        for k, p in enumerate(patterns):
            for prefix in self._prefixes[id(p)] or ():
                self._by_prefix.setdefault(prefix, []).append(k)
        self._unprefixed = [k for k, p in enumerate(patterns) if self._prefixes[id(p)] is None]
        self._prefix_heads: dict[tuple[str, bool], re.Pattern[str] | None] = {}
        self._alternations: dict[tuple[int, ...], re.Pattern[str] | None] = {}
        self._tails: dict[tuple[int, bool], re.Pattern[str] | None] = {}
        bounded = [w for w in widths.values() if w is not None]
        self.max_chars = max(bounded, default=0) if len(bounded) == len(widths) else None
        self._cache: dict[str, Rule | None] = {}

    def _guards_in(self, line: str) -> int:
        """Which guard strings ``line`` holds, as a bit mask over ``_guard_strings``."""
        if not line.isascii() and any(c in line for c in _ASCII_FOLD_CHARS):
            line = line.translate(_ASCII_FOLDS)
        low = line.lower()
        return sum(1 << k for k, s in enumerate(self._guard_strings) if s in low)

    def _page_guards(self, lines: Sequence[str]) -> list[int]:
        """``_guards_in`` of every line, searching each guard string once over the whole page."""
        masks = [0] * len(lines)
        page = "\n".join(lines)
        if not page.isascii() and any(c in page for c in _ASCII_FOLD_CHARS):
            page = page.translate(_ASCII_FOLDS)  # removes "İ", the one character lower() lengthens
        low = page.lower()
        starts = list(itertools.accumulate((len(line) + 1 for line in lines[:-1]), initial=0))
        for k, string in enumerate(self._guard_strings):
            at = low.find(string)
            while at != -1:
                i = bisect_right(starts, at) - 1
                masks[i] |= 1 << k
                at = low.find(string, starts[i + 1] if i + 1 < len(starts) else len(low))
        return masks

    def _head(self, key: str, long: bool) -> re.Pattern[str] | None:
        """The patterns a line whose first character is ``key`` (ASCII, lower-cased) can match
        without a guard: those that can start with ``key``, and those that can start with anything
        but need no guard strings, in rule order (at most two per ASCII character)."""
        if (key, long) not in self._heads:
            self._heads[(key, long)] = _alternation(self.rules, lambda p: self._in_head(p, key, long))
        return self._heads[(key, long)]

    def _guarded(self, string: int, long: bool) -> re.Pattern[str] | None:
        """The patterns that can start with anything but need guard string number ``string``, in
        rule order: tried only on lines holding that string (one alternation per string, not per
        combination of strings a line holds: those grew without bound on unseen pages)."""
        if (string, long) not in self._tails:
            needed = self._guard_strings[string]
            self._tails[(string, long)] = _alternation(
                self.rules,
                lambda p: needed in (self._guard.get(id(p)) or ()) and (self._long[id(p)] or not long),
            )
        return self._tails[(string, long)]

    def _prefix_head(self, key: str, long: bool) -> re.Pattern[str] | None:
        """``_head`` for a line whose first RULE_PREFIX_CHARS characters (ASCII, lower-cased) are
        ``key``: only the patterns whose matches can start so. Keys are remembered (at most
        RULE_CACHE_SIZE), and one alternation is compiled per set of patterns: a bounded number,
        as many as the patterns' prefixes tell apart."""
        head = self._prefix_heads.get((key, long), False)
        if head is False:
            if len(self._prefix_heads) > RULE_CACHE_SIZE:
                self._prefix_heads.clear()
            chosen = tuple(sorted(k for k in self._starting(key) if self._long[id(self._patterns[k])] or not long))
            if chosen not in self._alternations:
                picked = {id(self._patterns[k]) for k in chosen}
                self._alternations[chosen] = _alternation(self.rules, lambda p: id(p) in picked)
            head = self._prefix_heads[(key, long)] = self._alternations[chosen]
        return head

    def _starting(self, key: str) -> set[int]:
        """The patterns (indices) a line starting with ``key`` can match: those with a prefix of
        ``key`` among their prefixes, and those without prefixes that ``_in_head`` puts in the head
        of its first character."""
        found = {k for j in range(len(key) + 1) for k in self._by_prefix.get(key[:j], ())}
        found.update(k for k in self._unprefixed if self._in_head(self._patterns[k], key[0], False))
        return found

    def _in_head(self, p: re.Pattern[str], key: str, long: bool) -> bool:
        """Whether ``p`` can start with ``key``, or with anything but has no guard strings (and can
        match ``long`` lines, if the line is long)."""
        first = self._first[id(p)]
        could_start = self._guard.get(id(p), ()) is None if first is None else any(c.lower() == key for c in first)
        return could_start and (self._long[id(p)] or not long)

    def match(self, line: str, guards: int | None = None) -> Rule | None:
        """The first rule (site rules before generic ones) whose pattern matches the whole line
        (``guards``: the line's ``_guards_in``, if known)."""
        length = len(line)
        if self.max_chars is not None and length > self.max_chars:
            return None
        long = length > SHORT_RULE_CHARS
        first = line[:1]  # ASCII: dispatched on it, lower-cased
        if not first.isascii():
            found = self._first_rule(self.long_pattern if long else self.pattern, line)
            return None if found is None else self.rules[found]
        key = line[:RULE_PREFIX_CHARS]
        head = self._prefix_head(key.lower(), long) if key.isascii() else self._head(first.lower(), long)
        found = self._first_rule(head, line)
        if guards is None:
            guards = self._guards_in(line)
        string = 0
        while guards:
            if guards & 1 and (guarded := self._first_rule(self._guarded(string, long), line)) is not None:
                found = guarded if found is None else min(found, guarded)  # the earliest rule wins
            guards >>= 1
            string += 1
        return None if found is None else self.rules[found]

    def _first_rule(self, pattern: re.Pattern[str] | None, line: str) -> int | None:
        """The index of the first rule of ``pattern`` (an alternation) that matches the whole line."""
        found = pattern.fullmatch(line) if pattern is not None else None
        if found is None:
            return None
        if found.lastgroup:
            return int(found.lastgroup[1:])
        return self.rules.index(first_matching_rule(line, self.rules))  # type: ignore[arg-type]

    def compiled_alternations(self) -> int:
        """How many alternations have been compiled so far (bounded whatever the lines)."""
        return len(self._heads) + len(self._tails) + len(self._alternations)

    def forget_lines(self) -> None:
        """Empty the per-line result cache (benchmarks time pages as if seen for the first time)."""
        self._cache.clear()

    def match_lines(self, lines: Sequence[str]) -> list[Rule | None]:
        """``match`` for every line; short lines' results are remembered (chrome repeats across pages)."""
        cache = self._cache
        if len(cache) > RULE_CACHE_SIZE:
            cache.clear()
        found: list[Rule | None] = []
        guards = self._page_guards(lines) if self._guard_strings else [0] * len(lines)
        for line, guard in zip(lines, guards, strict=True):
            if line in cache:
                found.append(cache[line])
                continue
            rule = self.match(line, guard)
            if len(line) <= RULE_CACHE_MAX_CHARS:
                cache[line] = rule
            found.append(rule)
        return found


_MATCHERS: dict[tuple[int, int], tuple[Profile | None, Profile, RuleMatcher]] = {}


def rule_matcher(site: Profile | None, generic: Profile) -> RuleMatcher:
    """The compiled matcher for a site profile plus the generic one (built once per pair)."""
    key = (id(site), id(generic))
    cached = _MATCHERS.get(key)
    if cached is None or cached[0] is not site or cached[1] is not generic:
        cached = (site, generic, RuleMatcher((site.rules if site else ()) + generic.rules))
        _MATCHERS[key] = cached
    return cached[2]


def first_matching_rule(line: str, rules: Sequence[Rule]) -> Rule | None:
    """The first rule (site rules before generic ones) whose pattern matches the line."""
    for rule in rules:
        if rule.matches(line):
            return rule
    return None


def word_count(text: str, language: str | None) -> int:
    """Whitespace-separated words; for scripts written without spaces, about two characters a word."""
    return count_words(text.split(), language)


def count_words(words: Sequence[str], language: str | None) -> int:
    """``word_count`` of a text from its ``split()`` (callers that need the split anyway)."""
    if language in _CJK_LANGUAGES:
        return max(1, len("".join(words)) // 2)
    return len(words)


def line_features(text: str, language: str | None, stop: frozenset[str], repeated: bool) -> tuple[float, ...]:
    """The features of one line, in FEATURE_NAMES order."""
    return tuple(page_features([text], language, stop, [repeated])[0].tolist())


def _code_points(text: str) -> np.ndarray:
    """The code points of ``text`` as an array (lone surrogates included as they are)."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


#: Per-character predicates, one bit each in ``_char_bits``: what str.split, re's \w,
#: str.isdigit, str.isalpha, str.isupper and re's \d test, one character at a time.
_CHAR_PREDICATES: tuple[Callable[[str], bool], ...] = (
    str.isspace,
    lambda c: c.isalnum() or c == "_",
    str.isdigit,
    str.isalpha,
    str.isupper,
    str.isdecimal,
    lambda c: c.isalpha() and c.islower(),
)
_SPACE, _WORD_CHAR, _DIGIT, _ALPHA, _UPPER, _DECIMAL, _LOWER_LETTER = (1 << k for k in range(len(_CHAR_PREDICATES)))
#: Bits for the characters some features look for (all in the Basic Multilingual Plane).
_CHAR_SETS = (
    _CLOSERS,
    _SENTENCE_END_CHARS,
    ",;，、",  # commas
    "|•·»›/",  # menu separators
    "$€£¥",  # currencies
    _SPEECH_TAG_LAST,
    _BULLET_FIRST,
    _SPEECH_TAG_PENULT,
)
_CLOSER, _SENTENCE_END_CHAR, _COMMA, _SEPARATOR_CHAR, _CURRENCY, _SPEECH_LAST, _BULLET, _SPEECH_PENULT = (
    1 << k for k in range(len(_CHAR_PREDICATES), len(_CHAR_PREDICATES) + len(_CHAR_SETS))
)
_BMP = 0x10000


def _predicate_bits(c: str) -> int:
    return sum(1 << k for k, test in enumerate(_CHAR_PREDICATES) if test(c))


@cache
def _char_table() -> np.ndarray:
    """``_char_bits`` of every code point of the Basic Multilingual Plane (built once, on first use)."""
    every = [chr(c) for c in range(_BMP)]
    table = np.zeros(_BMP, dtype=np.uint16)
    for k, test in enumerate(_CHAR_PREDICATES):
        table |= np.fromiter(map(test, every), dtype=bool, count=_BMP).astype(np.uint16) << k
    for k, chars in enumerate(_CHAR_SETS, start=len(_CHAR_PREDICATES)):
        for c in chars:
            table[ord(c)] |= 1 << k
    return table


def _char_bits(chars: np.ndarray) -> np.ndarray:
    """The predicate and character-set bits of each code point (a table look-up; astral ones,
    which are in none of the sets, one by one)."""
    bits = _char_table()[np.minimum(chars, _BMP - 1)]
    if len(chars) and chars.max() >= _BMP:
        astral = np.flatnonzero(chars >= _BMP)
        bits[astral] = [_predicate_bits(chr(c)) for c in chars[astral].tolist()]
    return bits


def _log1p_table(size: int) -> np.ndarray:
    """``math.log1p(k)`` for k in 0..size-1 (math.log1p, so the values equal the per-line ones)."""
    global _LOG1P
    if len(_LOG1P) < size:
        _LOG1P = np.array([math.log1p(k) for k in range(max(size, 2 * len(_LOG1P)))])
    return _LOG1P


_LOG1P = np.zeros(0)


def page_features(
    texts: Sequence[str], language: str | None, stop: frozenset[str], repeated: Sequence[bool]
) -> np.ndarray:
    """The features of every line: one row per line, FEATURE_NAMES columns."""
    return _page_features(texts, language, stop, repeated)[0]


def _page_features(
    texts: Sequence[str], language: str | None, stop: frozenset[str], repeated: Sequence[bool]
) -> tuple[np.ndarray, np.ndarray]:
    """The features of every line (one row per line, FEATURE_NAMES columns) and its word count.

    Word and token counts come from two regex passes over the whole page (lines joined by "\n");
    the rarer features (dates, separators, URLs, tables, prices, comment headers) are tested only
    on the lines that hold one of the characters they need.
    """
    n = len(texts)
    if n == 0:
        return np.zeros((0, len(FEATURE_NAMES))), np.zeros(0, dtype=np.int64)
    if not all(texts):
        raise ValueError("line features need non-empty lines")
    page = "\n".join(texts)
    cjk = language in _CJK_LANGUAGES

    chars = _code_points(page)
    line_of = np.cumsum(chars == 10)  # the line each character is on (a line break: the next one)
    bits = _char_bits(chars)
    # Per-line shape from the characters: where each line starts and ends, its first, second and
    # last characters, and which lines hold the characters the rarer features need.
    breaks = np.flatnonzero(chars == 10)
    line_start = np.concatenate(([0], breaks + 1))
    line_last = np.concatenate((breaks, [len(chars)])) - 1
    space = (bits & _SPACE).astype(bool)
    initial = ~space
    initial[1:] &= space[:-1]  # the first character of each whitespace-separated word
    word_line = line_of[initial]
    if cjk:
        words = np.maximum(1, np.bincount(line_of[~space], minlength=n)[:n] // 2)
    else:
        words = np.bincount(word_line, minlength=n)[:n]

    lowered = page.lower()
    low_chars = _code_points(lowered)
    # lower() maps no character to one of another \w-ness or digit-ness (checked on every code
    # point), so when it lengthens none, the bits those tests read are the page's own.
    low_bits = bits if len(lowered) == len(page) else _char_bits(low_chars)
    word_char = (low_bits & _WORD_CHAR).astype(bool)
    token_start = word_char.copy()
    token_start[1:] &= ~word_char[:-1]
    # lower() never shortens a character, so the same length means the same positions
    token_line = (line_of if len(lowered) == len(page) else np.cumsum(low_chars == 10))[token_start]
    n_tokens = np.maximum(np.bincount(token_line, minlength=n)[:n], 1)
    # A token is numeric when none of its characters is a non-digit (str.isdigit).
    token_of = np.cumsum(token_start) - 1
    not_digit = token_of[word_char & ~(low_bits & _DIGIT).astype(bool)]
    numeric = np.ones(len(token_line), dtype=bool)
    numeric[not_digit] = False
    numeric_share = np.bincount(token_line, weights=numeric, minlength=n)[:n] / n_tokens
    if cjk:
        stop_share = np.full(n, 0.3)
        title_share = np.zeros(n)
        all_caps = np.zeros(n)
    else:
        stops = _stop_tokens(lowered, low_chars, word_char, token_start, stop)
        stop_share = np.bincount(token_line, weights=stops, minlength=n)[:n] / n_tokens
        first_bits = bits[initial]
        alpha = (first_bits & _ALPHA).astype(bool)
        upper = alpha & (first_bits & _UPPER).astype(bool)
        n_alpha = np.bincount(word_line, weights=alpha, minlength=n)[:n]
        n_upper = np.bincount(word_line, weights=upper, minlength=n)[:n]
        title_share = np.divide(n_upper, n_alpha, out=np.zeros(n), where=n_alpha > 0)
        all_caps = _all_caps(texts, bits, line_of, line_start, line_last)

    last = chars[line_last]
    second = chars[np.minimum(line_start + 1, len(chars) - 1)]
    second = np.where(line_last > line_start, second, 0)

    def lines_marked(flags: np.ndarray) -> list[int]:
        marked = np.zeros(n, dtype=bool)  # not np.unique: no sort, lines are few
        marked[line_of[flags]] = True
        return np.flatnonzero(marked).tolist()

    def confirmed(candidates: list[int], pattern: re.Pattern[str]) -> np.ndarray:
        """1.0 on the candidate lines ``pattern`` finds something in (the cheap filter's hits checked)."""
        found = np.zeros(n)
        for i in candidates:
            if pattern.search(texts[i]):
                found[i] = 1.0
        return found

    # A sentence ends at the last character that is no closing quote or bracket.
    skip = (bits & _CLOSER).astype(bool) | (chars == 10)
    last_kept = np.maximum.reduceat(np.where(skip, -1, np.arange(len(chars))), line_start)
    ends = (last_kept >= line_start) & (bits[np.maximum(last_kept, 0)] & _SENTENCE_END_CHAR).astype(bool)
    ends &= ~_cut_short(chars, last_kept, line_start)
    commas = np.bincount(line_of[(bits & _COMMA).astype(bool)], minlength=n)[:n]
    decimal = (bits & _DECIMAL).astype(bool)
    dated = np.zeros(n, dtype=bool)
    dated[line_of[decimal]] = True
    dated &= words <= 12
    dateish = confirmed(np.flatnonzero(dated).tolist(), _DATEISH)
    separators = confirmed(lines_marked((bits & _SEPARATOR_CHAR).astype(bool)), _SEPARATORS)
    url = confirmed(lines_marked((chars == 47) | (chars == 64)), _URL_OR_EMAIL)  # "/" or "@"
    table = np.zeros(n)
    double_space = np.zeros(len(chars), dtype=bool)
    double_space[:-1] = (chars[:-1] == 32) & (chars[1:] == 32)
    for i in lines_marked(double_space | (chars == 9)):
        if len(_TABLE_CELLS.findall(texts[i])) >= 2:
            table[i] = 1.0
    price = confirmed(lines_marked((bits & _CURRENCY).astype(bool)), _PRICE)
    speech = np.zeros(n)
    speech_last = (bits[line_last] & (_SPEECH_LAST | _SPACE)).astype(bool)
    # A header that ends in its word has one of its words' last two letters there.
    penult = np.where(line_last > line_start, bits[np.maximum(line_last - 1, 0)], 0)
    speech_last &= (last == 58) | (bits[line_last] & _SPACE).astype(bool) | (penult & _SPEECH_PENULT).astype(bool)
    for i in np.flatnonzero(speech_last).tolist():
        if _may_end_in_speech_tag(texts[i]) and _SPEECH_TAG.search(texts[i][-40:]):
            speech[i] = 1.0
    bullet = np.zeros(n)
    bullet_like = (bits[line_start] & (_BULLET | _DECIMAL)).astype(bool)
    for i in np.flatnonzero(bullet_like | (second == 41)).tolist():  # ")": "a) item"
        if _BULLET_LINE.match(texts[i]):
            bullet[i] = 1.0
    columns = (
        np.ones(n),
        _log1p_table(int(words.max()) + 1)[words],
        ends.astype(np.float64),
        (last == 58).astype(np.float64),  # ":"
        stop_share,
        title_share,
        np.minimum(1.0, commas / np.maximum(words, 1)),
        np.array(repeated, dtype=np.float64),
        dateish,
        numeric_share,
        bullet,
        all_caps,
        separators,
        (bits[line_start] & _LOWER_LETTER).astype(bool).astype(np.float64),
        (words <= 3).astype(np.float64),
        ((words >= 8) & ~ends).astype(np.float64),
        url,
        table,
        price,
        speech,
        np.zeros(n),  # repeated_field: a page-level feature, set by ``analyse_page``
    )
    return np.stack(columns, axis=1), words


_ELLIPSIS, _DOT = ord("…"), ord(".")


def _cut_short(chars: np.ndarray, last_kept: np.ndarray, line_start: np.ndarray) -> np.ndarray:
    """For each line, whether it ends in an ellipsis ("…" or "...") right after a word: a teaser's
    text cut short ("Many people dream of becoming entrepreneurs, and the biggest..."), no sentence."""
    at = np.maximum(last_kept, 0)
    before = np.maximum(at - 1, 0)
    dots = (chars[at] == _DOT) & (chars[before] == _DOT) & (chars[np.maximum(at - 2, 0)] == _DOT)
    word_end = np.where(chars[at] == _ELLIPSIS, before, np.maximum(at - 3, 0))
    cut = ((chars[at] == _ELLIPSIS) | dots) & (last_kept - line_start >= 3)
    return cut & (chars[word_end] != 32) & (chars[word_end] != _DOT)


#: All-caps is tested on a line's first ALL_CAPS_CHARS characters.
ALL_CAPS_CHARS = 80


def _all_caps(
    texts: Sequence[str], bits: np.ndarray, line_of: np.ndarray, line_start: np.ndarray, line_last: np.ndarray
) -> np.ndarray:
    """1.0 for each line of four characters or more whose first ALL_CAPS_CHARS are ``isupper()``.

    A lower-case letter among them rules a line out (``isupper`` needs every cased character upper
    case): only the other lines are tested one by one.
    """
    n = len(texts)
    place = np.arange(len(bits)) - line_start[line_of]  # each character's place in its line
    lower_early = (bits & _LOWER_LETTER).astype(bool) & (place < ALL_CAPS_CHARS)
    candidate = line_last - line_start >= 3
    candidate[line_of[lower_early]] = False
    found = np.zeros(n)
    for i in np.flatnonzero(candidate).tolist():
        if texts[i][:ALL_CAPS_CHARS].isupper():
            found[i] = 1.0
    return found


#: The words a comment header ends with (``_SPEECH_TAG``), lower-cased.
_SPEECH_WORDS = ("said", "says", "wrote", "writes", "replied", "commented", "reply")


def _may_end_in_speech_tag(text: str) -> bool:
    """False when ``_SPEECH_TAG`` can't match the end of ``text`` (a cheap test before the regex):
    its last 40 characters, less a trailing ":" and spaces, end in none of its words (as ``re``
    folds case, "ſ" being an "s")."""
    tail = text[-40:].rstrip(":").rstrip()[-9:]
    if not tail.isascii():
        tail = tail.translate(_ASCII_FOLDS)
    return tail.lower().endswith(_SPEECH_WORDS)


@dataclass(frozen=True, slots=True)
class _StopIndex:
    """A stop list packed into integers, to look up all of a page's tokens at once with numpy.

    A word of at most ``width`` characters, all of them characters of stop words, is the integer
    whose ``bits``-wide digits are its characters' places (``places``, from 1; first character
    lowest): two words have the same key only if they are the same word. Longer stop words are
    looked up as strings.
    """

    places: np.ndarray  # code point -> its place among the stop words' characters, 0 for none
    bits: int
    width: int
    table: np.ndarray  # the keys of the stop words of up to ``width`` characters (``_key_table``)
    longer: frozenset[str]  # the stop words of more characters
    max_length: int


@cache
def _stop_index(stop: frozenset[str]) -> _StopIndex:
    """The packed form of a stop list (built once per list). Words that are no single ``\\w+``
    token can never equal a token and are left out."""
    words = [w for w in stop if _WORD.fullmatch(w)]
    alphabet = sorted({ord(c) for w in words for c in w})
    bits = max(1, len(alphabet).bit_length())
    width = 64 // bits
    places = np.zeros(max(alphabet, default=0) + 2, dtype=np.uint64)  # the last entry: beyond them all
    places[alphabet] = np.arange(1, len(alphabet) + 1)
    keys = [sum(int(places[ord(c)]) << (bits * i) for i, c in enumerate(w)) for w in words if len(w) <= width]
    longer = frozenset(w for w in words if len(w) > width)
    return _StopIndex(places, bits, width, _key_table(keys), longer, max(map(len, words), default=0))


def _key_table(keys: Sequence[int]) -> np.ndarray:
    """A hash table of non-zero keys, one row per level: column ``key % columns`` (two columns a
    key) holds the keys with that remainder, one per level, the rest 0."""
    columns = max(1, 2 * len(keys))
    buckets: list[list[int]] = [[] for _ in range(columns)]
    for key in keys:
        buckets[key % columns].append(key)
    table = np.zeros((max(map(len, buckets)), columns), dtype=np.uint64)
    for column, bucket in enumerate(buckets):
        table[: len(bucket), column] = bucket
    return table


def _segment_sums(values: np.ndarray, first: np.ndarray) -> np.ndarray:
    """``np.add.reduceat(values, first)`` for increasing ``first`` (unsigned values may wrap around
    in between: each segment's own sum is exact when it fits)."""
    sums = np.zeros(len(values) + 1, dtype=values.dtype)
    np.cumsum(values, out=sums[1:])
    return sums[np.append(first[1:], len(values))] - sums[first]


def _stop_tokens(
    lowered: str, chars: np.ndarray, word_char: np.ndarray, token_start: np.ndarray, stop: frozenset[str]
) -> np.ndarray:
    """1.0 for each ``\\w+`` token of ``lowered`` (code points ``chars``; ``word_char`` and
    ``token_start`` mark its tokens' characters and first characters) that is in ``stop``."""
    index = _stop_index(stop)
    in_token = np.flatnonzero(word_char)
    starts = np.flatnonzero(token_start)
    found = np.zeros(len(starts))
    if not len(starts) or not index.table.size:
        return found
    first = np.flatnonzero(token_start[in_token])  # where each token's characters begin in ``in_token``
    lengths = np.diff(np.append(first, len(in_token)))
    offset = in_token - np.repeat(starts, lengths)
    place = index.places[np.minimum(chars[in_token], len(index.places) - 1)]
    digits = np.where(offset < index.width, place << (offset.astype(np.uint64) * index.bits), 0)
    keys = _segment_sums(digits, first)
    known = _segment_sums((place == 0).astype(np.int64), first) == 0
    column = keys % np.uint64(index.table.shape[1])
    listed = index.table[0][column] == keys
    for level in index.table[1:]:
        listed |= level[column] == keys
    found[known & (lengths <= index.width) & listed] = 1.0
    for k in np.flatnonzero((lengths > index.width) & (lengths <= index.max_length)).tolist():
        found[k] = lowered[starts[k] : starts[k] + lengths[k]] in index.longer
    return found


def _dot_rows(weights: Sequence[float], matrix: np.ndarray) -> np.ndarray:
    """Each row's dot product with ``weights``, summed column by column in order, so the value is
    exactly the one ``sum(w * f for w, f in zip(weights, row))`` gives (an accumulation adds in
    order; ``sum`` and ``@`` may not)."""
    if not len(matrix):
        return np.zeros(0)
    return np.cumsum(matrix * np.asarray(weights), axis=1)[:, -1]


def _language_sample(lines: Sequence[Line], rules: Sequence[Rule | None]) -> str:
    """The page's longest unruled lines, enough of them to name its language."""
    longest = sorted((line.text for line, rule in zip(lines, rules, strict=True) if rule is None), key=len)
    sample: list[str] = []
    size = 0
    for text in reversed(longest):
        sample.append(text)
        size += len(text)
        if size > 3000:
            break
    return "\n".join(sample)


@dataclass(slots=True)
class PassCache:
    """What one pass over a capture learnt that the next (over its kept paragraphs) can reuse: the
    language named for a sample of lines and each line's profile rule. (Feature rows are taken
    from the pass that kept the paragraphs, ``_settle_page``.)"""

    languages: dict[str, str | None] = field(default_factory=dict)
    #: Each line's profile rule, per matcher (by id; the matchers live in ``_MATCHERS``).
    rules: dict[int, dict[str, Rule | None]] = field(default_factory=dict)


def _match_rules(matcher: RuleMatcher, texts: list[str], cache: PassCache | None) -> list[Rule | None]:
    """Each line's profile rule; with ``cache``, each distinct line is matched once per capture."""
    if cache is None:
        return matcher.match_lines(texts)
    known = cache.rules.setdefault(id(matcher), {})
    missing = [t for t in dict.fromkeys(texts) if t not in known]
    if missing:
        known.update(zip(missing, matcher.match_lines(missing), strict=True))
    return [known[t] for t in texts]


_REPEATED = FEATURE_NAMES.index("repeated")
_REPEATED_FIELD = FEATURE_NAMES.index("repeated_field")


def analyse_page(text: str, profiles: ProfileSet, host: str | None = None, cache: PassCache | None = None) -> Page:
    """Split a capture into logical lines, apply the profile rules and compute each line's features
    (``cache``: what an earlier pass over the same capture computed)."""
    lines = split_lines(text)
    if " " * 8 in text:  # only a run of spaces as wide as COLUMN_GAP can split a line
        lines = split_columns(lines)
    site = profiles.for_capture(host, [line.text for line in lines])
    matcher = rule_matcher(site, profiles.generic)
    rules = _match_rules(matcher, [line.text for line in lines], cache)
    sample = _language_sample(lines, rules)
    language = detect_language(sample) if cache is None else _cached_language(sample, cache)
    stop = stopwords(language) if language else frozenset()
    units = join_wrapped(lines, rules, stop)
    texts = [unit.text for unit in units]
    repeated = repeated_lines(texts)
    features, words = _page_features(texts, language, stop, repeated)
    features[:, _REPEATED_FIELD] = repeated_fields(texts)
    return Page(tuple(units), features, tuple(np.maximum(words, 1).tolist()), language, site)


#: A field line: "Key: value", a key of at most FIELD_MAX_KEY_WORDS words (no digit first).
_FIELD = re.compile(r"([^\W\d][^:]{0,39}):\s+\S")
FIELD_MAX_KEY_WORDS = 4
#: ...and a record's field is short: a longer line is a labelled sentence ("Key takeaway: …" in teasers).
FIELD_MAX_WORDS = 12
#: A field is a repeated one when its key occurs this often on the page, with as many values.
FIELD_MIN_REPEATS = 3


def repeated_fields(texts: Sequence[str]) -> np.ndarray:
    """1.0 on the field lines ("Location: Atlanta, Georgia", "License: CC-BY") whose key occurs
    FIELD_MIN_REPEATS+ times on the page with as many different values: the records of a listing,
    a product list or spec sheets, which menus are not made of."""
    found = np.zeros(len(texts))
    fields: dict[str, list[int]] = {}
    values: dict[str, set[str]] = {}
    for i, text in enumerate(texts):
        if ":" not in text or text.count(" ") >= FIELD_MAX_WORDS:
            continue
        match = _FIELD.match(text)
        if match is None or len(match.group(1).split()) > FIELD_MAX_KEY_WORDS:
            continue
        key = match.group(1).casefold()
        fields.setdefault(key, []).append(i)
        values.setdefault(key, set()).add(text[match.end(1) :].strip().casefold())
    for key, lines in fields.items():
        if len(lines) >= FIELD_MIN_REPEATS and len(values[key]) >= FIELD_MIN_REPEATS:
            found[lines] = 1.0
    return found


def _cached_language(sample: str, cache: PassCache) -> str | None:
    """``detect_language`` of a sample, named once per capture."""
    if sample not in cache.languages:
        cache.languages[sample] = detect_language(sample)
    return cache.languages[sample]


def repeated_among(texts: Sequence[str], maybe: Sequence[bool]) -> list[bool]:
    """``repeated_lines(texts)``, given ``maybe``: True at least on every repeated line (a line is
    repeated among some lines of a page only if it is on the page), so only those are compared."""
    flags = iter(repeated_lines([t for t, m in zip(texts, maybe, strict=True) if m]))
    return [m and next(flags) for m in maybe]


def repeated_lines(texts: Sequence[str]) -> list[bool]:
    """For each line, whether another line of the page is the same but for case (``casefold``).

    Case folding is per character (no context, unlike ``lower``), and no line holds a line
    break, so the page is folded in one call and split again.
    """
    if not texts:
        return []
    folded = "\n".join(texts).casefold().split("\n")
    counts = Counter(folded)
    return [counts[f] > 1 for f in folded]


def best_block(scores: Sequence[float | None], boundaries: Sequence[bool]) -> tuple[int, int] | None:
    """Indices [start, end] of the maximum-sum run of scores.

    ``None`` scores are transparent (skipped without cost); a boundary can't be inside a run.
    """
    if len(scores) != len(boundaries):
        raise ValueError("best_block needs one boundary flag per score")
    cuts = set(itertools.compress(range(len(boundaries)), boundaries))
    values = [None if i in cuts else score for i, score in enumerate(scores)] if cuts else scores
    best_sum, best_start, best_end = 0.0, -1, -1
    run_sum, run_start = 0.0, -1  # a run that is not positive starts again at the next score
    for i, score in enumerate(values):
        if score is None:
            if i in cuts:
                run_sum = 0.0
            continue
        if run_sum <= 0:
            run_sum, run_start = score, i
        else:
            run_sum += score
        if run_sum > best_sum:
            best_sum, best_start, best_end = run_sum, run_start, i
    return (best_start, best_end) if best_end >= 0 else None


def _block_values(page: Page, log_odds: np.ndarray) -> np.ndarray:
    """What each unit adds to a block (before rules): its shifted log-odds times its weight."""
    return (log_odds + BLOCK_SHIFT) * page.block_weights


def _block_cost(rule: Rule | None) -> float | None:
    """What a ruled line costs the block search: ``aside`` and ``drop`` lines a penalty, other
    rules' lines (and ``inline`` drop rules', chrome set inside articles) nothing."""
    return None if rule is None or rule.inline else _RULED_COST.get(rule.action)


def _block_of(page: Page, log_odds: np.ndarray, thread_start: int | None = None) -> tuple[int, int] | None:
    """The best block of a page under per-line log-odds (rules: a boundary, a penalty, or nothing:
    bylines and ``inline`` drop rules; the rows of a table cost nothing, so a long standings table
    does not split the article around it).

    From ``thread_start`` on (a comment thread or dated teaser list), positive scores count for
    THREAD_DISCOUNT of their value and the block can't run across its start.
    """
    values = _block_values(page, log_odds)
    if thread_start is not None:
        tail = values[thread_start:]
        values[thread_start:] = np.where(tail > 0, tail * THREAD_DISCOUNT, tail)
    scores: list[float | None] = values.tolist()
    boundaries = [False] * len(scores)
    sections = [(page.sections[0], page.sections[1] + 1)] if page.sections is not None else []
    for start, stop in [*page.tables, *sections]:
        scores[start:stop] = [max(0.0, score) for score in scores[start:stop]]
    for i, action in page.ruled:
        boundaries[i] = action in ("end", "credit")
        cost = _block_cost(page.units[i].rule)
        scores[i] = None if cost is None else -cost
    if thread_start is not None and thread_start < len(boundaries):
        boundaries[thread_start] = True
    return best_block(scores, boundaries)


def thread_start(page: Page, after: int) -> int | None:
    """Where a run of dated short lines begins after unit ``after``: comment headers ("Jane on
    May 2, 2024 at 4:47 pm said:", "2 days ago") or a dated teaser list, not article text. A run
    found after ``after`` starts at the first header of its chain (headers THREAD_MAX_GAP lines or
    less apart), which may be before ``after``: a thread whose comments quote the article can hold
    the best block."""
    candidates = np.flatnonzero(page.features[:, _FEATURE_INDEX["dateish"]] > 0).tolist()
    first = bisect.bisect_right(candidates, after)
    dated = [i for i in candidates[first:] if _is_comment_header(page, i)]
    for k in range(len(dated) - THREAD_MIN_HEADERS + 1):
        run = dated[k : k + THREAD_MIN_HEADERS]
        if all(b - a <= THREAD_MAX_GAP for a, b in itertools.pairwise(run)):
            return _chain_start(page, candidates[:first] + dated[:k], dated[k])
    return None


def _is_comment_header(page: Page, i: int) -> bool:
    """Whether dated unit ``i`` can head a comment: unruled, no quote's attribution ("— Jane Doe
    (@jane) May 2, 2024"), a time of posting in it."""
    text = page.units[i].text
    return (
        page.units[i].rule is None
        and not text.startswith(_QUOTE_ATTRIBUTION)
        and _TIME_OF_POST.search(text) is not None
    )


def _chain_start(page: Page, earlier: list[int], start: int) -> int:
    """The first header of the chain ending at header ``start``, going back over the dated units
    ``earlier`` while the headers are THREAD_MAX_GAP lines or less apart."""
    for i in reversed(earlier):
        if start - i > THREAD_MAX_GAP:
            break
        if _is_comment_header(page, i):
            start = i
    return start


_NEIGHBOUR_INDEX = tuple(FEATURE_NAMES.index(name) for name in NEIGHBOUR_FEATURES)


#: The windows of unruled lines' mean log-odds among the context features, as [lo, hi) offsets from
#: the line: window_1, window_3, window_8, before_3, after_3, and the 8-line ones of sandwich_8.
_WINDOWS = np.array([(-1, 2), (-3, 4), (-8, 9), (-3, 0), (1, 4), (-8, 0), (1, 9)])
_WINDOW_PAD = 9
_CONTEXT_COLUMN = {name: i for i, name in enumerate(CONTEXT_FEATURE_NAMES)}
#: ``context_features`` fills runs of columns at once: the windows, and each neighbour's features.
_CONTEXT_RUNS = (
    ("window_1", "window_3", "window_8", "before_3", "after_3"),
    tuple(f"prev_{name}" for name in NEIGHBOUR_FEATURES),
    tuple(f"next_{name}" for name in NEIGHBOUR_FEATURES),
)
if any(
    CONTEXT_FEATURE_NAMES[_CONTEXT_COLUMN[run[0]] : _CONTEXT_COLUMN[run[0]] + len(run)] != run for run in _CONTEXT_RUNS
):
    raise ValueError(f"CONTEXT_FEATURE_NAMES must hold each of {_CONTEXT_RUNS} in a row")


def _window_means(valid: np.ndarray, valued: np.ndarray) -> np.ndarray:
    """For each of _WINDOWS (rows) and each line (columns): the mean of ``valued`` over the unruled
    (``valid``) lines in the window, 0 where it holds none."""
    n = len(valid)
    # Prefix sums padded with their first and last values: padded[_WINDOW_PAD + k] is the sum up to
    # min(max(k, 0), n), so every window's bounds are a plain gather.
    sums = np.zeros(n + 1 + 2 * _WINDOW_PAD)
    np.cumsum(valued, out=sums[_WINDOW_PAD + 1 : _WINDOW_PAD + 1 + n])  # sequential, as a running total
    sums[_WINDOW_PAD + 1 + n :] = sums[_WINDOW_PAD + n]
    counts = np.zeros(n + 1 + 2 * _WINDOW_PAD, dtype=np.int64)
    np.cumsum(valid, out=counts[_WINDOW_PAD + 1 : _WINDOW_PAD + 1 + n])
    counts[_WINDOW_PAD + 1 + n :] = counts[_WINDOW_PAD + n]
    at = np.arange(_WINDOW_PAD, _WINDOW_PAD + n)
    lo, hi = at + _WINDOWS[:, :1], at + _WINDOWS[:, 1:]
    count = counts[hi] - counts[lo]
    return np.divide(sums[hi] - sums[lo], count, out=np.zeros(count.shape), where=count > 0)


def context_features(page: Page, local: np.ndarray) -> np.ndarray:
    """Each line's context features (one row per line, CONTEXT_FEATURE_NAMES columns) from the
    line model's scores ``local``."""
    n = len(page.units)
    rows = np.zeros((n, len(CONTEXT_FEATURE_NAMES)))
    if not n:
        return rows
    valid = page.unruled
    block = _block_of(page, local)
    start, end = block if block else (n, n)
    valued = np.where(valid, local, 0.0)
    means = _window_means(valid, valued)
    column = _CONTEXT_COLUMN
    rows[:, column["bias"]] = 1.0
    rows[:, column["local"]] = valued
    rows[:, column["window_1"] : column["after_3"] + 1] = means[:5].T
    rows[:, column["sandwich_3"]] = np.minimum(means[3], means[4])
    rows[:, column["sandwich_8"]] = np.minimum(means[5], means[6])
    rows[start : end + 1, column["in_block"]] = 1.0
    index = np.arange(n)
    rows[:, column["log_block_distance"]] = _log1p_table(n + 1)[np.maximum(np.maximum(start - index, index - end), 0)]
    rows[:start, column["before_block"]] = 1.0
    rows[end + 1 :, column["after_block"]] = 1.0
    words = np.array(page.words, dtype=np.int64)
    before = np.zeros(n, dtype=np.int64)
    np.cumsum(words[:-1], out=before[1:])
    rows[:, column["word_position"]] = before / int(words.sum())
    cues = [i for i, action in page.ruled if action in ("end", "credit") and i > start]
    if cues:
        rows[cues[0] :, column["after_end_cue"]] = 1.0
    rows[1:, column["prev_ruled"]] = ~valid[:-1]
    rows[:-1, column["next_ruled"]] = ~valid[1:]
    neighbours = page.features[:, list(_NEIGHBOUR_INDEX)]
    prev, nxt = column[f"prev_{NEIGHBOUR_FEATURES[0]}"], column[f"next_{NEIGHBOUR_FEATURES[0]}"]
    rows[1:, prev : prev + len(NEIGHBOUR_FEATURES)] = neighbours[:-1]
    rows[:-1, nxt : nxt + len(NEIGHBOUR_FEATURES)] = neighbours[1:]
    return rows


def score_page(page: Page) -> np.ndarray:
    """Each line's final log-odds of being article text (line model, then context model)."""
    local = _dot_rows(LINE_WEIGHTS, page.features)
    return _dot_rows(CONTEXT_WEIGHTS, context_features(page, local))


def aside_items(page: Page) -> set[int]:
    """Units listed under an ``aside`` heading ("Related", "Read more"): the headlines that follow
    it, up to the first line that ends a sentence (the article going on), at most ASIDE_MAX_ITEMS."""
    items: set[int] = set()
    ends_sentence = _FEATURE_INDEX["ends_sentence"]
    for i, action in page.ruled:
        if action != "aside":
            continue
        for j in range(i + 1, min(len(page.units), i + 1 + ASIDE_MAX_ITEMS)):
            if page.units[j].rule is not None:
                if page.units[j].rule.action != "drop":
                    break
                continue
            if page.features[j][ends_sentence]:
                break
            items.add(j)
    return items


def listed_items(page: Page, keep: np.ndarray) -> list[int]:
    """Units listed under a kept list intro (a line of LIST_INTRO_MIN_WORDS+ words ending in ":",
    "Key topics discussed in the guide include:"): the unkept ones of the lines right after it that
    end no sentence and are not repeated on the page, up to the first ruled line, line ending a
    sentence, other intro or short link-like line ("Contact Us": two or three words, all
    capitalised, where a footer starts), at most LIST_MAX_ITEMS. Without markup a list looks like
    a menu; its intro says it is the article's."""
    features = page.features
    colon = features[:, _FEATURE_INDEX["ends_colon"]]
    ends = features[:, _FEATURE_INDEX["ends_sentence"]]
    repeated = features[:, _FEATURE_INDEX["repeated"]]
    title_case = features[:, _FEATURE_INDEX["title_share"]] >= 1.0
    link_like = title_case & (features[:, _FEATURE_INDEX["short"]] > 0) & (np.asarray(page.words) >= 2)
    valid = page.unruled
    n = len(page.units)
    items: list[int] = []
    for i in np.flatnonzero(keep & (colon > 0)).tolist():
        if page.words[i] < LIST_INTRO_MIN_WORDS:
            continue
        for j in range(i + 1, min(n, i + 1 + LIST_MAX_ITEMS)):
            if not valid[j] or ends[j] or colon[j] or repeated[j] or link_like[j]:
                break
            if not keep[j]:
                items.append(j)
    return items


#: A contents list names at least this many of the sections that follow it.
CONTENTS_MIN_ENTRIES = 4
#: ...each entry a short line (a heading), at most this many words.
CONTENTS_MAX_WORDS = 12
#: ...with a paragraph of at least this many words between each heading and the next.
SECTION_MIN_WORDS = 15
#: What a heading's number or marker may start with, stripped before a contents entry and the heading
#: itself are compared ("#2. Leaseweb", "2. Leaseweb").
_HEADING_MARKS = "#*•·▪–—-0123456789.) \t"


def section_span(page: Page) -> tuple[int, int] | None:
    """[first, last] of the section headings a contents list names: a run of CONTENTS_MIN_ENTRIES+
    consecutive short lines each met once again later (a button's label recurs more often), in the
    same order, with a paragraph (a line of SECTION_MIN_WORDS+ words) between each heading and the
    next (a menu repeated in a sidebar or footer comes with other links between its items, not
    prose). Between the headings is the article, however much of it is lists, tables or code, so
    the block search may cross it at no cost."""
    marks = _HEADING_MARKS
    keys = [
        u.text.lstrip(marks).rstrip(" :.").casefold() if w <= CONTENTS_MAX_WORDS else ""
        for u, w in zip(page.units, page.words, strict=True)
    ]
    seen: dict[str, list[int]] = {}
    for i, key in enumerate(keys):
        if key:
            seen.setdefault(key, []).append(i)
    firsts = sorted(at[0] for at in seen.values() if len(at) == 2)
    if len(firsts) < CONTENTS_MIN_ENTRIES:
        return None
    prose: list[int] = []
    best: tuple[int, int] | None = None
    for run in _runs(firsts):
        pos = 0
        while len(run) - pos >= CONTENTS_MIN_ENTRIES:  # an entry that breaks the order starts a new try after it
            prose = prose or np.cumsum([w >= SECTION_MIN_WORDS for w in page.words]).tolist()
            later: list[int] = []
            for i in run[pos:]:
                after = seen[keys[i]][1]
                if after <= i + 1 or (later and prose[after] <= prose[later[-1]]):
                    break
                later.append(after)
            found = len(later) >= CONTENTS_MIN_ENTRIES and later[0] >= run[pos] + len(later)
            if found and (best is None or later[-1] - later[0] > best[1] - best[0]):
                best = (later[0], later[-1])
            pos += len(later) + 1
    return best


def _runs(indices: list[int]) -> list[list[int]]:
    """Sorted indices split into runs of consecutive ones."""
    runs: list[list[int]] = []
    for i in indices:
        if runs and i == runs[-1][-1] + 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    return runs


def table_runs(page: Page) -> list[tuple[int, int]]:
    """[start, stop) of each table on the page: TABLE_MIN_ROWS+ consecutive unruled table rows
    (``table_row``: two or more cell gaps), none repeated elsewhere on the page, with digits in
    half the rows at least."""
    features = page.features
    rows = features[:, _FEATURE_INDEX["table_row"]] > 0
    if rows.sum() < TABLE_MIN_ROWS:
        return []
    rows &= page.unruled & ~(features[:, _FEATURE_INDEX["repeated"]] > 0)
    edges = np.flatnonzero(np.diff(np.concatenate(([0], rows.astype(np.int8), [0])))).tolist()
    numeric = features[:, _FEATURE_INDEX["numeric_share"]] > 0
    return [
        (start, stop)
        for start, stop in zip(edges[::2], edges[1::2], strict=True)
        if stop - start >= TABLE_MIN_ROWS and 2 * numeric[start:stop].sum() >= stop - start
    ]


def table_rows(page: Page, keep: np.ndarray) -> list[int]:
    """Unkept rows of the tables next to kept text: runs of TABLE_MIN_ROWS+ consecutive table rows
    (``table_row``: two or more cell gaps), none repeated elsewhere on the page, ending or starting
    within TABLE_MAX_GAP lines of a kept line, with digits in half the rows at least, and not after
    an article's end (an ``end`` or ``credit`` line after the kept text). A standings or data table
    scores like a menu line by line (short cells, digits, no sentence); a footer copied as columns
    ("News  Sport  Weather") has the cells but not the figures."""
    n = len(page.units)
    items: list[int] = []
    ends = [i for i, action in page.ruled if action in ("end", "credit")]
    for start, stop in page.tables:
        if keep[start:stop].all():
            continue
        window = max(0, start - TABLE_MAX_GAP)
        kept_before = np.flatnonzero(keep[window:start])
        after_article = kept_before.size > 0 and not any(window + kept_before[-1] < i < start for i in ends)
        if after_article or keep[stop : min(n, stop + TABLE_MAX_GAP)].any():
            items.extend(i for i in range(start, stop) if not keep[i])
    return items


def _marks(text: str) -> str:
    """A line's punctuation pattern: its first PATTERN_MARKS marks ("June 9 – Tampa, FL @ …": "–,")."""
    return "".join(_MARK.findall(text[:200])[:PATTERN_MARKS])


def patterned_rows(page: Page, keep: np.ndarray) -> list[int]:
    """Unkept lines of the lists right after or before kept text whose rows share a punctuation
    pattern: runs of PATTERN_MIN_ROWS+ consecutive unruled lines, none repeated on the page, with
    the same first PATTERN_MARKS marks ("June 9 – Tampa, FL @ Amphitheatre", "Python ★★★★★(13)",
    "10/1/2014  +4.2%"), starting within TABLE_MAX_GAP lines of a kept line and not after an
    article's end (an ``end`` or ``credit`` line after the kept text). Tour dates, price lists
    and data series score like menu lines one by one; menu items hold no such marks."""
    valid = page.unruled & ~(page.features[:, _FEATURE_INDEX["repeated"]] > 0) & ~keep
    ends = {i for i, action in page.ruled if action in ("end", "credit")}
    edges = np.flatnonzero(np.diff(np.concatenate(([0], keep.astype(np.int8), [0])))).tolist()
    items: set[int] = set()
    for edge in edges:  # a kept run starts at ``edge``, or ended right before it
        step = 1 if edge > 0 and keep[edge - 1] else -1
        run = _pattern_run(page, valid, ends, edge if step == 1 else edge - 1, step)
        if len(run) >= PATTERN_MIN_ROWS:
            items.update(run)
    return sorted(items)


def _pattern_run(page: Page, valid: np.ndarray, ends: set[int], first: int, step: int) -> list[int]:
    """The patterned lines met going from unit ``first`` in direction ``step``: within
    TABLE_MAX_GAP lines the first valid line with PATTERN_MARKS marks (none past an end line),
    then the valid lines after it with the same marks."""
    n = len(page.units)
    start = next(
        (
            i
            for i in range(first, first + step * TABLE_MAX_GAP, step)
            if 0 <= i < n and (i in ends or (valid[i] and len(_marks(page.units[i].text)) == PATTERN_MARKS))
        ),
        None,
    )
    if start is None or start in ends:
        return []
    marks = _marks(page.units[start].text)
    run = [start]
    while 0 <= run[-1] + step < n and valid[run[-1] + step] and _marks(page.units[run[-1] + step].text) == marks:
        run.append(run[-1] + step)
    return run


#: An embedded post's attribution line: "— Jane Doe (@janedoe) November 18, 2019".
_POST_ATTRIBUTION = re.compile(r"[—–-] ?[^()]{1,60} \(@\w{1,30}\) \w{3,9}\.? \d{1,2}, \d{4}")
#: An embedded post's text is at most this many lines before its attribution.
POST_MAX_LINES = 3


def embedded_posts(page: Page, keep: np.ndarray) -> list[int]:
    """Unkept lines of the posts embedded in the article: an attribution line ("— Jane Doe
    (@janedoe) November 18, 2019") and the post's text, the up to POST_MAX_LINES unruled lines
    before it after the last kept line, when that kept line is right before the post or kept text
    follows within TABLE_MAX_GAP lines. A tweet quoted in a story scores like a teaser line by
    line (a handle, a date, no sentence around it); its attribution says what it is."""
    n = len(page.units)
    items: list[int] = []
    for i, unit in enumerate(page.units):
        if "(@" not in unit.text or keep[i] or not page.unruled[i] or not _POST_ATTRIBUTION.fullmatch(unit.text):
            continue
        start = i
        while start > 0 and i - start < POST_MAX_LINES and not keep[start - 1] and page.unruled[start - 1]:
            start -= 1
        if (start > 0 and keep[start - 1]) or keep[i + 1 : min(n, i + 1 + TABLE_MAX_GAP)].any():
            items.extend(range(start, i + 1))
    return items


def _before_comments(page: Page, log_odds: np.ndarray, thread: int) -> tuple[tuple[int, int], int] | None:
    """When a comment thread starting at ``thread`` follows a line opening a comment section (a
    ``comments`` rule) within COMMENTS_CONFIRM_GAP lines: the best block before that line and the
    line itself, if that block weighs at least COMMENTS_PRE_MIN. A long thread must not outweigh the
    short article it follows, but an opening line alone (a "3 Comments" link under an excerpt)
    proves nothing."""
    opening = next(
        (
            i
            for i, _ in reversed(page.ruled)
            if thread - COMMENTS_CONFIRM_GAP <= i < thread and page.units[i].rule.comments
        ),
        None,
    )
    if opening is None:
        return None
    before = _block_of(page, np.where(np.arange(len(log_odds)) < opening, log_odds, -np.inf))
    if before is None or before[1] >= opening:
        return None
    weight = float(_block_values(page, log_odds)[before[0] : before[1] + 1].sum())
    return (before, opening) if weight >= COMMENTS_PRE_MIN else None


def _block_lines(page: Page, log_odds: np.ndarray) -> tuple[np.ndarray, int]:
    """The unruled units of the best block of the final scores and the lines sure on their own,
    nothing from a comment thread after the block (nor after the line opening it); and where that
    thread starts (the number of units when there is none): nothing at or after it is article."""
    log_odds = np.asarray(log_odds, dtype=np.float64)
    block = _block_of(page, log_odds)
    thread = thread_start(page, max(0, block[0] - THREAD_MAX_GAP)) if block else None
    if thread is not None:
        block = _block_of(page, log_odds, thread)
        cut = _before_comments(page, log_odds, thread)
        if cut is not None:
            block, thread = cut
    keep = log_odds > KEEP_OUTSIDE_BLOCK
    if thread is not None:
        keep &= np.arange(len(page.units)) < thread
    if block is not None:
        keep[block[0] : block[1] + 1] = True
    return keep & page.unruled, len(page.units) if thread is None else thread


def _widened_lines(page: Page, log_odds: np.ndarray) -> tuple[np.ndarray, list[int], list[int], list[int], list[int]]:
    """``_block_lines`` with the items of the lists kept lines introduce, the rows of the tables
    next to kept text, the patterned rows of its lists and the posts embedded in it: (keep, listed
    items, table rows, patterned rows, embedded posts), for ``select_lines`` and ``explain``."""
    keep, thread = _block_lines(page, log_odds)
    listed = [i for i in listed_items(page, keep) if i < thread]
    keep[listed] = True
    tabled = [i for i in table_rows(page, keep) if i < thread]
    keep[tabled] = True
    patterned = [i for i in patterned_rows(page, keep) if i < thread]  # a dated teaser list shares marks too
    keep[patterned] = True
    embedded = [i for i in embedded_posts(page, keep) if i < thread]
    keep[embedded] = True
    return keep, listed, tabled, patterned, embedded


def select_lines(page: Page, log_odds: np.ndarray) -> list[bool]:
    """Which units are article text: the best block of the final scores, plus lines sure on their own,
    the items of the lists they introduce and the rows of tables and patterned lists beside them, minus the items of
    promo boxes inside it, and nothing from a comment thread after it."""
    keep, _, _, _, _ = _widened_lines(page, log_odds)
    promo = aside_items(page)
    if promo:
        keep[list(promo)] = False
    return keep.tolist()


_MONTH_NUMBERS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_MONTH_NAME = r"(?P<month>[a-z]{3,9})\.?"
_DATE_FORMS = (
    re.compile(rf"\b{_MONTH_NAME}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>(?:19|20)\d\d)\b", re.IGNORECASE),
    re.compile(
        rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\.?\s+{_MONTH_NAME},?\s+(?P<year>(?:19|20)\d\d)\b", re.IGNORECASE
    ),
    re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<month>[01]\d)-(?P<day>[0-3]\d)\b"),
)
#: How many lines before the article's first kept line are searched for its title, byline and date.
HEADER_LOOKBACK = 8
#: A title line has between these many words.
TITLE_MIN_WORDS, TITLE_MAX_WORDS = 3, 30
#: ...and at least this share of its words capitalised (English titles are mostly Title Case).
TITLE_MIN_CAPITALS = 0.3
#: A line is a dateline (not text) only if it is this short.
DATELINE_MAX_WORDS = 14
#: A bare name beside the dateline has this many capitalised words.
NAME_MIN_WORDS, NAME_MAX_WORDS = 2, 4
#: An ALL-CAPS byline ("JANE DOE AND JOHN ROE") has at most this many words.
CAPS_BYLINE_MAX_WORDS = 8

TITLE_SIGNAL = "signal.title"
BYLINE_SIGNAL = "signal.byline"
DATELINE_SIGNAL = "signal.dateline"


def parse_text_date(text: str) -> str | None:
    """The first date written in ``text`` ("March 14, 2022", "14 March 2022", "2022-03-14") as ISO."""
    for form in _DATE_FORMS:
        for found in form.finditer(text):
            month_text = found.group("month").lower()
            month = int(month_text) if month_text.isdigit() else _MONTH_NUMBERS.get(month_text)
            if month is None:
                continue
            try:
                return date(int(found.group("year")), month, int(found.group("day"))).isoformat()
            except ValueError:
                continue
    return None


def _is_caps_byline(text: str) -> bool:
    """An all-capitals line of a few name-like words ("JANE DOE AND JOHN ROE")."""
    words = text.replace(",", " ").split()
    return (
        2 <= len(words) <= CAPS_BYLINE_MAX_WORDS
        and text.isupper()
        and all(w.isalpha() or w in ("&", "-") or w.rstrip(".").isalpha() for w in words)
    )


@dataclass(frozen=True, slots=True)
class Header:
    """Title, byline and date found just before the article, and which units held them."""

    title: str | None
    byline: str | None
    published: str | None
    units: dict[int, str]  # unit index -> signal id of the metadata it held


def find_header(page: Page, keep: Sequence[bool]) -> Header:
    """The article's title, byline and date among the lines just before (and at) its first kept line."""
    kept_at = [i for i, k in enumerate(keep) if k]
    if not kept_at:
        return Header(None, None, None, {})
    first = kept_at[0]
    title = byline = published = None
    units: dict[int, str] = {}
    if _is_title(page, first) and len(kept_at) > 1 and page.features[kept_at[1]][_FEATURE_INDEX["ends_sentence"]]:
        # The block starts with its headline: a short unpunctuated line right before the prose.
        title = page.units[first].text
        units[first] = TITLE_SIGNAL
    for i in range(first - 1, max(-1, first - 1 - HEADER_LOOKBACK), -1):
        unit = page.units[i]
        words = page.words[i]
        action = unit.rule.action if unit.rule else None
        if action == "byline":
            byline = byline or unit.text
            published = published or parse_text_date(unit.text)
            continue
        if action is not None or keep[i]:
            continue
        if published is None and words <= DATELINE_MAX_WORDS and (date_found := parse_text_date(unit.text)):
            published = date_found
            units[i] = DATELINE_SIGNAL
        elif byline is None and (_is_caps_byline(unit.text) or _is_name_by_dateline(page, i, units)):
            byline = unit.text
            units[i] = BYLINE_SIGNAL
        elif title is None and _is_title(page, i):
            title = unit.text
            units[i] = TITLE_SIGNAL
    return Header(title, byline, published, units)


def _is_name_by_dateline(page: Page, index: int, found: dict[int, str]) -> bool:
    """A bare name ("Andrew King") on the line next to the article's dateline is its byline."""
    beside_date = found.get(index + 1) == DATELINE_SIGNAL or (
        index > 0 and parse_text_date(page.units[index - 1].text) is not None
    )
    words = page.units[index].text.split()
    return (
        beside_date
        and NAME_MIN_WORDS <= len(words) <= NAME_MAX_WORDS
        and all(w[0].isupper() and w.replace(".", "").replace("-", "").replace("'", "").isalpha() for w in words)
    )


_FEATURE_INDEX = {name: i for i, name in enumerate(FEATURE_NAMES)}


def _is_title(page: Page, index: int) -> bool:
    """A line shaped like a headline: a few words, no full stop, no menu separators, not repeated."""
    unit, features = page.units[index], page.features[index]
    return (
        unit.rule is None
        and TITLE_MIN_WORDS <= page.words[index] <= TITLE_MAX_WORDS
        and not unit.text.endswith((".", ":"))
        and features[_FEATURE_INDEX["title_share"]] >= TITLE_MIN_CAPITALS
        and features[_FEATURE_INDEX["repeated"]] == 0.0
        and features[_FEATURE_INDEX["separators"]] == 0.0
    )


def extract_text(text: str, profiles: ProfileSet, host: str | None = None) -> TextExtraction:
    """Clean a plain-text capture: the article's paragraphs, byline and a decision per line.

    The body is settled to a fixpoint: the paragraphs are cleaned again as a capture of their own
    until nothing more is dropped (at most SETTLE_PASSES times), so cleaning a cleaned body changes
    nothing. A paragraph dropped on a later pass is one the line and context models only kept
    thanks to the page around it; its decision says so.
    """
    cache = PassCache()
    page, scores, keep, header = _select(analyse_page(text, profiles, host, cache))
    found = _extraction(page, scores, keep, header)
    if not found.paragraphs:  # nothing to settle: an empty page keeps nothing
        return found
    for _ in range(SETTLE_PASSES):
        page, _, keep, header = _select(_settle_page(page, keep, header, profiles, host, cache))
        again = _kept_paragraphs(page, keep, header)
        if again == found.paragraphs:
            break
        found = _keep_only(found, again)
    return found


def _one_line(unit: Unit) -> bool:
    """Whether ``split_lines`` and ``split_columns`` leave the unit's text one line as it is: no
    whitespace at its ends (a column's cell may have some) and no two columns in it (a line of the
    capture was tested when split, a unit joined from several lines was not)."""
    text = unit.text
    return not (text[0].isspace() or text[-1].isspace() or (len(unit.lines) > 1 and _column_cells(text)))


def _settle_page(
    page: Page, keep: Sequence[bool], header: Header, profiles: ProfileSet, host: str | None, cache: PassCache
) -> Page:
    """``analyse_page`` of the kept paragraphs joined by blank lines, built from ``page`` (the pass
    that kept them) without splitting, joining or computing features again.

    Each paragraph is one unit there (a blank line between two lines keeps them apart), with the
    features ``page`` has for it when the language is the same: a line's features depend on its
    text and the language only, but for ``repeated`` (a paragraph repeated among the paragraphs is
    one repeated on ``page``) and ``repeated_field``. When the split would change a paragraph
    (``_one_line``), the paragraphs take the general way.
    """
    kept = [i for i, k in enumerate(keep) if k and i not in header.units]
    texts = [page.units[i].text for i in kept]
    if not all(_one_line(page.units[i]) for i in kept):
        return analyse_page("\n\n".join(texts), profiles, host, cache)
    lines = [_new(Line, (2 * k + 1, t)) for k, t in enumerate(texts)]  # as split_lines numbers them
    site = profiles.for_capture(host, texts)
    rules = _match_rules(rule_matcher(site, profiles.generic), texts, cache)
    language = _cached_language(_language_sample(lines, rules), cache)
    repeated = repeated_among(texts, (page.features[kept, _REPEATED] > 0).tolist())
    if language == page.language:
        features = page.features[kept]
        features[:, _REPEATED] = repeated
        words = [page.words[i] for i in kept]
    else:
        stop = stopwords(language) if language else frozenset()
        features, counts = _page_features(texts, language, stop, repeated)
        words = np.maximum(counts, 1).tolist()
    features[:, _REPEATED_FIELD] = repeated_fields(texts)
    units = tuple([_new(Unit, (line.text, (line,), rule)) for line, rule in zip(lines, rules, strict=True)])
    return Page(units, features, tuple(words), language, site, _kept_span(page.sections, kept))


def _kept_span(span: tuple[int, int] | None, kept: Sequence[int]) -> tuple[int, int] | None:
    """``span`` of a page's units as indices of its ``kept`` units (None if fewer than two are in it)."""
    if span is None:
        return None
    inside = [k for k, i in enumerate(kept) if span[0] <= i <= span[1]]
    return (inside[0], inside[-1]) if len(inside) > 1 else None


def _keep_only(found: TextExtraction, paragraphs: tuple[str, ...]) -> TextExtraction:
    """``found`` with only ``paragraphs`` kept; the lines of the others become drops."""
    remaining = set(paragraphs)
    dropped = [p for p in found.paragraphs if p not in remaining]

    def explain() -> tuple[LineDecision, ...]:
        return tuple(
            LineDecision(d.lineno, d.text, False, UNSTABLE_SIGNAL, "kept only thanks to the lines around it")
            if d.keep and any(d.text in p for p in dropped)
            else d
            for d in found.decisions
        )

    return replace(found, paragraphs=tuple(p for p in found.paragraphs if p in remaining), explain=explain)


def _select(page: Page) -> tuple[Page, np.ndarray, list[bool], Header]:
    """One pass of line scoring and block selection: the page, its scores, kept units and header."""
    log_odds = score_page(page)
    keep = select_lines(page, log_odds)
    return page, log_odds, keep, find_header(page, keep)


def _kept_paragraphs(page: Page, keep: Sequence[bool], header: Header) -> tuple[str, ...]:
    """The texts of the kept units that hold no title, byline or date."""
    return tuple(
        unit.text for i, (unit, kept) in enumerate(zip(page.units, keep, strict=True)) if kept and i not in header.units
    )


_LINENO = operator.attrgetter("lineno")


def _extraction(page: Page, scores: np.ndarray, keep: list[bool], header: Header) -> TextExtraction:
    """What one pass of line scoring and block selection found in a capture."""
    kept_at = [i for i, k in enumerate(keep) if k]
    last = kept_at[-1] if kept_at else len(keep)
    credit = None
    if kept_at:
        credit = next(
            (page.units[i].text for i, action in page.ruled if action == "credit" and kept_at[0] <= i <= last + 2),
            None,
        )
    return TextExtraction(
        paragraphs=_kept_paragraphs(page, keep, header),
        title=header.title,
        byline=header.byline or credit,
        language=page.language,
        publisher=page.site.publisher if page.site else None,
        profile_id=page.site.id if page.site else None,
        explain=lambda: _decisions(page, scores, keep, header),
        published=header.published,
    )


def _decisions(page: Page, scores: np.ndarray, keep: Sequence[bool], header: Header) -> tuple[LineDecision, ...]:
    """Every line's decision in one pass: its rule, metadata signal, or the block's verdict and score."""
    kept_at = [i for i, k in enumerate(keep) if k]
    last = kept_at[-1] if kept_at else len(keep)
    promo = aside_items(page)
    _, listed_at, tabled_at, patterned_at, embedded_at = _widened_lines(page, scores)
    listed, tabled, patterned, embedded = set(listed_at), set(tabled_at), set(patterned_at), set(embedded_at)
    decisions: list[LineDecision] = []
    for i, (unit, kept, odds) in enumerate(zip(page.units, keep, scores.tolist(), strict=True)):
        rule = unit.rule
        if rule is not None:
            rule_id, reason = rule.id, rule.reason
        elif i in header.units:
            kept = False
            rule_id = header.units[i]
            reason = f"{rule_id.removeprefix('signal.')} of the article, moved to its field"
        elif i in promo:
            rule_id, reason = ASIDE_ITEM_SIGNAL, "an item listed under a related-content heading"
        elif kept and i in listed:
            rule_id, reason = LISTED_ITEM_SIGNAL, f"an item of a list a kept line introduces (score {odds:+.1f})"
        elif kept and i in tabled:
            rule_id, reason = TABLE_ROWS_SIGNAL, f"a row of a table next to the article (score {odds:+.1f})"
        elif kept and i in patterned:
            rule_id, reason = PATTERNED_ROWS_SIGNAL, f"a row of a list next to the article (score {odds:+.1f})"
        elif kept and i in embedded:
            rule_id, reason = EMBEDDED_POST_SIGNAL, f"a post embedded in the article (score {odds:+.1f})"
        elif kept:
            rule_id, reason = KEEP_MAIN_BLOCK, f"article text (score {odds:+.1f})"
        elif i > last:
            rule_id, reason = DROP_AFTER_END, f"after the article's end (score {odds:+.1f})"
        else:
            rule_id, reason = DROP_OUTSIDE_BLOCK, f"outside the article's main block (score {odds:+.1f})"
        for line in unit.lines:
            decisions.append(LineDecision(line.lineno, line.text, kept, rule_id, reason))
    decisions.sort(key=_LINENO)
    return tuple(decisions)
