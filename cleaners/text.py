"""Plain-text capture cleaning: classify each line, keep the article's main block, explain why.

The input is what a person gets by selecting and copying a whole rendered page: one visible
line of the page per line, menus, promos and footers included. Each line gets a decision with
a rule or signal id, so ``article-archive explain`` can show why every line was kept or dropped.

Steps, all pure:

1. profile rules (data, ``cleaners/profiles/*.toml``) mark lines as ``drop``, ``end``,
   ``aside``, ``credit`` or ``byline``;
2. every other line gets a content score from its own shape — length, sentence punctuation,
   stop-word share in the page's language, capitalisation, digits, separators, whether it is
   repeated elsewhere on the page — a linear model whose weights are named below;
3. the best contiguous block of content (maximum-sum run of the scores; rule-dropped lines are
   transparent, ``end``/``credit`` lines are hard boundaries, ``aside`` headings a penalty) is
   the article's core; neighbouring blocks that are content-like across a short gap join it;
4. inside the block, lines that score as clear chrome are still dropped; title, byline and date
   found just before the block go to their fields.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from cleaners.language import detect_language, stopwords
from cleaners.profiles import Profile, ProfileSet, Rule

_WORD = re.compile(r"\w+", re.UNICODE)
_SENTENCE_END = re.compile(r"[.!?…。！？](?:[\"'”’»)\]]*)$")
_ALPHA_WORD = re.compile(r"[^\W\d_][\w'’-]*", re.UNICODE)
_DIGITS = re.compile(r"\d")
_BULLET_START = re.compile(r"^(?:[•·▪◦●■*–—-]\s|\d{1,2}[.)]\s|\(?[a-z]\)\s)")
_SEPARATORS = re.compile(r"\s[|•·»›/]\s|\s[|»›]$|^[|»›]\s")
_URL_OR_EMAIL = re.compile(r"https?://|www\.|\S@\S+\.\w")
_TABLE_CELLS = re.compile(r"\S(?: {2,}|\t)\S")
_PRICE = re.compile(r"[$€£¥]\s?\d|\d\s?[$€£¥]")
_SPEECH_TAG = re.compile(r"\b(?:said|says|wrote|writes|replied|commented)\s*:?$|\breply$", re.IGNORECASE)
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DATEISH = re.compile(
    rf"\b{_MONTH}\s+\d{{1,2}}\b|\b\d{{1,2}}\s+{_MONTH}\b|\b\d{{4}}-\d{{2}}-\d{{2}}\b|\b\d{{1,2}}[/.]\d{{1,2}}[/.]\d{{2,4}}\b"
    r"|\b\d{1,2}:\d{2}\b|\b\d+\s*(?:[smhd]|mins?|minutes?|hours?|hrs?|days?|weeks?|months?|years?)\s+ago\b",
    re.IGNORECASE,
)
_CJK_LANGUAGES = frozenset({"zh", "ja", "ko", "th"})

#: Signal ids used when no profile rule decided a line.
KEEP_MAIN_BLOCK = "signal.main-block"
DROP_OUTSIDE_BLOCK = "signal.outside-main-block"
DROP_AFTER_END = "signal.after-article-end"
DROP_CHROME_IN_BLOCK = "signal.chrome-line"

#: Names of the per-line features, in the order ``line_features`` returns them.
FEATURE_NAMES: tuple[str, ...] = (
    "bias",
    "log_words",  # log(1 + words)
    "ends_sentence",  # ends with . ! ? … (a closing quote or bracket may follow)
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
)

#: Weights of the line model over FEATURE_NAMES: the line's log-odds of being article text.
#: Fitted by weighted logistic regression on labelled lines of the dev captures (see bench/README.md).
LINE_WEIGHTS: tuple[float, ...] = (
    -0.545,  # bias
    +0.504,  # log_words
    +0.513,  # ends_sentence
    +1.553,  # ends_colon
    -0.146,  # stop_share
    -1.154,  # title_share
    +0.358,  # comma_rate
    -0.827,  # repeated
    -0.837,  # dateish
    +0.331,  # numeric_share
    +1.018,  # bullet_start
    -0.155,  # all_caps
    +0.060,  # separators
    -0.757,  # lower_start
    -0.285,  # short
    -1.015,  # long_no_end
    -0.353,  # url_or_email
    +0.652,  # table_row
    +0.455,  # price
    -0.712,  # speech_tag
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

#: Weights of the context model over CONTEXT_FEATURE_NAMES (fitted like LINE_WEIGHTS, on top of it).
CONTEXT_WEIGHTS: tuple[float, ...] = (
    +0.537,  # bias
    +0.298,  # local
    +0.204,  # window_1
    +0.024,  # window_3
    +0.442,  # window_8
    +0.088,  # before_3
    +0.116,  # after_3
    -0.129,  # sandwich_3
    +0.246,  # sandwich_8
    +1.445,  # in_block
    +0.046,  # log_block_distance
    -0.523,  # before_block
    -0.385,  # after_block
    -1.329,  # word_position
    -1.204,  # after_end_cue
    -0.458,  # prev_ruled
    -0.583,  # next_ruled
    +0.047,  # prev_ends_sentence
    +0.035,  # prev_title_share
    +0.011,  # prev_short
    -0.007,  # prev_log_words
    +0.051,  # prev_stop_share
    +0.191,  # next_ends_sentence
    -0.130,  # next_title_share
    -0.130,  # next_short
    -0.068,  # next_log_words
    +0.012,  # next_stop_share
)

#: Block search: a line's score is its log-odds plus BLOCK_SHIFT, times (words ** BLOCK_LENGTH_POWER),
#: so long lines weigh more but a long chrome line can't outweigh a paragraph run.
BLOCK_SHIFT = 0.0
BLOCK_LENGTH_POWER = 0.5
#: Cost of an ``aside`` heading ("Related", "Read more") inside the block, in score units.
ASIDE_PENALTY = 3.0
#: A line outside the best block is still kept when the context model is this sure (log-odds).
KEEP_OUTSIDE_BLOCK = 0.0

#: Two columns side by side (a sidebar beside the article) are split at a run of this many spaces.
COLUMN_GAP = re.compile(r" {8,}")
#: A column split needs a cell of at least this many words (otherwise it is a table row).
COLUMN_MIN_WORDS = 6
#: A hard-wrapped line is joined to the next one only if it has at least this many words.
WRAP_MIN_WORDS = 5


@dataclass(frozen=True, slots=True)
class Line:
    """A non-empty line of the capture with its 1-based line number."""

    lineno: int
    text: str


@dataclass(frozen=True, slots=True)
class LineDecision:
    """Whether one line was kept, and the rule or signal (with a reason) that decided it."""

    lineno: int
    text: str
    keep: bool
    rule: str
    reason: str


@dataclass(frozen=True, slots=True)
class TextExtraction:
    """What the text cleaner found in one capture."""

    paragraphs: tuple[str, ...]
    title: str | None
    byline: str | None
    language: str | None
    publisher: str | None
    profile_id: str | None
    decisions: tuple[LineDecision, ...]
    published: str | None = None


@dataclass(frozen=True, slots=True)
class Unit:
    """A logical line: one physical line, or a hard-wrapped paragraph joined from several."""

    text: str
    lines: tuple[Line, ...]
    rule: Rule | None


@dataclass(frozen=True, slots=True)
class Page:
    """A capture as logical lines, with each one's rule (if any), features and word count."""

    units: tuple[Unit, ...]
    features: tuple[tuple[float, ...], ...]
    words: tuple[int, ...]
    language: str | None
    site: Profile | None


