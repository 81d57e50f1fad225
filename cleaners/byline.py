"""Byline parsing: a raw byline string into person names (authors) and agency credits."""

from __future__ import annotations

import html
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import pairwise

_SEPARATORS = re.compile(r"\s*(?:,|;|&|\||/|•|·|\band\b|\bwith\b|\bet\b|\bund\b|\by\b|\n)\s*", re.IGNORECASE)
#: Where a byline stops naming people: a date, "updated", "is a reporter" …
_TAIL = re.compile(
    r"\s+(?:(?:is|was)\s+an?\b|on\s+\w+\s+\d|on\s+behalf\s+of\b.*|updated\b|published\b|posted\b|last\s+updated\b"
    r"|in\s+[A-Z][a-z]+,?$)"
    r"|\s*(?:[-–—|]\s*)?\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}\b.*$",
    re.IGNORECASE,
)
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
#: A dated byline's leading date ("Dec 17, 2025 Jane Doe", "2025-12-17 · Jane Doe"): a full date
#: with its year, then a separator or a space; the name follows it.
_LEADING_DATE = re.compile(
    rf"^(?:{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|\d{{1,2}}\s+{_MONTH},?\s+\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}})"
    r"\s*[-–—|·•,]?\s+(?=\S)",
    re.IGNORECASE,
)
_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})
_ROMAN_SUFFIXES = frozenset({"II", "III", "IV"})


def _is_suffix(word: str) -> bool:
    """Jr., Sr., or a generation numeral written in capitals ("IV"; "Iv" is a name, as in "Taya Iv")."""
    lowered = word.lower()
    return lowered in _SUFFIXES and (lowered.upper() not in _ROMAN_SUFFIXES or word in _ROMAN_SUFFIXES)


_NAME_WORD = re.compile(
    r"^(?:[A-ZÀ-ÖØ-ÞĀ-ſ][\w'’.-]*|(?:de|da|del|der|den|di|du|la|le|van|von|bin|al|el|dos|das|ter|y)|[A-Z]\.)$",
    re.UNICODE,
)
_REJECT = re.compile(
    r"@|https?:|www\.|\w\.(?:com|net|org|io|co|ai|app|dev)\b|\d|#|[()\[\]{}<>]|\?|!|\w-\w+-\w", re.IGNORECASE
)
#: "Itinerary: Kyoto, Tokyo, Nara": a headline or a list, not a byline (a lead-in label is gone by then).
_HEADLINE = re.compile(r"^(?:\S+\s+){3,}\S*:\s")
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


@lru_cache(maxsize=1)
def _other_words() -> tuple[frozenset[str], frozenset[str]]:
    """(words never in a name, post-nominal credentials) from ``cleaners/data/byline_words.toml``."""
    data = _data("byline_words.toml")
    return frozenset(data["not_names"]), frozenset(data["credentials"])


@lru_cache(maxsize=1)
def _legal_forms() -> frozenset[str]:
    """Company legal forms ("Inc", "LLC", "GmbH") from ``cleaners/data/byline_words.toml``."""
    return frozenset(_data("byline_words.toml")["legal_forms"])


@lru_cache(maxsize=1)
def _role_nouns() -> frozenset[str]:
    """Nouns naming a person's job ("Director", "Expert") from ``cleaners/data/byline_words.toml``."""
    return frozenset(_data("byline_words.toml")["role_nouns"])


def _phrase_pattern(phrase: str) -> str:
    """A lead-in phrase of the data file as a pattern: spaces match any run, a final ":" may follow
    one, and a phrase ending in a word ends at a word boundary ("By" is no lead-in of "Byron")."""
    words = phrase.removesuffix(":").split()
    pattern = r"\s+".join(re.escape(word) for word in words)
    return pattern + r"\s*:" if phrase.endswith(":") else pattern + r"\b"


