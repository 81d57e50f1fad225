"""HTML capture extraction: structured metadata, trafilatura with a readability second opinion, line rules."""

from __future__ import annotations

import copy
import re
import threading
import tomllib
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import accumulate, pairwise
from urllib.parse import urlsplit

import trafilatura
from lxml import etree
from lxml import html as lxml_html
from readability import Document as ReadabilityDocument
from readability.readability import Unparseable
from trafilatura.metadata import extract_author
from trafilatura.readability_lxml import Document as QuickReadability
from trafilatura.utils import INVALID_XML_CHARS, is_dubious_html

from cleaners.byline import Byline, is_unit_credit, names_from_list, parse_byline
from cleaners.dates import find_dates
from cleaners.errors import Rejected
from cleaners.metadata import (
    PageMetadata,
    Wrappers,
    byline_candidates,
    choose_title,
    coauthor_links,
    extract_metadata,
    headline_element,
    headline_wrappers,
    text_pieces,
    unescape_html,
)
from cleaners.modes import ExtractionMode
from cleaners.profiles import Rule, default_profiles
from cleaners.text import RuleMatcher, rule_matcher

_WORD = re.compile(r"\w+", re.UNICODE)
_SPACES = re.compile(r"[ \t\r\n\f\v\u00a0\u2000-\u200a\u202f]+")
#: ``_SPACES`` but line breaks: a text's lines squashed in one pass, not one regex call a line.
_SPACES_IN_LINE = re.compile(r"[ \t\r\f\v\u00a0\u2000-\u200a\u202f]+")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_LINK_PREFIX = re.compile(r"^(?:[-•*·>»]\s*|(?:read|see|watch)(?: more| also)?\s*:\s*|related\s*:\s*)", re.I)
MIN_LINK_LINE_WORDS = 5
_BULLETS = ("-", "–", "—", "•", "*", "·", "http", "www.")
MAX_LINK_LINE_WORDS = 25
#: A page holding its story twice (a hidden, print or app copy) gives the body again: a run of at
#: least COPY_MIN_PARAGRAPHS paragraphs repeating, in order, the body from one of its first
#: COPY_STARTS long paragraphs (of LONG_PARAGRAPH_WORDS words or more), and holding at least
#: COPY_MIN_SHARE of the words before it. Repeated lines (an interview's recurring question, a
#: meal plan's repeated dish, a product list's repeated feature) are prose and stay.
COPY_MIN_PARAGRAPHS = 3
COPY_MIN_SHARE = 0.5
COPY_STARTS = 3
LONG_PARAGRAPH_WORDS = 8
#: A JSON-LD articleBody replaces the extracted text only when it is at least this long
#: relative to the extracted text, and covers most of it (it is the full body, not a teaser).
ARTICLE_BODY_MIN_RATIO = 0.9
ARTICLE_BODY_MIN_COVER = 0.9
#: trafilatura's precision mode is used while it keeps this share of its default mode's words.
PRECISION_MIN_KEPT = 0.8
#: readability replaces trafilatura when it finds this many times more words and contains
#: (paragraph by paragraph) this share of trafilatura's words.
SECOND_OPINION_RATIO = 2.0
SECOND_OPINION_COVER = 0.9
#: ... or, whatever it contains, when it finds this many times more words.
LOST_BLOCK_RATIO = 8.0
#: readability-lxml runs only where its quick port finds more than this many times trafilatura's
#: words (below SECOND_OPINION_RATIO, so a near miss of the port still gets the real check).
QUICK_SCREEN_RATIO = 1.5
#: Where trafilatura finds fewer words than this, readability-lxml is asked without the quick
#: port's screen (the port often fails on the same pages; nothing found means nothing to lose).
NOTHING_FOUND_WORDS = 50
#: Blocks the extractor dropped inside the article (a listicle's items, a guide's lists, tables
#: and subheadings) are put back: leaf blocks lying between two kept paragraphs that are found
#: in the page, in the order kept, inside the lowest element holding them all. Only where at
#: least RECOVER_MIN_ANCHORS kept paragraphs, holding RECOVER_MIN_ANCHORED of the kept words, are
#: found; a block is skipped when more than RECOVER_MAX_LINK_SHARE of its words are link text,
#: or RECOVER_SEEN_SHARE of its text is kept already (trafilatura splits and joins blocks).
RECOVER_MIN_ANCHORS = 3
RECOVER_MIN_ANCHORED = 0.6
RECOVER_MAX_LINK_SHARE = 0.5
RECOVER_SEEN_SHARE = 0.5
#: A kept block inside an element whose class names furniture (``drop_block_classes``) is taken
#: out, unless the paragraphs found inside that element hold this share of the found words.
FURNITURE_MAX_SHARE = 0.5
#: A paragraph of at least this many words that repeats the one kept just before it is the
#: extractor's double (a block nested in a block of the same text); a shorter one may be a value
#: in adjacent cells ("265 lbs").
REPEAT_MIN_WORDS = 3
#: A popup's text is cut out of the kept paragraphs when it holds at least this many words (a
#: shorter one may be the term itself, shown in the sentence: "has-tooltip" on a name).
POPUP_MIN_WORDS = 4
#: Characters per shingle when telling whether a block's text is kept already (any script).
SEEN_SHINGLE = 12
_LEAF_TAGS = ("p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "dd", "dt", "blockquote", "pre")
#: Elements whose blocks are never put back: code, media and captions, page furniture.
_NOT_PROSE_TAGS = frozenset(
    {"pre", "code", "figure", "figcaption", "aside", "nav", "footer", "header", "form", "button", "label"}
    | {"script", "style", "noscript", "template", "select", "iframe", "svg"}
)


@dataclass(frozen=True, slots=True)
class HtmlExtraction:
    """What the HTML extractor found in one page (plain values only: safe to pickle)."""

    paragraphs: tuple[str, ...]
    title: str | None
    byline: str | None
    published: str | None
    publisher: str | None
    language: str | None
    authors: tuple[str, ...] = ()
    credits: tuple[str, ...] = ()
    updated: str | None = None
    date_source: str | None = None
    updated_source: str | None = None


@dataclass(frozen=True)
class ChromeRules:
    """Generic chrome line patterns (``cleaners/data/html_chrome.toml``)."""

    #: The file's ``drop_lines`` as rules, matched the way profile rules are: a line is tried only
    #: against the patterns that can start with its first character and match its length (one
    #: alternation of every pattern cost about 30 µs a line, most lines being prose).
    matcher: RuleMatcher
    #: The file's ``skip_block_classes``: a class or id naming page furniture (a caption, a
    #: share bar, a newsletter box); blocks inside such an element are never put back.
    skip_classes: re.Pattern[str]
    #: The file's ``drop_block_classes``: a class naming furniture (a newsletter box, related
    #: stories) whose blocks are taken out of the body where the extractor kept them; matched
    #: against whole word parts of the class (``class_words``), so "shareable-quote" is no "share".
    drop_classes: re.Pattern[str]
    #: The file's ``popup_classes``: a class naming a popup (a tooltip, a hover card) inside a
    #: paragraph, whose text is cut out of the kept paragraphs.
    popup_classes: re.Pattern[str]
    #: The file's ``popup_trigger_classes`` and ``popup_text_attributes``: the tooltip's term, not its text.
    popup_trigger_classes: re.Pattern[str]
    popup_text_attributes: tuple[str, ...]


def _any_of(words: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{word})" for word in words), re.IGNORECASE)


def _any_word_of(words: list[str]) -> re.Pattern[str]:
    """``_any_of`` matching whole words only (of ``class_words``' text)."""
    return re.compile(r"\b(?:" + "|".join(f"(?:{word})" for word in words) + r")\b", re.IGNORECASE)


#: A class's tokens: a word, then any number ("sidebar2"), or else a run of letters and digits.
_CLASS_TOKEN = re.compile(r"([A-Za-z]+)([0-9]*)(?![A-Za-z0-9])|[A-Za-z0-9]+")
_CAMEL_PART = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")


def class_words(value: str) -> str:
    """A class attribute's word parts, lower-cased and space-separated: "Newsletter-container
    shareableQuote sidebar2" gives "newsletter container shareable quote sidebar 2". A token with
    letters after a digit is a generated id ("element-2638ad0") and stays whole: no "ad" in it."""
    parts = []
    for match in _CLASS_TOKEN.finditer(value):
        word, number = match.group(1, 2)
        parts.extend([*_CAMEL_PART.findall(word), number] if word else [match.group()])
    return " ".join(part for part in parts if part).lower()


@lru_cache(maxsize=1)
def chrome_rules() -> ChromeRules:
    """The chrome rules shipped with the package, compiled once per process."""
    text = (resources.files("cleaners") / "data" / "html_chrome.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    rules = [
        Rule(f"html_chrome.{number}", "drop", "a page-chrome line shape", (re.compile(line, re.IGNORECASE),))
        for number, line in enumerate(data["drop_lines"], start=1)
    ]
    return ChromeRules(
        RuleMatcher(rules),
        _any_of(data["skip_block_classes"]),
        _any_word_of(data["drop_block_classes"]),
        _any_of(data["popup_classes"]),
        _any_of(data["popup_trigger_classes"]),
        tuple(data["popup_text_attributes"]),
    )


_PARSERS = threading.local()


def _html_parser() -> lxml_html.HTMLParser:
    """This thread's parser: trafilatura's settings, with lxml's C class lookup instead of
    lxml.html's Python one (called for every element Python touches, about 4 ms a page; it only
    adds form-control classes, which nothing here uses). Every element is still an HtmlElement."""
    parser = getattr(_PARSERS, "parser", None)
    if parser is None:
        parser = lxml_html.HTMLParser(
            collect_ids=False, default_doctype=False, encoding="utf-8", remove_comments=True, remove_pis=True
        )
        lookup = etree.ElementDefaultClassLookup(
            element=lxml_html.HtmlElement,
            comment=lxml_html.HtmlComment,
            pi=lxml_html.HtmlProcessingInstruction,
            entity=lxml_html.HtmlEntity,
        )
        parser.set_element_class_lookup(lookup)
        _PARSERS.parser = parser
    return parser


_DOCTYPE_WITH_SLASH = re.compile("^< ?! ?DOCTYPE[^>]*/[^<>]*>", re.IGNORECASE)
_SELF_CLOSING_HTML = re.compile(r"(<html.*?)\s*/>", re.IGNORECASE)
#: The characters XML cannot hold that text from ``decode_bytes`` may still have (it removed the C0 controls).
_NONCHARACTERS = ("\ufffe", "\uffff")


def repair_markup(markup: str, beginning: str, controls_removed: bool = False) -> str:
    """trafilatura's ``repair_faulty_html``: characters XML cannot hold removed, a DOCTYPE holding
    a slash and a self-closing ``<html/>`` fixed for libxml2. With ``controls_removed`` (text from
    ``decode_bytes``), only the two noncharacters are looked for: its whole-page regex costs about
    1.5 ms a page and finds nothing there."""
    if not controls_removed:
        markup = INVALID_XML_CHARS.sub("", markup)
    elif any(c in markup for c in _NONCHARACTERS):
        markup = markup.replace(_NONCHARACTERS[0], "").replace(_NONCHARACTERS[1], "")
    if "doctype" in beginning:
        first_line, _, rest = markup.partition("\n")
        markup = _DOCTYPE_WITH_SLASH.sub("", first_line, count=1) + "\n" + rest
    for line in markup[:4096].splitlines()[:4]:
        if "<html" in line and line.endswith("/>"):
            return _SELF_CLOSING_HTML.sub(r"\1>", markup, count=1)
    return markup


def _parse(markup: str, controls_removed: bool = False) -> lxml_html.HtmlElement | None:
    """The page as trafilatura's ``load_html`` parses a string: repaired, as text, else as UTF-8 bytes."""
    beginning = markup[:50].lower()
    markup = repair_markup(markup, beginning, controls_removed)
    parser = _html_parser()
    try:
        tree = lxml_html.fromstring(markup, parser=parser)
    except ValueError:  # a str with an encoding declaration
        tree = None
    if tree is None or len(tree) < 1:
        tree = lxml_html.fromstring(markup.encode("utf-8", "surrogatepass"), parser=parser)
    if tree is not None and is_dubious_html(beginning) and len(tree) < 2:
        return None  # no <html> and barely any structure: not a page
    if tree is not None:
        _adopt_trailing_roots(tree)
    return tree


def _adopt_trailing_roots(root: lxml_html.HtmlElement) -> None:
    """Markup after the page's ``</html>`` (a template that closes the page and goes on) into its
    body, where a browser shows it: lxml makes it another top-level element, beside the root,
    that nothing searching the root's descendants finds."""
    body = root.find("body")
    target = root if body is None else body
    for sibling in list(root.itersiblings(etree.Element)):
        inner = sibling.find("body") if sibling.tag == "html" else None
        source = sibling if inner is None else inner
        if source.text and source.text.strip():  # text right after </html>, before any element
            _append_text(target, source.text)
        target.extend(child for child in list(source) if child.tag != "head")  # moved, not copied


def _append_text(element: lxml_html.HtmlElement, text: str) -> None:
    """``text`` after the last thing ``element`` holds."""
    last = element[-1] if len(element) else None
    if last is None:
        element.text = (element.text or "") + text
    else:
        last.tail = (last.tail or "") + text


def parse_tree(html: str, controls_removed: bool = False) -> lxml_html.HtmlElement:
    """An lxml tree of the page (``controls_removed``: ``html`` comes from ``decode_bytes``, which
    removed the C0 controls). Raises Rejected when lxml cannot parse it."""
    try:
        tree = _parse(_XML_DECLARATION.sub("", html, count=1), controls_removed)
    except (ValueError, etree.LxmlError, RecursionError) as exc:
        raise Rejected("extract", "unparsable_html", f"the HTML could not be parsed: {exc}") from exc
    if tree is None:
        raise Rejected("extract", "unparsable_html", "the HTML could not be parsed")
    return tree


def _fold(text: str) -> str:
    return " ".join(_WORD.findall(text.lower()))


_NOT_WORD_OR_NUL = re.compile(r"[^\w\x00]+")


def fold_all(texts: list[str]) -> list[str]:
    """``_fold`` of each text, in one pass over their NUL-joined text (not two regex calls a text)."""
    joined = "\x00".join(texts).lower()
    if not texts or joined.count("\x00") != len(texts) - 1:  # a text holding a NUL: one by one
        return [_fold(text) for text in texts]
    return [piece.strip(" ") for piece in _NOT_WORD_OR_NUL.sub(" ", joined).split("\x00")]


def link_texts(tree: lxml_html.HtmlElement) -> frozenset[str]:
    """Folded texts of the page's links of a few words (related-story headlines and such)."""
    texts = []
    for anchor in tree.iter("a"):
        href = (anchor.get("href") or "").strip()
        if href and not href.startswith(("#", "javascript:")):
            texts.append(anchor.text_content())
    return frozenset(f for f in fold_all(texts) if MIN_LINK_LINE_WORDS <= f.count(" ") + 1 <= MAX_LINK_LINE_WORDS)


def is_chrome_line(line: str, links: frozenset[str], rules: ChromeRules) -> bool:
    """A paragraph that is page chrome: a known line shape, or nothing but a link's text."""
    if rules.matcher.match(line) is not None:
        return True
    if line.rstrip().endswith((".", "!", "?", ":", ";", ",")) or line.lstrip().startswith(_BULLETS):
        return False
    folded = _fold(_LINK_PREFIX.sub("", line))
    return folded.count(" ") + 1 >= MIN_LINK_LINE_WORDS and folded in links


def trafilatura_paragraphs(tree: lxml_html.HtmlElement, url: str | None, **options: bool) -> list[str]:
    """Body paragraphs trafilatura finds in a tree (it works on its own copy: ``tree`` is unchanged)."""
    try:
        document = trafilatura.bare_extraction(
            tree, url=url, with_metadata=False, include_comments=False, include_tables=True, **options
        )
    except (ValueError, RecursionError):
        return []
    return squashed_lines((document.text if document else "") or "")


def squashed_lines(text: str) -> list[str]:
    """The non-blank lines of ``text``, each ``_squash``ed (in one regex pass over the whole text)."""
    return [line for raw in _SPACES_IN_LINE.sub(" ", text).split("\n") if (line := raw.strip())]


def _squash(text: str) -> str:
    """Runs of spaces, tabs and no-break spaces as one space (an ideographic space is kept)."""
    return _SPACES.sub(" ", text).strip()


def _words(paragraphs: list[str]) -> int:
    return sum(len(_WORD.findall(p)) for p in paragraphs)


def _covers(long_text: str, paragraphs: list[str]) -> float:
    """Share of the paragraphs' words found (paragraph by paragraph) in ``long_text``."""
    folded = _fold(long_text)
    total = _words(paragraphs) or 1
    return sum(len(_WORD.findall(p)) for p in paragraphs if _fold(p) in folded) / total


def _article_body(metadata: PageMetadata, paragraphs: list[str]) -> list[str] | None:
    """The JSON-LD articleBody as paragraphs, when it is the full article (not a teaser)."""
    body = metadata.article_body
    if not body or "<" in body[:200]:
        return None
    candidate = [" ".join(unescape_html(p).split()) for p in re.split(r"\n+", body) if p.strip()]
    if len(candidate) < 2:
        return None
    if _words(candidate) < ARTICLE_BODY_MIN_RATIO * _words(paragraphs):
        return None
    return candidate if _covers(body, paragraphs) >= ARTICLE_BODY_MIN_COVER else None


def _leaf_blocks(tree: lxml_html.HtmlElement) -> list[lxml_html.HtmlElement]:
    """The page's block elements (paragraphs, list items, headings, cells) holding no other block."""
    return [el for el in tree.iter(*_LEAF_TAGS) if next(el.iterdescendants(*_LEAF_TAGS), None) is None]


def _anchors(paragraphs: list[str], folded_blocks: list[str]) -> list[tuple[int, int]]:
    """(paragraph, block) pairs: each paragraph found as the text of a block after the last one found."""
    where: dict[str, list[int]] = {}
    for number, folded in enumerate(folded_blocks):
        if folded:
            where.setdefault(folded, []).append(number)
    found: list[tuple[int, int]] = []
    for number, folded in enumerate(fold_all(paragraphs)):
        places = where.get(folded, ())
        after = bisect_right(places, found[-1][1]) if found else 0
        if after < len(places):
            found.append((number, places[after]))
    return found


def _lowest_common_ancestor(first: lxml_html.HtmlElement, last: lxml_html.HtmlElement) -> lxml_html.HtmlElement | None:
    """The innermost element holding both (for elements in page order, it holds all between them)."""
    above_last = set(last.iterancestors())
    return next((a for a in first.iterancestors() if a in above_last), None)


def _is_furniture(block: lxml_html.HtmlElement, container: lxml_html.HtmlElement, skip: re.Pattern[str]) -> bool:
    """A block inside code, a caption, page furniture or a hidden element (up to the container)."""
    if any(True for _ in block.iterdescendants("code", "script", "style")):
        return True
    element: lxml_html.HtmlElement | None = block
    while element is not None and element is not container:
        style = (element.get("style") or "").replace(" ", "").lower()
        hidden = element.get("hidden") is not None or element.get("aria-hidden") == "true"
        if element.tag in _NOT_PROSE_TAGS or hidden or "display:none" in style or "visibility:hidden" in style:
            return True
        if skip.search(f"{element.get('class') or ''} {element.get('id') or ''}"):
            return True
        element = element.getparent()
    return False


def _seen(text: str, kept: str, kept_words: str, shingles: set[str]) -> bool:
    """Whether ``text`` is kept already, mostly: half of its SEEN_SHINGLE-character pieces (word
    characters only, so in any script) are pieces of the kept text. A text shorter than one piece
    must be there whole: as words (``kept_words``, folded and space-padded) when it has spaces,
    so that a heading "Cons" is not found in "considered"; as characters in unspaced scripts."""
    words = _WORD.findall(text.lower())
    flat = "".join(words)
    if len(flat) < SEEN_SHINGLE:
        return f" {' '.join(words)} " in kept_words if len(words) > 1 or flat.isascii() else flat in kept
    probes = [flat[k : k + SEEN_SHINGLE] for k in range(0, len(flat) - SEEN_SHINGLE + 1, 4)]
    return sum(probe in shingles for probe in probes) >= RECOVER_SEEN_SHARE * len(probes)


_LINE_BREAKS = frozenset({"br"})


def _inline_text(block: lxml_html.HtmlElement) -> str:
    """A block's text as a reader sees it: inline elements' texts joined where they stand (no
    space inside "Agi<em>'s</em>"), a space where a ``<br>`` breaks the line."""
    if block.find(".//br") is None:
        return _squash("".join(block.itertext()))
    pieces: list[str] = []
    text_pieces(block, pieces, _LINE_BREAKS, " ")
    return _squash("".join(pieces))


def _link_share(block: lxml_html.HtmlElement, words: int) -> float:
    return sum(len(_WORD.findall(a.text_content())) for a in block.iter("a")) / max(words, 1)


def _kept_furniture(
    paragraphs: list[str],
    anchors: list[tuple[int, int]],
    blocks: list[lxml_html.HtmlElement],
    container: lxml_html.HtmlElement,
) -> set[int]:
    """The kept paragraphs found inside an element (below the container) whose class names
    furniture, unless the paragraphs found inside it hold FURNITURE_MAX_SHARE of the found words."""
    drop = chrome_rules().drop_classes
    inside: dict[lxml_html.HtmlElement, list[int]] = {}
    for paragraph, block in anchors:
        element = blocks[block]
        while element is not None and element is not container:
            if (classes := element.get("class")) and drop.search(class_words(classes)):
                inside.setdefault(element, []).append(paragraph)
                break
            element = element.getparent()
    found = sum(len(_WORD.findall(paragraphs[p])) for p, _ in anchors)
    return {
        p
        for numbers in inside.values()
        if sum(len(_WORD.findall(paragraphs[n])) for n in numbers) < FURNITURE_MAX_SHARE * found
        for p in numbers
    }


def recover_dropped_blocks(paragraphs: list[str], tree: lxml_html.HtmlElement) -> list[str]:
    """The body with the blocks the extractor dropped between two of its paragraphs put back,
    and those it kept inside page furniture (a newsletter box, related stories) taken out."""
    if len(paragraphs) < RECOVER_MIN_ANCHORS:
        return paragraphs
    blocks = _leaf_blocks(tree)
    anchors = _anchors(paragraphs, fold_all([block.text_content() for block in blocks]))
    anchored = sum(len(_WORD.findall(paragraphs[p])) for p, _ in anchors)
    if len(anchors) < RECOVER_MIN_ANCHORS or anchored < RECOVER_MIN_ANCHORED * _words(paragraphs):
        return paragraphs
    container = _lowest_common_ancestor(blocks[anchors[0][1]], blocks[anchors[-1][1]])
    if container is None:
        return paragraphs
    kept_list = _WORD.findall(" ".join(paragraphs).lower())
    flat, kept_words = "".join(kept_list), f" {' '.join(kept_list)} "
    shingles = {flat[k : k + SEEN_SHINGLE] for k in range(len(flat) - SEEN_SHINGLE + 1)}
    skip = chrome_rules().skip_classes
    inserts: dict[int, list[str]] = {}
    for (paragraph, start), (_, end) in pairwise(anchors):
        for block in blocks[start + 1 : end]:
            text = _inline_text(block)
            words = len(_WORD.findall(text))
            if (
                not words
                or _seen(text, flat, kept_words, shingles)
                or _link_share(block, words) > RECOVER_MAX_LINK_SHARE
            ):
                continue
            if not _is_furniture(block, container, skip):
                inserts.setdefault(paragraph, []).append(text)
    furniture = _kept_furniture(paragraphs, anchors, blocks, container)
    return [
        line
        for number, p in enumerate(paragraphs)
        for line in ((p,) if number not in furniture else ()) + tuple(inserts.get(number, ()))
    ]


_POPUP_PLACES = "//p//*[@class] | //li//*[@class] | //td//*[@class]"


def popup_texts(tree: lxml_html.HtmlElement) -> list[str]:
    """Texts of the popups inside the page's paragraphs, list items and cells (a glossary
    tooltip, a hover card): the innermost element whose class names one, not a link, of
    POPUP_MIN_WORDS words or more."""
    rules = chrome_rules()
    popup = rules.popup_classes
    texts: list[str] = []
    for element in tree.xpath(_POPUP_PLACES):
        if element.tag == "a" or not popup.search(classes := element.get("class") or ""):
            continue
        if rules.popup_trigger_classes.search(classes) or any(element.get(a) for a in rules.popup_text_attributes):
            continue  # the visible term, its tooltip in an attribute or a sibling
        if any(popup.search(inner.get("class") or "") for inner in element.iterdescendants(etree.Element)):
            continue
        text = _squash(element.text_content())
        if len(_WORD.findall(text)) >= POPUP_MIN_WORDS:
            texts.append(text)
    return texts


def without_popups(paragraphs: list[str], popups: list[str]) -> list[str]:
    """The paragraphs with the popups' texts cut out where they stand (the extractor joins a
    hover card's text into the sentence: "Rep. Ilhan OmarIlhan OmarHillicon Valley: … Omar")."""
    for text in popups:
        paragraphs = [_squash(p.replace(text, " ")) if text in p else p for p in paragraphs]
    return [p for p in paragraphs if p]


def clean_lines(paragraphs: list[str], links: frozenset[str]) -> tuple[list[str], list[str]]:
    """(kept paragraphs, credit lines): chrome lines and the generic profile's rule matches removed."""
    rules = chrome_rules()
    matched = rule_matcher(None, default_profiles().generic).match_lines(paragraphs)
    kept: list[str] = []
    credits: list[str] = []
    for line, rule in zip(paragraphs, matched, strict=True):
        if rule is not None and rule.action == "credit":
            credits.append(line)
            continue
        if rule is not None and rule.action in ("drop", "end"):
            continue
        if is_chrome_line(line, links, rules) or _repeats_last(line, kept):
            continue
        kept.append(line)
    return without_article_copies(kept), credits


def _repeats_last(line: str, kept: list[str]) -> bool:
    """The same paragraph again right after itself, of REPEAT_MIN_WORDS words or more."""
    return bool(kept) and line == kept[-1] and line.count(" ") + 1 >= REPEAT_MIN_WORDS


def without_article_copies(paragraphs: list[str]) -> list[str]:
    """The body without the runs that start it over (a second copy of the article), together
    with the short lines (a headline, a dek) that open the copy as they open the article."""
    folded = fold_all(paragraphs)
    words = [f.count(" ") + 1 if f else 0 for f in folded]
    before = list(accumulate(words, initial=0))  # before[i]: words of paragraphs[:i]
    starts = [i for i, count in enumerate(words) if count >= LONG_PARAGRAPH_WORDS][:COPY_STARTS]
    kept: list[int] = []
    kept_words = 0
    position = 0
    while position < len(paragraphs):
        length, start = max(((_run_length(folded, s, position), s) for s in starts if s < position), default=(0, 0))
        copy_words = before[position + length] - before[position]
        if length >= COPY_MIN_PARAGRAPHS and copy_words >= COPY_MIN_SHARE * kept_words:
            back = 1
            while (
                back <= start
                and kept
                and kept[-1] == position - back
                and folded[start - back] == folded[position - back]
            ):
                kept_words -= words[kept.pop()]
                back += 1
            position += length
            continue
        kept.append(position)
        kept_words += words[position]
        position += 1
    return [paragraphs[i] for i in kept]


def _run_length(folded: list[str], start: int, position: int) -> int:
    """How many paragraphs from ``position`` repeat those from ``start`` (``start`` < ``position``)."""
    length = 0
    while (
        position + length < len(folded)
        and start + length < position
        and folded[start + length] == folded[position + length]
    ):
        length += 1
    return length


def _block_texts(summary: str) -> list[str]:
    tree = lxml_html.fragment_fromstring(summary, create_parent="div")
    blocks = tree.iter("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "td", "dt", "dd")
    return [text for element in blocks if (text := " ".join(element.text_content().split()))]


def quick_readability_paragraphs(page: lxml_html.HtmlElement) -> list[str]:
    """Paragraphs by trafilatura's port of readability: on the parsed tree, without link
    rewriting and HTML cleaning, about a tenth of readability-lxml's time (measured)."""
    try:
        return _block_texts(QuickReadability(copy.deepcopy(page)).summary())
    except (ValueError, TypeError, AssertionError, etree.ParserError, RecursionError):  # lxml asserts on some
        return []


def readability_paragraphs(page: lxml_html.HtmlElement) -> list[str]:
    """Body paragraphs by readability-lxml (the second opinion), one per block element: on a copy
    of the parsed tree (it edits it), so it sees what trafilatura sees (markup after ``</html>``)."""
    try:
        return _block_texts(ReadabilityDocument(copy.deepcopy(page)).summary(html_partial=True))
    except (ValueError, TypeError, AssertionError, etree.ParserError, RecursionError, Unparseable):
        return []


def second_opinion(tree: lxml_html.HtmlElement, body_words: int) -> list[str]:
    """readability's body, computed only where it could replace trafilatura's.

    The quick port screens first: where it finds no more than QUICK_SCREEN_RATIO times
    trafilatura's words, readability-lxml (which decides) would not reach SECOND_OPINION_RATIO.
    Where trafilatura found next to nothing, readability-lxml is asked directly.
    """
    if body_words < NOTHING_FOUND_WORDS:
        return readability_paragraphs(tree)
    if _words(quick_readability_paragraphs(tree)) <= QUICK_SCREEN_RATIO * body_words:
        return []
    return readability_paragraphs(tree)


def choose_body(default: list[str], precise: list[str], second: list[str]) -> list[str]:
    """trafilatura's precision mode unless it lost much; readability where trafilatura got little."""
    body = precise if _words(precise) >= PRECISION_MIN_KEPT * _words(default) else default
    more = _words(second) > SECOND_OPINION_RATIO * _words(body)
    if more and (not body or _covers(" ".join(second), body) >= SECOND_OPINION_COVER):
        return second
    if _words(second) > LOST_BLOCK_RATIO * _words(body):
        return second  # trafilatura took a small wrong block (a teaser list): not a near miss
    return body


def extract_body(
    tree: lxml_html.HtmlElement, url: str | None, mode: ExtractionMode = "best"
) -> tuple[list[str], list[str]]:
    """(paragraphs, credit lines) of the article body."""
    if mode == "fast":
        return clean_lines(trafilatura_paragraphs(tree, url, fast=True), link_texts(tree))
    default = trafilatura_paragraphs(tree, url)
    precise = trafilatura_paragraphs(tree, url, favor_precision=True)
    page_words = len(_WORD.findall(tree.text_content()))
    base = max(_words(default), _words(precise))
    screened = page_words > SECOND_OPINION_RATIO * base * PRECISION_MIN_KEPT
    second = second_opinion(tree, base) if screened else []
    body = recover_dropped_blocks(choose_body(default, precise, second), tree)
    return clean_lines(without_popups(body, popup_texts(tree)), link_texts(tree))


def drop_repeated_headline(paragraphs: list[str], headlines: tuple[str | None, ...]) -> list[str]:
    """The body without a first paragraph that repeats the page's headline (the record's title)."""
    folded = {_fold(h) for h in headlines if h}
    return paragraphs[1:] if paragraphs and _fold(paragraphs[0]) in folded else paragraphs


def _trafilatura_author(tree: lxml_html.HtmlElement) -> str | None:
    """trafilatura's author-markup heuristics, the last resort for a byline."""
    try:
        return extract_author(tree)
    except (ValueError, TypeError, IndexError, RecursionError):
        return None


def find_byline(
    tree: lxml_html.HtmlElement,
    metadata: PageMetadata,
    credit_lines: list[str],
    host: str | None,
    mode: ExtractionMode = "best",
) -> Byline | None:
    """Authors from structured sources first (JSON-LD, meta), then byline elements.

    The first source naming a person wins. When none does, the first source crediting an agency
    or an organisation (a JSON-LD author typed Organization, "Acme Team") gives the credits;
    when the JSON-LD/meta author is a desk or team of the publisher, that is final. A visible
    "By …" byline naming someone else beats a <meta name="author"> (not a JSON-LD author).
    """
    site = metadata.site_name
    found: Byline | None = None
    credited: Byline | None = None
    wrappers = headline_wrappers(headline_element(tree, metadata.h1)) if metadata.h1_is_headline else frozenset()
    candidates = _Candidates(tree, wrappers)
    for rank, parsed in enumerate(_byline_sources(tree, candidates, metadata, site, host, mode)):
        if parsed.authors:
            found = parsed
            break
        if parsed.credits and credited is None:
            credited = parsed
        if rank == 0 and metadata.authors and parsed.credits and all(is_unit_credit(c) for c in parsed.credits):
            break  # the page's metadata names a desk or team as the author: a name elsewhere is not it
    if found is not None and metadata.author_source == "meta" and found.raw == ", ".join(metadata.authors):
        found = _visible_byline(found, candidates, site, host) or found
    if found is not None and metadata.authors and len(found.authors) == 1:
        found = _with_listed_coauthors(found, tree, wrappers, site, host)
    found = found or credited
    extra = [c for line in credit_lines for c in parse_byline(line, site, host).credits]
    if found is None and not extra:
        return None
    if found is None:
        return Byline(raw="; ".join(credit_lines), authors=(), credits=tuple(dict.fromkeys(extra)))
    return Byline(found.raw, found.authors, tuple(dict.fromkeys((*found.credits, *extra))))


_BY_PREFIX = re.compile(r"^(?:by|written by|article by|words by|story by)\b", re.IGNORECASE)


def _name_keys(names: tuple[str, ...]) -> set[str]:
    return {" ".join(_WORD.findall(name.casefold())) for name in names}


class _Candidates:
    """A page's ``byline_candidates``, found once (a scan of every element) when first asked for."""

    def __init__(self, tree: lxml_html.HtmlElement, wrappers: Wrappers = frozenset()) -> None:
        self._tree = tree
        self._wrappers = wrappers
        self._found: list[tuple[str, bool]] | None = None

    def __iter__(self) -> Iterator[tuple[str, bool]]:
        if self._found is None:
            self._found = byline_candidates(self._tree, self._wrappers)
        return iter(self._found)


def _visible_byline(declared: Byline, candidates: _Candidates, site: str | None, host: str | None) -> Byline | None:
    """The page's first "By …" byline when it names other people than the <meta> author.

    A <meta name="author"> often carries the account that posted the page (an SEO login, the
    company) where the byline the reader sees names the writer. A visible name that extends
    the declared one ("Jane Doe Verified") is the same person.
    """
    declared_keys = _name_keys(declared.authors)
    for text, marked in candidates:
        if not _BY_PREFIX.match(text):
            continue
        shown = parse_byline(text, site, host, single=marked)
        keys = _name_keys(shown.authors)
        same = any(a.startswith(b) or b.startswith(a) for a in declared_keys for b in keys)
        return shown if shown.authors and not same else None
    return None


def _with_listed_coauthors(
    declared: Byline, tree: lxml_html.HtmlElement, wrappers: Wrappers, site: str | None, host: str | None
) -> Byline:
    """The declared (JSON-LD/meta) author with the co-authors the page lists beside the same
    author-page link ("Rui Ma, Heba Ledwon & Suparn Patra", each linking to their author page):
    metadata often names only the first."""
    listed = coauthor_links(tree, declared.authors[0], wrappers)
    if not listed:
        return declared
    shown = parse_byline(", ".join(listed), site, host)
    if len(shown.authors) < 2 or _name_keys(shown.authors[:1]) != _name_keys(declared.authors):
        return declared
    return Byline(declared.raw, shown.authors, declared.credits)


def _byline_sources(
    tree: lxml_html.HtmlElement,
    candidates: _Candidates,
    metadata: PageMetadata,
    site: str | None,
    host: str | None,
    mode: ExtractionMode,
) -> Iterator[Byline]:
    """Parsed bylines, most trusted first: JSON-LD/meta names, byline elements, trafilatura's
    guess (best mode only: its author heuristics cost about a third of a trafilatura pass)."""
    if metadata.authors:
        yield names_from_list(list(metadata.authors), site, host)
    if metadata.author_organisations:
        organisations = [o for o in metadata.author_organisations if _is_organisation_credit(o, site, host)]
        yield Byline(", ".join(metadata.author_organisations), (), tuple(dict.fromkeys(organisations)))
    for text, marked in candidates:
        yield parse_byline(text, site, host, single=marked)
    fallback = _trafilatura_author(tree) if mode == "best" else None
    if fallback:
        yield parse_byline(fallback.replace(";", ","), site, host, single=True)


def _is_organisation_credit(name: str, site: str | None, host: str | None) -> bool:
    parsed = parse_byline(name, site, host, single=True)
    return not parsed.authors and bool(parsed.credits)


def _host(url: str | None) -> str | None:
    try:
        return urlsplit(url).hostname if url else None
    except ValueError:
        return None


def extract_html(
    html: str, url: str | None = None, mode: ExtractionMode = "best", *, controls_removed: bool = False
) -> HtmlExtraction:
    """Body paragraphs and metadata of an HTML page (``controls_removed``: see ``parse_tree``).
    Raises Rejected when there is no article."""
    tree = parse_tree(html, controls_removed)
    metadata = extract_metadata(tree)
    paragraphs, credit_lines = extract_body(tree, url, mode)
    if full := _article_body(metadata, paragraphs):
        paragraphs = full
    title = choose_title(metadata)
    if mode == "best":
        paragraphs = drop_repeated_headline(paragraphs, (title, metadata.h1))
    if not paragraphs:
        raise Rejected("extract", "no_article_text", "the page has no article text that an extractor could find")
    byline = find_byline(tree, metadata, credit_lines, _host(url), mode)
    dates = find_dates(
        metadata.published if metadata.published_source == "jsonld" else None,
        metadata.published if metadata.published_source == "meta" else None,
        metadata.modified if metadata.modified_source == "jsonld" else None,
        metadata.modified if metadata.modified_source == "meta" else None,
        tree,
        url,
        time_element=metadata.time_published,
        label_date=metadata.label_published,
        headline_date=metadata.headline_date,
        headline_update=metadata.headline_update,
        headline_date_in_prose=metadata.headline_date_in_prose,
        consult_page=mode == "best" or not metadata.published,
        free_text=mode == "best",
    )
    return HtmlExtraction(
        paragraphs=tuple(paragraphs),
        title=title,
        byline=byline.raw if byline else None,
        published=dates.published,
        publisher=unescape_html(metadata.site_name) if metadata.site_name else None,
        language=metadata.language,
        authors=byline.authors if byline else (),
        credits=byline.credits if byline else (),
        updated=dates.updated,
        date_source=dates.published_source,
        updated_source=dates.updated_source,
    )