def split_lines(text: str) -> list[Line]:
    """The non-empty, stripped lines of ``text`` with their line numbers."""
    return [Line(i, s) for i, raw in enumerate(text.splitlines(), start=1) if (s := raw.strip())]


def split_columns(lines: Sequence[Line]) -> list[Line]:
    """Undo a two-column rendering: left cells in order, then the right cells in order.

    A line is split only into exactly two cells with a wide gap, one of them prose-sized;
    more cells, or two short ones, are a table row and stay whole.
    """
    left: list[Line] = []
    right: list[Line] = []
    for line in lines:
        cells = COLUMN_GAP.split(line.text) if "        " in line.text else [line.text]
        if len(cells) == 2 and max(len(c.split()) for c in cells) >= COLUMN_MIN_WORDS:
            left.append(Line(line.lineno, cells[0]))
            right.append(Line(line.lineno, cells[1]))
        else:
            left.append(line)
    return left + right if right else left


def continues_sentence(previous: str, following: str, stop: frozenset[str]) -> bool:
    """True when ``following`` carries on the sentence that ``previous`` broke off (hard wrap)."""
    if len(previous.split()) < WRAP_MIN_WORDS or _SENTENCE_END.search(previous) or previous.endswith(":"):
        return False
    first_word = following.split(maxsplit=1)[0]
    if first_word.isalpha() and first_word.islower():
        return True
    last_word = previous.rsplit(maxsplit=1)[-1]
    return previous.endswith(",") or (last_word.islower() and last_word in stop and first_word[:1].isalpha())