@lru_cache(maxsize=1)
def _lead_in() -> re.Pattern[str]:
    """Lead-ins removed from the front of a byline, only at a word boundary, from the phrases of
    ``cleaners/data/byline_words.toml``: "with"/"and" may come first ("and reporting by"), "This
    post was" before "written by", and "a"/"an"/"additional" before a credited lead-in."""
    data = _data("byline_words.toml")
    by_length = lambda phrases: sorted(phrases, key=len, reverse=True)  # noqa: E731
    credited = "|".join(_phrase_pattern(p) for p in by_length(data["credited_lead_ins"]))
    plain = "|".join(_phrase_pattern(p) for p in by_length(data["lead_ins"]))
    return re.compile(
        r"^(?:(?:with|and)\s+)?(?:this\s+(?:post|article|story|piece|guide)\s+(?:was|is)\s+(?=written\s+by\b))?"
        rf"(?:(?:an?\s+)?(?:additional\s+)?(?:{credited})|{plain}|authors?(?=\s+[A-Z])|by\b)[:\s]*",
        re.IGNORECASE,
    )


def _credential_key(word: str) -> str:
    return word.strip(" ,;").rstrip("®").replace(".", "").lower()


def is_credential(word: str) -> bool:
    """Post-nominal letters ("MD", "Ph.D.", "CEPF®"), never written all lower-case."""
    return not word.islower() and _credential_key(word) in _other_words()[1]


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip(" .,:;-–—")).lower()


def _as_agency(part: str) -> str | None:
    key = _fold(part)
    names = agency_names()
    if key in names:
        return names[key]
    trimmed = re.sub(r"^(?:the|a|an)\s+", "", key)
    if trimmed in names:
        return names[trimmed]
    untitled = " ".join(_strip_job_title(trimmed.split()))  # "Reuters Staff Writer"
    return names.get(untitled) if untitled and untitled != trimmed else None


def _strip_job_title(words: list[str]) -> list[str]:
    """Drop a trailing job title ("Jane Doe Senior Reporter", "Liz Kenny Former McKinsey Consultant")."""
    titles, _ = _name_words()
    end = len(words)
    while end > 0 and words[end - 1].lower().strip(".,") in titles:
        end -= 1
    if end < len(words):  # a title ends the part: it starts at its first title word after the name
        first = next((i for i in range(2, end) if words[i].lower().strip(".,") in titles), end)
        end = first
    return words[:end]


def _is_site(name: str, site_name: str | None, host: str | None) -> bool:
    """True when a name is the site's own name or its domain ("CottageCare" on cottagecare.com)."""
    folded = _fold(name)
    if site_name and folded in {_fold(site_name), _fold(site_name).removeprefix("the ")}:
        return True
    squashed = re.sub(r"[^a-z0-9]", "", folded)
    return bool(host and len(squashed) >= 4 and squashed in re.sub(r"[^a-z0-9]", "", host.lower()))


def _split_credentials(part: str) -> tuple[str, str]:
    """("Jane Doe", ", MD, PhD") out of "Jane Doe, MD, PhD"; ("Jane Doe", " CPP") out of "Jane Doe CPP"."""
    pieces = part.split(",")
    end = len(pieces)
    while end > 1 and pieces[end - 1].strip() and all(is_credential(w) for w in pieces[end - 1].split()):
        end -= 1
    name, suffix = ",".join(pieces[:end]), part[len(",".join(pieces[:end])) :]
    words = name.split()
    cut = len(words)
    while cut > 2 and is_credential(words[cut - 1]) and words[cut - 1].isupper():
        cut -= 1
    if cut < len(words):
        suffix = " " + " ".join(words[cut:]) + suffix
        name = " ".join(words[:cut])
    return name, suffix


def _drop_avatar_initials(words: list[str]) -> list[str]:
    """ "CM Craig McCarthy" -> "Craig McCarthy": an avatar's initials before the name they abbreviate."""
    if len(words) >= 3 and words[0].isupper() and 2 <= len(words[0]) <= 3:
        initials = "".join(w[0] for w in words[1:]).upper()
        if initials.startswith(words[0]) or initials == words[0]:
            return words[1:]
    return words


#: "Jane Doe - Senior Editor": a name, a dash or bar, then who the person is.
_ROLE_AFTER_DASH = re.compile(r"\s+[-–—|]\s+(.+)$")


def _without_role(part: str) -> str:
    """A name without a job title after a dash ("Eliz - Product marketer" -> "Eliz")."""
    match = _ROLE_AFTER_DASH.search(part)
    if match is None:
        return part
    titles = _name_words()[0]
    role = [w.lower().strip(".,:") for w in match.group(1).split()]
    return part[: match.start()] if any(w in titles for w in role) else part


