"""Site profiles: boilerplate rules kept as data (TOML), compiled once, matched per capture.

A profile file in ``cleaners/profiles/`` looks like::

    id = "theglobeandmail"
    publisher = "The Globe and Mail"
    hosts = ["theglobeandmail.com"]
    signatures = ["Interact with The Globe", "Your Globe"]   # lines that identify the site
    min_signatures = 2

    [[rules]]
    id = "globe.video-credit"
    action = "drop"            # drop | end | aside | credit | byline
    patterns = ["^The Globe and Mail$"]
    reason = "video credit"

Patterns are case-insensitive regular expressions matched against a whole stripped line
(``re.fullmatch``). Actions:

* ``drop``   — the line is boilerplate wherever it appears.
* ``end``    — the article has ended before this line (comments, footers).
* ``aside``  — a promo box starts here ("Related", "Read more"): dropped, and a penalty for the
  article's block, which may still go on after the box.
* ``credit`` — a sign-off or credit line ("With a report from Reuters"): its sources go to
  ``credits``, the raw line to ``byline``, and the article ends there.
* ``byline`` — a byline line ("By Jane Doe"): parsed into ``authors``, removed from the body.

An ``end`` rule may say ``comments = true``: the line opens a comment section ("34 responses to
…", "Leave a comment"). When timed comment headers ("November 19, 2019 at 6:34 am") start within
a few lines after it and the text before it weighs enough to be an article, the thread after it
is cut off; an opening line alone (a "3 Comments" link under an excerpt) cuts nothing.

A ``drop`` line costs the text cleaner's block search a little (a run of share buttons or form
labels between the article and a bio keeps the block from spanning both); a ``drop`` rule may say
``inline = true`` for chrome that publishers set inside articles (ad slots, picture credits): its
lines cost nothing, so an ad between two paragraphs does not split the article.

``generic.toml`` holds the rules that apply to every capture; a site profile adds its own when
the capture's host or enough of its signature lines match.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from typing import Literal

RuleAction = Literal["drop", "end", "aside", "credit", "byline"]
RULE_ACTIONS: frozenset[str] = frozenset({"drop", "end", "aside", "credit", "byline"})
GENERIC_PROFILE_ID = "generic"


class ProfileError(ValueError):
    """A profile file is malformed (unknown action, bad pattern, missing id)."""


@dataclass(frozen=True)
class Rule:
    """One boilerplate rule: lines matching any pattern get ``action``, explained by ``reason``."""

    id: str
    action: RuleAction
    reason: str
    patterns: tuple[re.Pattern[str], ...]
    comments: bool = False  # an ``end`` rule that opens a comment section (see the module doc)
    inline: bool = False  # a ``drop`` rule for chrome set inside articles (see the module doc)

    def matches(self, line: str) -> bool:
        return any(p.fullmatch(line) for p in self.patterns)


@dataclass(frozen=True)
class Profile:
    """A named set of rules, with what identifies the site it belongs to."""

    id: str
    rules: tuple[Rule, ...] = ()
    publisher: str | None = None
    hosts: tuple[str, ...] = ()
    signatures: frozenset[str] = field(default_factory=frozenset)
    min_signatures: int = 2

    def matches_host(self, host: str | None) -> bool:
        if not host:
            return False
        host = host.lower().removeprefix("www.")
        return any(host == h or host.endswith("." + h) for h in self.hosts)

    @cached_property
    def longest_signature(self) -> int:
        """The length of the longest signature line (case-folded), 0 with none."""
        return max(map(len, self.signatures), default=0)

    def signature_hits(self, lines: Iterable[str]) -> int:
        """How many of the signature lines are among ``lines`` (case-insensitively).

        Case folding never shortens a line, so a line longer than every signature is not folded.
        """
        longest = self.longest_signature
        folded = {line.casefold() for line in lines if len(line) <= longest}
        return sum(1 for s in self.signatures if s in folded)


@dataclass(frozen=True)
class ProfileSet:
    """The generic profile plus every site profile, as loaded from a folder."""

    generic: Profile
    sites: tuple[Profile, ...]

    def for_capture(self, host: str | None, lines: Sequence[str]) -> Profile | None:
        """The site profile for a capture: by host first, else by signature lines."""
        for profile in self.sites:
            if profile.matches_host(host):
                return profile
        best, best_hits = None, 0
        for profile in self.sites:
            hits = profile.signature_hits(lines)
            if hits >= profile.min_signatures and hits > best_hits:
                best, best_hits = profile, hits
        return best


def _compile_rule(raw: dict, profile_id: str) -> Rule:  # type: ignore[type-arg]
    rule_id = raw.get("id")
    action = raw.get("action")
    if not rule_id or action not in RULE_ACTIONS:
        raise ProfileError(
            f"profile {profile_id!r}: rule {rule_id!r} needs an id and an action in {sorted(RULE_ACTIONS)}"
        )
    try:
        patterns = tuple(re.compile(p, re.IGNORECASE) for p in raw.get("patterns", ()))
    except re.error as exc:
        raise ProfileError(f"profile {profile_id!r}: rule {rule_id!r}: bad pattern: {exc}") from exc
    if not patterns:
        raise ProfileError(f"profile {profile_id!r}: rule {rule_id!r} has no patterns")
    comments = raw.get("comments", False)
    if not isinstance(comments, bool) or (comments and action != "end"):
        raise ProfileError(f"profile {profile_id!r}: rule {rule_id!r}: comments must be a boolean, on an end rule")
    inline = raw.get("inline", False)
    if not isinstance(inline, bool) or (inline and action != "drop"):
        raise ProfileError(f"profile {profile_id!r}: rule {rule_id!r}: inline must be a boolean, on a drop rule")
    reason = raw.get("reason", rule_id)
    return Rule(id=rule_id, action=action, reason=reason, patterns=patterns, comments=comments, inline=inline)


def parse_profile(data: dict) -> Profile:  # type: ignore[type-arg]
    """Build a Profile from the dict of one TOML file."""
    profile_id = data.get("id")
    if not profile_id:
        raise ProfileError("profile has no id")
    return Profile(
        id=profile_id,
        rules=tuple(_compile_rule(r, profile_id) for r in data.get("rules", ())),
        publisher=data.get("publisher"),
        hosts=tuple(h.lower() for h in data.get("hosts", ())),
        signatures=frozenset(s.casefold() for s in data.get("signatures", ())),
        min_signatures=int(data.get("min_signatures", 2)),
    )


def load_profiles_from(folder: Path) -> ProfileSet:
    """Load ``generic.toml`` and every other ``*.toml`` in ``folder``."""
    profiles = [parse_profile(tomllib.loads(p.read_text(encoding="utf-8"))) for p in sorted(folder.glob("*.toml"))]
    generic = [p for p in profiles if p.id == GENERIC_PROFILE_ID]
    if len(generic) != 1:
        raise ProfileError(f"{folder}: expected exactly one profile with id = {GENERIC_PROFILE_ID!r}")
    return ProfileSet(generic=generic[0], sites=tuple(p for p in profiles if p.id != GENERIC_PROFILE_ID))


@lru_cache(maxsize=1)
def default_profiles() -> ProfileSet:
    """The profiles shipped with the package (compiled once per process)."""
    folder = resources.files("cleaners") / "profiles"
    return load_profiles_from(Path(str(folder)))
