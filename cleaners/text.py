"""Plain-text capture cleaning: classify each line, keep the article's main block, explain why.

The input is what a person gets by selecting and copying a whole rendered page: one visible
line of the page per line, menus, promos and footers included. Each line gets a decision with
a rule or signal id, so ``article-archive explain`` can show why every line was kept or dropped.

Steps, all pure:

1. profile rules (data, ``cleaners/profiles/*.toml``) mark lines as ``drop``, ``end``,
   ``credit`` or ``byline``;
2. every other line gets a content score from its own shape (length, sentence punctuation,
   stop-word share in the page's language);
3. the best contiguous block of content (maximum-sum run, rule-dropped lines transparent,
   ``end``/``credit`` lines as hard boundaries) is the article body.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from cleaners.language import detect_language, stopwords
from cleaners.profiles import Profile, ProfileSet, Rule

_WORD = re.compile(r"\w+", re.UNICODE)
_SENTENCE_END = re.compile(r"[.!?…。！？:;\"”’)\]]$")
_CJK_LANGUAGES = frozenset({"zh", "ja", "ko", "th"})

#: Signal ids used when no profile rule decided a line.
KEEP_MAIN_BLOCK = "signal.main-block"
DROP_OUTSIDE_BLOCK = "signal.outside-main-block"
DROP_AFTER_END = "signal.after-article-end"


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


def split_lines(text: str) -> list[Line]:
    """The non-empty, stripped lines of ``text`` with their line numbers."""
    return [Line(i, s) for i, raw in enumerate(text.splitlines(), start=1) if (s := raw.strip())]


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


def content_score(text: str, language: str | None, stop: frozenset[str]) -> float:
    """How much a line looks like article prose: positive for prose, negative for chrome."""
    words = word_count(text, language)
    ends_sentence = bool(_SENTENCE_END.search(text))
    if language in _CJK_LANGUAGES:
        stop_share = 0.3
    else:
        tokens = [w.lower() for w in _WORD.findall(text)]
        stop_share = sum(1 for w in tokens if w in stop) / len(tokens) if tokens else 0.0
    if words >= 10 and ends_sentence and stop_share >= 0.15:
        return float(words)
    if words >= 20 and stop_share >= 0.2:
        return words * 0.7
    if words <= 4 and not ends_sentence:
        return -3.0
    return words * 0.2 - 2.0


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


def _site_rules(site: Profile | None, profiles: ProfileSet) -> tuple[Rule, ...]:
    return (site.rules if site else ()) + profiles.generic.rules


def extract_text(text: str, profiles: ProfileSet, host: str | None = None) -> TextExtraction:
    """Clean a plain-text capture: the article's paragraphs, byline and a decision per line."""
    lines = split_lines(text)
    site = profiles.for_capture(host, [line.text for line in lines])
    rules = _site_rules(site, profiles)
    matched = [first_matching_rule(line.text, rules) for line in lines]
    language = detect_language("\n".join(line.text for line, rule in zip(lines, matched, strict=True) if rule is None))
    stop = stopwords(language) if language else frozenset()

    scores = [
        None if rule else content_score(line.text, language, stop) for line, rule in zip(lines, matched, strict=True)
    ]
    boundaries = [rule is not None and rule.action in ("end", "credit") for rule in matched]
    block = best_block(scores, boundaries)

    decisions: list[LineDecision] = []
    paragraphs: list[str] = []
    byline: str | None = None
    for i, (line, rule) in enumerate(zip(lines, matched, strict=True)):
        in_block = block is not None and block[0] <= i <= block[1]
        if rule is not None:
            if rule.action in ("credit", "byline") and block is not None and _near_block(i, block):
                byline = byline or line.text
            decisions.append(LineDecision(line.lineno, line.text, False, rule.id, rule.reason))
        elif in_block:
            paragraphs.append(line.text)
            decisions.append(
                LineDecision(line.lineno, line.text, True, KEEP_MAIN_BLOCK, "inside the article's main block")
            )
        else:
            after = block is not None and i > block[1]
            signal = DROP_AFTER_END if after else DROP_OUTSIDE_BLOCK
            reason = "after the article's end" if after else "outside the article's main block"
            decisions.append(LineDecision(line.lineno, line.text, False, signal, reason))

    return TextExtraction(
        paragraphs=tuple(paragraphs),
        title=None,
        byline=byline,
        language=detect_language("\n".join(paragraphs)) if paragraphs else language,
        publisher=site.publisher if site else None,
        profile_id=site.id if site else None,
        decisions=tuple(decisions),
    )


def _near_block(index: int, block: tuple[int, int], slack: int = 2) -> bool:
    """A byline just before the block or a credit just after it belongs to the article."""
    return block[0] - slack - 1 <= index <= block[1] + slack