#: A maiden or middle name in parentheses between a name's words ("Paramita (Guha) Ghosh").
_NAME_IN_PARENS = re.compile(r"(?<=\w) \(([A-ZÀ-ÖØ-Þ][\w'’-]+)\) (?=[A-ZÀ-ÖØ-Þ])")


def _as_person(part: str, site_name: str | None = None, host: str | None = None, single: bool = False) -> str | None:
    part = _without_role(_TAIL.split(part, maxsplit=1)[0])
    part = part.strip(" ,:;-–—|'\"“”")
    if part.endswith(".") and not _is_suffix(part.rsplit(None, 1)[-1]) and not is_credential(part.rsplit(None, 1)[-1]):
        part = part.rstrip(".")
    written, part = part, _NAME_IN_PARENS.sub(r" \1 ", part)
    if not part or _REJECT.search(part):
        return None
    part, credentials = _split_credentials(part)
    part = " ".join(_drop_avatar_initials(part.split()))
    name = _as_name(part, site_name, host, single)
    if name and written != part and _NAME_IN_PARENS.sub(r" \1 ", written) == f"{name}{credentials}":
        return written  # the name as written, its parentheses kept
    return f"{name}{credentials}" if name else None


def _as_name(part: str, site_name: str | None, host: str | None, single: bool) -> str | None:
    titles, organisations = _name_words()
    not_names = _other_words()[0]
    if any(w.lower().strip(".,:") in not_names for w in part.split()):
        return None
    if part.split()[0].lower() in ("the", "a", "an", "our", "team"):
        return None  # "The Organized Mama", "Our Editors": not a person's name
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
    core = [w for w in words if not _is_suffix(w)]
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
        if parts and _is_suffix(piece):
            parts[-1] = f"{parts[-1]} {piece}"
        elif parts and all(is_credential(w) for w in piece.split()) and not _as_agency(piece):
            parts[-1] = f"{parts[-1]}, {piece}"  # "Jane Doe, MD, PhD": post-nominals stay with the name
        else:
            parts.append(piece)
    return parts


#: Bylines naming someone other than the writer: a reviewer, an editor, a photographer.
_OTHER_CREDIT = (
    r"(?:(?:medically|fact[- ]?|expert[- ]?)?(?:reviewed|checked|verified|edited)\s+by"
    r"|(?:photos?|photographs?|photography|images?|illustrations?|video)\s+(?:by|from|:))"
)
_NOT_AUTHOR_CREDIT = re.compile(rf"^{_OTHER_CREDIT}\b", re.IGNORECASE)
_OTHER_CREDIT_IN_TEXT = re.compile(rf"\b{_OTHER_CREDIT}\b", re.IGNORECASE)


def other_credit_start(text: str) -> int | None:
    """Where a byline starts crediting someone other than the writer ("… Reviewed by Jane Doe")."""
    match = _OTHER_CREDIT_IN_TEXT.search(text)
    return match.start() if match else None


_ONE_NAME = re.compile(r"^[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ]{2,}$")
_HANDLE = re.compile(r"^[a-z0-9._-]+$|_|@|https?:|www\.|\d{1,2}:\d{2}|\d{4}-\d{2}|\w-\w+-\w")
MAX_ORGANISATION_WORDS = 6
MIN_ORGANISATION_CHARS = 3


def _is_degree(words: list[str]) -> bool:
    """ "M.A. Journalism", "M A Journalism" (dots dropped), "MBA Finance": a degree, not an organisation."""
    initials = "".join(words[:2]) if len(words) > 2 and all(len(w) == 1 and w.isupper() for w in words[:2]) else ""
    return is_credential(words[0]) or (bool(initials) and is_credential(initials))