def join_wrapped(lines: Sequence[Line], rules: Sequence[Rule | None], stop: frozenset[str]) -> list[Unit]:
    """Logical lines: hard-wrapped runs of unruled lines joined into one unit each."""
    units: list[Unit] = []
    for line, rule in zip(lines, rules, strict=True):
        last = units[-1] if units else None
        if (
            rule is None
            and last is not None
            and last.rule is None
            and last.lines[-1].lineno < line.lineno
            and continues_sentence(last.lines[-1].text, line.text, stop)
        ):
            units[-1] = Unit(f"{last.text} {line.text}", (*last.lines, line), None)
        else:
            units.append(Unit(line.text, (line,), rule))
    return units


class RuleMatcher:
    """All rules of a capture's profiles compiled into one alternation: one regex call per line."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        self.rules = tuple(rules)
        parts = [
            f"(?P<r{i}>{'|'.join(f'(?:{p.pattern})' for p in rule.patterns)})" for i, rule in enumerate(self.rules)
        ]
        self.pattern = re.compile("|".join(parts), re.IGNORECASE) if parts else None

    def match(self, line: str) -> Rule | None:
        """The first rule (site rules before generic ones) whose pattern matches the whole line."""
        if self.pattern is None:
            return None
        found = self.pattern.fullmatch(line)
        if found is None:
            return None
        return self.rules[int(found.lastgroup[1:])] if found.lastgroup else first_matching_rule(line, self.rules)


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
    if language in _CJK_LANGUAGES:
        return max(1, len("".join(text.split())) // 2)
    return len(text.split())


def line_features(text: str, language: str | None, stop: frozenset[str], repeated: bool) -> tuple[float, ...]:
    """The features of one line, in FEATURE_NAMES order."""
    words = word_count(text, language)
    tokens = _WORD.findall(text)
    n_tokens = len(tokens) or 1
    cjk = language in _CJK_LANGUAGES
    if cjk:
        stop_share = 0.3
        title_share = 0.0
    else:
        stop_share = sum(1 for w in tokens if w.lower() in stop) / n_tokens
        alpha = _ALPHA_WORD.findall(text)
        title_share = sum(1 for w in alpha if w[0].isupper()) / len(alpha) if alpha else 0.0
    ends_sentence = bool(_SENTENCE_END.search(text))
    letters = [c for c in text[:80] if c.isalpha()]
    all_caps = len(letters) >= 4 and all(c.isupper() for c in letters) and not cjk
    first = text[0]
    return (
        1.0,
        math.log1p(words),
        float(ends_sentence),
        float(text.endswith(":")),
        stop_share,
        title_share,
        min(1.0, (text.count(",") + text.count(";") + text.count("，") + text.count("、")) / max(words, 1)),
        float(repeated),
        float(bool(_DATEISH.search(text)) and words <= 12),
        sum(1 for t in tokens if t.isdigit()) / n_tokens,
        float(bool(_BULLET_START.match(text))),
        float(all_caps),
        float(bool(_SEPARATORS.search(text))),
        float(first.isalpha() and first.islower()),
        float(words <= 3),
        float(words >= 8 and not ends_sentence),
        float(bool(_URL_OR_EMAIL.search(text))),
        float(len(_TABLE_CELLS.findall(text)) >= 2),
        float(bool(_PRICE.search(text))),
        float(bool(_SPEECH_TAG.search(text))),
    )


def _dot(weights: Sequence[float], features: Sequence[float]) -> float:
    return sum(w * f for w, f in zip(weights, features, strict=True))


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


def analyse_page(text: str, profiles: ProfileSet, host: str | None = None) -> Page:
    """Split a capture into logical lines, apply the profile rules and compute each line's features."""
    lines = split_columns(split_lines(text))
    site = profiles.for_capture(host, [line.text for line in lines])
    matcher = rule_matcher(site, profiles.generic)
    rules = [matcher.match(line.text) for line in lines]
    language = detect_language(_language_sample(lines, rules))
    stop = stopwords(language) if language else frozenset()
    units = join_wrapped(lines, rules, stop)
    counts = Counter(unit.text.casefold() for unit in units)
    features = tuple(line_features(u.text, language, stop, counts[u.text.casefold()] > 1) for u in units)
    words = tuple(max(1, word_count(u.text, language)) for u in units)
    return Page(tuple(units), features, words, language, site)


