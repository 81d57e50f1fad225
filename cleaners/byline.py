"""Byline parsing: a raw byline string into person names (authors) and agency credits."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

#: Lead-ins removed from the front of a byline, only at a word boundary.
_LEAD_IN = re.compile(
    r"^(?:(?:with|and)\s+)?(?:(?:an?\s+)?(?:additional\s+)?(?:reports?|reporting|files|contributions?)\s+(?:from|by)"
    r"|written\s+by|posted\s+by|story\s+by|words\s+by|by)\b[:\s]*",
    re.IGNORECASE,
)
_SEPARATORS = re.compile(r"\s*(?:,|;|&|\||/|\band\b|\bwith\b)\s*", re.IGNORECASE)
_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})
_NAME_WORD = re.compile(r"^(?:[A-Z][\w'’.-]*|[a-z]{1,3}|[A-Z]\.)$", re.UNICODE)
_REJECT = re.compile(r"@|https?:|www\.|\d", re.IGNORECASE)
MAX_NAME_WORDS = 5


@dataclass(frozen=True, slots=True)
class Byline:
    """A parsed byline: person names and credited sources, both in page order."""

    raw: str
    authors: tuple[str, ...]
    credits: tuple[str, ...]


@lru_cache(maxsize=1)
def agency_names() -> dict[str, str]:
    """Lower-cased spelling -> canonical agency name, from ``cleaners/data/agencies.toml``."""
    data = tomllib.loads((resources.files("cleaners") / "data" / "agencies.toml").read_text(encoding="utf-8"))
    return {spelling: canonical for canonical, spellings in data["agencies"].items() for spelling in spellings}


def _as_agency(part: str) -> str | None:
    key = re.sub(r"\s+", " ", part.strip(" .,:;-–—")).lower()
    return agency_names().get(key)


def _as_person(part: str) -> str | None:
    words = part.strip(" .,:;-–—").split()
    if not words or len(words) > MAX_NAME_WORDS or _REJECT.search(part):
        return None
    core = [w for w in words if w.lower() not in _SUFFIXES]
    if len(core) < 2 or not all(_NAME_WORD.match(w) for w in core):
        return None
    if not core[0][0].isupper() or not core[-1][0].isupper():
        return None
    return " ".join(words)


def parse_byline(raw: str) -> Byline:
    """Split a byline into authors and credits; anything that is neither is left out."""
    text = _LEAD_IN.sub("", raw.strip(), count=1)
    authors: list[str] = []
    credits: list[str] = []
    for part in _SEPARATORS.split(text):
        if not part.strip():
            continue
        agency = _as_agency(part)
        if agency:
            credits.append(agency)
        elif person := _as_person(part):
            authors.append(person)
    return Byline(raw=raw.strip(), authors=tuple(dict.fromkeys(authors)), credits=tuple(dict.fromkeys(credits)))