def _as_organisation(part: str, marked: bool, site_name: str | None, host: str | None) -> str | None:
    """An organisation, team or desk credited where an author would be ("Thrive Agency", "EDB Team").

    From author markup any capitalised name that is not a person is one (the site crediting
    itself, a company blog); in plain text only a name with an organisation or unit word, or the
    site's own name. Handles, e-mails, URLs, times, page chrome ("Full Bio") and a company named
    with its legal form ("Acme Inc", the business behind the site, not a writer) are not.
    """
    part = _TAIL.split(part, maxsplit=1)[0].strip(" ,:;-–—|'\"“”.©®™")
    words = part.split()
    if len(part) < MIN_ORGANISATION_CHARS or len(words) > MAX_ORGANISATION_WORDS:
        return None
    if _HANDLE.search(part) or not part[0].isupper():
        return None
    not_names = _other_words()[0]
    if any(w.lower().strip(".,:") in not_names for w in words) or _is_degree(words):
        return None
    titles, organisation_words = _name_words()
    lowered_words = [w.lower().strip(".,:") for w in words]
    if lowered_words[-1] in _legal_forms():
        return None  # "Acme Dentistry PC", "Acme Inc.": the business that owns the site, not who wrote
    roles = _role_nouns()
    if lowered_words[-1] in roles or any(a in roles and b == "of" for a, b in pairwise(lowered_words)):
        return None  # "Marketing Director", "Vice President of Sales": someone's job, not an organisation
    paired_titles = any(a in titles and b in titles for a, b in pairwise(lowered_words))
    if lowered_words[0] in titles - _UNIT_WORDS or lowered_words[0] in _SUFFIXES or paired_titles:
        return None  # "Head of Marketing", "Webmaster", "Staff Writer Jane Doe": a job, not who wrote it
    lowered = {w.lower().strip(".,:'’") for w in words}
    if marked or lowered & (organisation_words | _UNIT_WORDS) or _is_site(part, site_name, host):
        return part
    return None


def is_unit_credit(name: str) -> bool:
    """A desk, team or staff of the publisher ("TOI Lifestyle Desk", "The Acme Team"), not a person.

    "Jane Doe - Acme Editorial Team" is a person with her team, not a unit.
    """
    words = name.split()
    if len(words) < 2 or words[-1].lower().strip(".,") not in _UNIT_WORDS:
        return False
    head = re.split(r"\s+[-–—|]\s+", name, maxsplit=1)[0]
    return head == name or _as_person(head) is None


def parse_byline(
    raw: str, site_name: str | None = None, host: str | None = None, *, single: bool = False, structured: bool = False
) -> Byline:
    """Split a byline into authors and credits; anything that is neither is left out.

    ``site_name`` (the publisher) and the site's ``host`` name are never taken for a person.
    ``single`` accepts one-word names ("Maddy"): only for sources marked up as an author, and
    with ``structured`` (a metadata author value) also several ("Maria & Katerina").
    Organisations named as the author ("Acme Team") are credits, like agencies.
    """
    text = " ".join(html.unescape(raw).split())  # "Maria &amp; Katerina" from double-escaped metadata
    if _NOT_AUTHOR_CREDIT.match(text):
        return Byline(raw=raw.strip(), authors=(), credits=())
    text = _lead_in().sub("", _LEADING_DATE.sub("", text, count=1), count=1)
    if _HEADLINE.match(_TAIL.split(text, maxsplit=1)[0]):
        return Byline(raw=raw.strip(), authors=(), credits=())
    authors: list[str] = []
    credits: list[str] = []
    parts = _parts(text)
    marked = single
    # "Research" out of "Center for … and Research" is no name; "Maria & Katerina" are two
    single = single and (len(parts) == 1 or (structured and all(_ONE_NAME.match(p) for p in parts)))
    for part in parts:
        part = _lead_in().sub("", part, count=1)
        if agency := _as_agency(part):
            credits.append(agency)
        elif person := _as_person(part, site_name, host, single):
            authors.append(person)
        elif organisation := _as_organisation(part, marked and len(parts) == 1, site_name, host):
            credits.append(organisation)
    if not authors and len(parts) > 1 and (whole := _as_organisation(text, False, site_name, host)):
        # "Center for Drug Evaluation and Research": the "and" is inside one organisation's name
        credits = [c for c in credits if c in agency_names().values()] + [whole]
    return Byline(raw=raw.strip(), authors=tuple(dict.fromkeys(authors)), credits=tuple(dict.fromkeys(credits)))


def names_from_list(
    names: list[str] | tuple[str, ...], site_name: str | None = None, host: str | None = None
) -> Byline:
    """Parse structured author names (JSON-LD, meta) one by one, keeping their order."""
    authors: list[str] = []
    credits: list[str] = []
    for name in names:
        parsed = parse_byline(name, site_name, host, single=True, structured=True)
        authors.extend(parsed.authors)
        credits.extend(parsed.credits)
    raw = ", ".join(names)
    return Byline(raw=raw, authors=tuple(dict.fromkeys(authors)), credits=tuple(dict.fromkeys(credits)))