def best_block(scores: Sequence[float | None], boundaries: Sequence[bool]) -> tuple[int, int] | None:
    """Indices [start, end] of the maximum-sum run of scores.

    ``None`` scores are transparent (skipped without cost); a boundary can't be inside a run.
    """
    best: tuple[float, int, int] | None = None
    run_sum, run_start = 0.0, None
    for i, (score, boundary) in enumerate(zip(scores, boundaries, strict=True)):
        if boundary:
            run_sum, run_start = 0.0, None
            continue
        if score is None:
            continue
        if run_start is None or run_sum <= 0:
            run_sum, run_start = 0.0, i
        run_sum += score
        if run_sum > 0 and (best is None or run_sum > best[0]):
            best = (run_sum, run_start, i)
    return (best[1], best[2]) if best else None


def _block_of(page: Page, log_odds: Sequence[float]) -> tuple[int, int] | None:
    """The best block of a page under per-line log-odds (rules: transparent, boundary or penalty)."""
    scores: list[float | None] = []
    boundaries: list[bool] = []
    for unit, odds, words in zip(page.units, log_odds, page.words, strict=True):
        action = unit.rule.action if unit.rule else None
        boundaries.append(action in ("end", "credit"))
        if action == "aside":
            scores.append(-ASIDE_PENALTY)
        elif action is not None:
            scores.append(None)
        else:
            scores.append((odds + BLOCK_SHIFT) * words**BLOCK_LENGTH_POWER)
    return best_block(scores, boundaries)


def _window_means(values: Sequence[float], valid: Sequence[bool], before: int, after: int) -> list[float]:
    """Mean of the valid values from ``before`` lines before to ``after`` lines after each position.

    Offsets are in lines (ruled lines count for distance but not for the mean); 0 when none.
    """
    sums = [0.0]
    counts = [0]
    for value, ok in zip(values, valid, strict=True):
        sums.append(sums[-1] + (value if ok else 0.0))
        counts.append(counts[-1] + ok)
    n = len(values)
    means = []
    for i in range(n):
        lo, hi = min(n, max(0, i - before)), max(0, min(n, i + after + 1))
        count = counts[hi] - counts[lo] if hi > lo else 0
        means.append((sums[hi] - sums[lo]) / count if count else 0.0)
    return means


_NEIGHBOUR_INDEX = tuple(FEATURE_NAMES.index(name) for name in NEIGHBOUR_FEATURES)


