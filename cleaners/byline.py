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
    r"|(?:written|posted|story|words|reported|compiled|edited|reviewed|text|published)\s+by|authors?\s*:|by)\b[:\s]*",
    re.IGNORECASE,
)
_SEPARATORS = re.compile(r"\s*(?:,|;|&|\||/|•|·|\band\b|\bwith\b|\bet\b|\bund\b|\by\b|\n)\s*", re.IGNORECASE)
#: Where a byline stops naming people: a date, "updated", "is a reporter" …
_TAIL = re.compile(
    r"\s+(?:(?:is|was)\s+an?\b|on\s+\w+\s+\d|updated\b|published\b|posted\b|last\s+updated\b|in\s+[A-Z][a-z]+,?$)"
    r"|\s*(?:[-–—|]\s*)?\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}\b.*$",
    re.IGNORECASE,
)
_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})
_NAME_WORD = re.compile(
    r"^(?:[A-ZÀ-ÖØ-ÞĀ-ſ][\w'’.-]*|(?:de|da|del|der|den|di|du|la|le|van|von|bin|al|el|dos|das|ter|y)|[A-Z]\.)$",
    re.UNICODE,
)
_REJECT = re.compile(r"@|https?:|www\.|\w\.(?:com|net|org|io|co|ai|app|dev)\b|\d|#|[()\[\]{}<>]|\?|!", re.IGNORECASE)
MAX_NAME_WORDS = 5
_UNIT_WORDS = frozenset({"desk", "team", "staff", "bureau", "newsroom", "editors"})


@dataclass(frozen=True, slots=True)
class Byline:
    """A parsed byline: person names and credited sources, both in page order."""

    raw: str
    authors: tuple[str, ...]
    credits: tuple[str, ...]


def _data(name: str) -> dict:  # type: ignore[type-arg]
    return tomllib.loads((resources.files("cleaners") / "data" / name).read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def agency_names() -> dict[str, str]:
    """Lower-cased spelling -> canonical agency name, from ``cleaners/data/agencies.toml``."""
    data = _data("agencies.toml")
    return {spelling: canonical for canonical, spellings in data["agencies"].items() for spelling in spellings}


@lru_cache(maxsize=1)
def _name_words() -> tuple[frozenset[str], frozenset[str]]:
    """(job-title words, organisation words) from ``cleaners/data/byline_words.toml``."""
    data = _data("byline_words.toml")
    return frozenset(data["job_titles"]), frozenset(data["organisation_words"])


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip(" .,:;-–—")).lower()


def _as_agency(part: str) -> str | None:
    key = _fold(part)
    names = agency_names()
    if key in names:
        return names[key]
    trimmed = re.sub(r"^(?:the|a|an)\s+", "", key)
    return names.get(trimmed)


def _strip_job_title(words: list[str]) -> list[str]:
    """Drop a trailing job title ("Jane Doe Senior Reporter" -> "Jane Doe")."""
    titles, _ = _name_words()
    end = len(words)
    while end > 0 and words[end - 1].lower().strip(".,") in titles:
        end -= 1
    return words[:end]


def _is_site(name: str, site_name: str | None, host: str | None) -> bool:
    """True when a name is the site's own name or its domain ("CottageCare" on cottagecare.com)."""
    folded = _fold(name)
    if site_name and folded in {_fold(site_name), _fold(site_name).removeprefix("the ")}:
        return True
    squashed = re.sub(r"[^a-z0-9]", "", folded)
    return bool(host and len(squashed) >= 4 and squashed in re.sub(r"[^a-z0-9]", "", host.lower()))


def _as_person(part: str, site_name: str | None = None, host: str | None = None, single: bool = False) -> str | None:
    part = _TAIL.split(part, maxsplit=1)[0]
    part = part.strip(" ,:;-–—|'\"“”")
    if part.endswith(".") and part.rsplit(None, 1)[-1].lower() not in _SUFFIXES:
        part = part.rstrip(".")
    if not part or _REJECT.search(part):
        return None
    titles, organisations = _name_words()
    words = _strip_job_title(part.split())
    tail = part.split()[len(words) :]
    if not words or len(words) > MAX_NAME_WORDS or (len(words) == 1 < len(part.split())):
        return None
    if len(tail) == 1 and tail[0].lower() in _UNIT_WORDS:
        return None  # "TOI Lifestyle Desk", "Acme Team": a unit of an organisation
    lowered = [w.lower().strip(".,") for w in words]
    if any(w in organisations for w in lowered) or any(w in titles for w in lowered):
        return None
    if not single and _is_site(" ".join(words), site_name, None):
        return None  # author markup may name a personal site's owner; plain text may not
    core = [w for w in words if w.lower() not in _SUFFIXES]
    if len(core) == 1:
        # One word: only from author markup, never the site's own name, and shaped like a name.
        ok = single and len(core[0]) >= 3 and core[0][0].isupper() and core[0][1:].islower()
        return core[0] if ok and not _is_site(core[0], site_name, host) else None
    if not core or (single and all(w.isalpha() and w.islower() for w in core)):
        return " ".join(words) if core else None  # structured, lower-case ("kirstin boatto")
    if not all(_NAME_WORD.match(w) for w in core) or not core[0][0].isupper() or not core[-1][0].isupper():
        return None
    return " ".join(words)


def _parts(text: str) -> list[str]:
    """Byline pieces; a lone suffix ("Jr.") is joined back to the name before it."""
    parts: list[str] = []
    for piece in _SEPARATORS.split(text):
        piece = piece.strip()
        if not piece:
            continue
        if parts and piece.lower() in _SUFFIXES:
            parts[-1] = f"{parts[-1]} {piece}"
        else:
            parts.append(piece)
    return parts


def parse_byline(raw: str, site_name: str | None = None, host: str | None = None, *, single: bool = False) -> Byline:
    """Split a byline into authors and credits; anything that is neither is left out.

    ``site_name`` (the publisher) and the site's ``host`` name are never taken for a person.
    ``single`` accepts one-word names ("Maddy"): only for sources marked up as an author.
    """
    text = " ".join(raw.split())
    text = _LEAD_IN.sub("", text, count=1)
    authors: list[str] = []
    credits: list[str] = []
    parts = _parts(text)
    single = single and len(parts) == 1  # "Research" out of "Center for … and Research" is no name
    for part in parts:
        part = _LEAD_IN.sub("", part, count=1)
        if agency := _as_agency(part):
            credits.append(agency)
        elif person := _as_person(part, site_name, host, single):
            authors.append(person)
    return Byline(raw=raw.strip(), authors=tuple(dict.fromkeys(authors)), credits=tuple(dict.fromkeys(credits)))


def names_from_list(
    names: list[str] | tuple[str, ...], site_name: str | None = None, host: str | None = None
) -> Byline:
    """Parse structured author names (JSON-LD, meta) one by one, keeping their order."""
    authors: list[str] = []
    credits: list[str] = []
    for name in names:
        parsed = parse_byline(name, site_name, host, single=True)
        authors.extend(parsed.authors)
        credits.extend(parsed.credits)
    raw = ", ".join(names)
    return Byline(raw=raw, authors=tuple(dict.fromkeys(authors)), credits=tuple(dict.fromkeys(credits)))