def context_features(page: Page, local: Sequence[float]) -> list[tuple[float, ...]]:
    """Each line's context features (CONTEXT_FEATURE_NAMES order) from the line model's scores."""
    n = len(page.units)
    actions = [u.rule.action if u.rule else None for u in page.units]
    valid = [a is None for a in actions]
    block = _block_of(page, local)
    start, end = block if block else (n, n)
    windows = [_window_means(local, valid, r, r) for r in (1, 3, 8)]
    before_3, after_3 = _window_means(local, valid, 3, -1), _window_means(local, valid, -1, 3)
    before_8, after_8 = _window_means(local, valid, 8, -1), _window_means(local, valid, -1, 8)
    total = sum(page.words)
    before = 0
    ended = False
    none = (0.0,) * len(_NEIGHBOUR_INDEX)
    rows = []
    for i in range(n):
        if i > start and actions[i] in ("end", "credit"):
            ended = True
        inside = start <= i <= end
        distance = 0 if inside else (start - i if i < start else i - end)
        prev = tuple(page.features[i - 1][k] for k in _NEIGHBOUR_INDEX) if i > 0 else none
        nxt = tuple(page.features[i + 1][k] for k in _NEIGHBOUR_INDEX) if i + 1 < n else none
        rows.append(
            (
                1.0,
                local[i] if valid[i] else 0.0,
                windows[0][i],
                windows[1][i],
                windows[2][i],
                before_3[i],
                after_3[i],
                min(before_3[i], after_3[i]),
                min(before_8[i], after_8[i]),
                float(inside),
                math.log1p(distance),
                float(i < start),
                float(i > end),
                before / total,
                float(ended),
                float(i > 0 and not valid[i - 1]),
                float(i + 1 < n and not valid[i + 1]),
                *prev,
                *nxt,
            )
        )
        before += page.words[i]
    return rows


def score_page(page: Page) -> list[float]:
    """Each line's final log-odds of being article text (line model, then context model)."""
    local = [_dot(LINE_WEIGHTS, f) for f in page.features]
    return [_dot(CONTEXT_WEIGHTS, c) for c in context_features(page, local)]


def select_lines(page: Page, log_odds: Sequence[float]) -> list[bool]:
    """Which units are article text: the best block of the final scores, plus lines sure on their own."""
    block = _block_of(page, log_odds)
    keep = []
    for i, (unit, odds) in enumerate(zip(page.units, log_odds, strict=True)):
        inside = block is not None and block[0] <= i <= block[1]
        keep.append(unit.rule is None and (inside or odds > KEEP_OUTSIDE_BLOCK))
    return keep


def extract_text(text: str, profiles: ProfileSet, host: str | None = None) -> TextExtraction:
    """Clean a plain-text capture: the article's paragraphs, byline and a decision per line."""
    page = analyse_page(text, profiles, host)
    log_odds = score_page(page)
    keep = select_lines(page, log_odds)
    kept_at = [i for i, k in enumerate(keep) if k]
    first, last = (kept_at[0], kept_at[-1]) if kept_at else (len(keep), len(keep))

    decisions: list[LineDecision] = []
    paragraphs: list[str] = []
    byline: str | None = None
    for i, (unit, kept, odds) in enumerate(zip(page.units, keep, log_odds, strict=True)):
        rule = unit.rule
        if rule is not None:
            if rule.action in ("credit", "byline") and kept_at and first - 3 <= i <= last + 2:
                byline = byline or unit.text
            rule_id, reason = rule.id, rule.reason
        elif kept:
            paragraphs.append(unit.text)
            rule_id, reason = KEEP_MAIN_BLOCK, f"article text (score {odds:+.1f})"
        elif i > last:
            rule_id, reason = DROP_AFTER_END, f"after the article's end (score {odds:+.1f})"
        else:
            rule_id, reason = DROP_OUTSIDE_BLOCK, f"outside the article's main block (score {odds:+.1f})"
        decisions.extend(LineDecision(line.lineno, line.text, kept, rule_id, reason) for line in unit.lines)
    decisions.sort(key=lambda d: d.lineno)

    return TextExtraction(
        paragraphs=tuple(paragraphs),
        title=None,
        byline=byline,
        language=page.language,
        publisher=page.site.publisher if page.site else None,
        profile_id=page.site.id if page.site else None,
        decisions=tuple(decisions),
    )
