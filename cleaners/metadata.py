"""Page metadata from structured sources: JSON-LD, <meta> tags, rel=author and byline elements."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from lxml import etree
from lxml import html as lxml_html

from cleaners.byline import other_credit_start
from cleaners.dates import foreign_date_pattern

#: JSON-LD @type values that describe the article itself.
ARTICLE_TYPES = frozenset(
    {
        "article",
        "newsarticle",
        "reportagenewsarticle",
        "analysisnewsarticle",
        "opinionnewsarticle",
        "backgroundnewsarticle",
        "reviewnewsarticle",
        "blogposting",
        "liveblogposting",
        "socialmediaposting",
        "techarticle",
        "scholarlyarticle",
        "report",
        "webpage",
        "medicalwebpage",
        "review",
        "recipe",
        "howto",
        "creativework",
    }
)
_PAGE_TYPES = frozenset({"webpage", "medicalwebpage", "creativework"})
_TITLE_SEPARATORS = re.compile(r"\s+(?:\||–|—|-|::|·|•|»|:)\s+")
_BYLINE_MARK = re.compile(r"author(?!ity|ization|ize)|byline|by-line|creator|writer|posted-by|written-by")
_BY_TEXT = re.compile(r"^(?:by|written by|posted by|words by)(?::\s*|\s+)\S", re.IGNORECASE)
#: What the first text piece of an element must start with for ``_BY_TEXT`` to match its text.
_BY_TEXT_START = re.compile(r"by|written|posted|words", re.IGNORECASE)
#: Blocks beside the article; "menu-item" is a site menu's entry outside any <nav> (WordPress).
_CHROME_CONTAINER = re.compile(
    r"comment|related|recirc|sidebar|footer|newsletter|promo|recommend|more-stories|menu-item"
)
MAX_BYLINE_CHARS = 100
MAX_UNMARKED_WORDS = 8
MAX_BYLINE_CANDIDATES = 20


@dataclass(frozen=True, slots=True)
class PageMetadata:
    """What a page says about itself in structured form (plain values only)."""

    headline: str | None = None
    og_title: str | None = None
    h1: str | None = None
    h1_segments: tuple[str, ...] = ()  # the h1 element's text pieces, one per text node
    h1_is_headline: bool = False  # a title source agrees with the h1, or it is the article's only h1
    html_title: str | None = None
    site_name: str | None = None
    authors: tuple[str, ...] = ()
    author_source: str | None = None
    author_organisations: tuple[str, ...] = ()  # JSON-LD authors typed Organization
    published: str | None = None
    published_source: str | None = None
    modified: str | None = None
    modified_source: str | None = None
    article_body: str | None = None
    language: str | None = None
    time_published: str | None = None
    label_published: str | None = None
    headline_date: str | None = None  # the first date written just after the headline, else just above it
    headline_update: str | None = None  # the date just after the headline, when it says "Updated"
    headline_date_in_prose: bool = False  # ``headline_date`` is inside a sentence, not a dateline


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        cleaned = " ".join(value.split())
        return cleaned or None
    if isinstance(value, list) and value:
        return _text(value[0])
    if isinstance(value, dict):
        return _text(value.get("name") or value.get("@value"))
    return None


def _types(node: dict[str, Any]) -> set[str]:
    value = node.get("@type")
    values = value if isinstance(value, list) else [value]
    return {v.lower().rsplit("/", 1)[-1] for v in values if isinstance(v, str)}


def _walk(data: Any) -> Iterator[dict[str, Any]]:
    """Every dict in a JSON-LD document, depth first, @graph members included."""
    stack = [data]
    while stack:
        node = stack.pop(0)
        if isinstance(node, list):
            stack[:0] = node
        elif isinstance(node, dict):
            yield node
            stack[:0] = [v for k, v in node.items() if k in ("@graph", "mainEntity", "itemListElement")]


def jsonld_nodes(tree: lxml_html.HtmlElement) -> list[dict[str, Any]]:
    """All JSON-LD objects of the page, in document order; malformed blocks are skipped."""
    nodes: list[dict[str, Any]] = []
    for script in tree.xpath("//script[@type='application/ld+json']"):
        raw = (script.text or "").strip()
        if not raw:
            continue
        try:
            data = json.loads(raw, strict=False)
        except ValueError:
            continue
        nodes.extend(_walk(data))
    return nodes


def _article_node(nodes: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The JSON-LD node describing the article: a *Article type first, a WebPage last."""
    articles = [n for n in nodes if _types(n) & ARTICLE_TYPES]
    specific = [n for n in articles if not _types(n) <= _PAGE_TYPES]
    ranked = specific or articles
    return ranked[0] if ranked else None


def _resolve(value: Any, nodes: list[dict[str, Any]]) -> Any:
    """A JSON-LD value with ``{"@id": …}`` references replaced by the node they point to.

    Yoast and other generators put the Person in the @graph and only its @id in ``author``.
    """
    if isinstance(value, list):
        return [_resolve(v, nodes) for v in value]
    if isinstance(value, dict) and "@id" in value and not value.get("name"):
        target = next((n for n in nodes if n.get("@id") == value["@id"] and n is not value and n.get("name")), None)
        return target if target is not None else value
    return value


def _person_names(value: Any) -> tuple[list[str], bool, list[str]]:
    """Names from a JSON-LD author value, whether any was typed Person, and the organisations named."""
    items = value if isinstance(value, list) else [value]
    names: list[str] = []
    organisations: list[str] = []
    typed_person = False
    for item in items:
        if isinstance(item, str):
            names.append(item)
        elif isinstance(item, dict):
            kinds = _types(item)
            name = _text(item.get("name"))
            if kinds & {"organization", "newsmediaorganization", "corporation", "website"}:
                if name:
                    organisations.append(" ".join(name.split()))
                continue
            typed_person = typed_person or "person" in kinds
            if name:
                names.append(name)
    return [" ".join(n.split()) for n in names if n and n.strip()], typed_person, organisations


def _meta(tree: lxml_html.HtmlElement) -> dict[str, str]:
    """First content of each <meta name|property|itemprop>, keys lower-cased."""
    found: dict[str, str] = {}
    for element in tree.xpath("//meta[@content]"):
        key = element.get("property") or element.get("name") or element.get("itemprop")
        content = " ".join((element.get("content") or "").split())
        if key and content:
            found.setdefault(key.strip().lower(), content)
    return found


_META_PUBLISHED = (
    "article:published_time",
    "og:article:published_time",
    "datepublished",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
    "dcterms.created",
    "dc.date",
    "publish-date",
    "pubdate",
    "date",
    "article.published",
    "publication_date",
    "cxenseparse:recs:publishtime",
)
_META_MODIFIED = ("article:modified_time", "og:updated_time", "datemodified", "dcterms.modified", "last-modified")
_META_AUTHOR = ("author", "article:author", "parsely-author", "sailthru.author", "dc.creator", "byl")


def _labelled_author(meta: dict[str, str]) -> str | None:
    """The value of a "Written by" twitter:label/twitter:data pair (Yoast SEO writes one)."""
    for number in range(1, 5):
        label = meta.get(f"twitter:label{number}", "").casefold().rstrip(": ")
        if label in ("written by", "author", "by") and meta.get(f"twitter:data{number}"):
            return meta[f"twitter:data{number}"]
    return None


def _first(meta: dict[str, str], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        if meta.get(key):
            return meta[key]
    return None


def _element_text(element: lxml_html.HtmlElement) -> str:
    return " ".join(element.text_content().split())


_PAGE_TAGS = frozenset({"body", "html"})


Wrappers = frozenset[lxml_html.HtmlElement]


def headline_wrappers(h1: lxml_html.HtmlElement | None) -> Wrappers:
    """The elements holding the page's headline: they wrap the article, whatever their names say."""
    return frozenset(h1.iterancestors()) if h1 is not None else frozenset()


def headline_element(tree: lxml_html.HtmlElement, headline: str | None) -> lxml_html.HtmlElement | None:
    """The page's first h1 whose text is ``headline`` (the h1 ``extract_metadata`` chose)."""
    if not headline:
        return None
    return next((h1 for h1 in tree.iter("h1") if _element_text(h1) == headline), None)


def _chrome_ancestor(
    element: lxml_html.HtmlElement, *, sidebar: bool = False, wrappers: Wrappers = frozenset()
) -> bool:
    """In (or itself) navigation, a footer, an aside, comments or a related-stories block.

    ``sidebar`` allows asides and sidebars (an article's own author card often sits there).
    ``wrappers`` (see ``headline_wrappers``) end the search: an element holding the headline
    wraps the article ("content-sidebar-wrap", "newsletter-post", a ``<nav>`` left unclosed
    around the page), it is no block beside it.
    """
    ancestors = [element, *element.iterancestors()]
    in_article = any(a.tag in ("article", "main") for a in ancestors)
    for ancestor in ancestors:
        if ancestor.tag in _PAGE_TAGS or ancestor in wrappers:
            break  # "has-sidebar", "footer-on-bottom" on <body> describe the page's layout, not a block
        if ancestor.tag == "nav" or (ancestor.tag == "aside" and not sidebar):
            return True
        if ancestor.tag == "footer" and not in_article:
            return True
        names = f"{ancestor.get('class') or ''} {ancestor.get('id') or ''}".lower()
        # utility-class soup ("lg:mr-[--sidebar-width]") describes layout, not what the block is
        names = " ".join(t for t in names.split() if not any(c in t for c in "[]:"))
        if set(_CHROME_CONTAINER.findall(names)) - ({"sidebar"} if sidebar else set()):
            return True
    return False


def _element_names(element: lxml_html.HtmlElement) -> str:
    return " ".join(f"{element.get(a) or ''}" for a in ("class", "id", "itemprop", "rel", "data-testid")).lower()


def _marked_as_byline(element: lxml_html.HtmlElement) -> bool:
    """class/id/itemprop/rel/data-testid naming an author or byline. All attribute values are
    screened at once first (one C call): most elements have no such word in any attribute."""
    values = element.values()
    if not values or not _BYLINE_MARK.search(" ".join(values).lower()):
        return False
    return bool(_BYLINE_MARK.search(_element_names(element)))


def _spaced_text(element: lxml_html.HtmlElement) -> str:
    """Element text with a separator between child elements' texts (names in separate links);
    links after a reviewer's or photographer's credit ("By <a>A</a>. Reviewed by <a>B</a>") are not
    the writers'."""
    links = [" ".join(a.text_content().split()) for a in element.iter("a")]
    links = [t for t in links if t]
    if len(links) < 2:
        return _block_text(element)
    text = _block_text(element)
    if (cut := other_credit_start(text)) is not None:
        links = [t for t in links if 0 <= text.find(t) < cut]
    return ", ".join(links) if links else text  # "Reviewed by <a>B</a>, <a>C</a>" names no writer


_NOT_TEXT = frozenset({"script", "style", "noscript", "template"})
_BLOCK_TAGS = frozenset(
    {"div", "p", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "section", "header", "br"}
)
_BLOCK_BREAK = "\x00"


def text_pieces(
    element: lxml_html.HtmlElement, out: list[str], breaks: frozenset[str] = _BLOCK_TAGS, mark: str = _BLOCK_BREAK
) -> None:
    """An element's texts in document order (not scripts' and styles'), ``mark`` before and
    after each element whose tag is in ``breaks``."""
    block = element.tag in breaks
    if block:
        out.append(mark)
    if element.text and element.tag not in _NOT_TEXT:
        out.append(element.text)
    for child in element:
        if isinstance(child.tag, str):
            text_pieces(child, out, breaks, mark)
        if child.tail:
            out.append(child.tail)
    if block:
        out.append(mark)


def _block_text(element: lxml_html.HtmlElement) -> str:
    """Element text with " | " where block elements meet ("By" / "Jane Doe" / "Staff writer" in
    three <div>s), and a space between inline pieces ("<span>By</span><a>Jane Doe</a>")."""
    out: list[str] = []
    text_pieces(element, out)
    lines = (" ".join(line.split()) for line in " ".join(out).split(_BLOCK_BREAK))
    return " | ".join(line for line in lines if line)


_AUTHOR_HREF = re.compile(r"/(?:authors?|writers?|contributors?|columnists?|reporters?|journalists?|byline)/[^/?#]+/?$")
_AUTHOR_LABEL = re.compile(
    r"^(?:written by|by|author|authors|posted by|words by|article by|story by|contributors?):?$", re.IGNORECASE
)
_AFTER_NAME_LABEL = re.compile(r"^[|·•–—-]\s*(?:author|writer|contributor)$", re.IGNORECASE)


_UNMARKED_TAGS = frozenset({"p", "span", "div", "address", "li", "small", "em", "strong", "h3", "h4", "h5", "h6"})
#: Elements that may hold an author label ("Written by", "Contributors:") on its own.
_LABEL_TAGS = _UNMARKED_TAGS | {"dt", "label", "h2"}
_NOT_BYLINE_TAGS = frozenset({"script", "style", "meta", "link", "title"})


def _pieces_text(element: lxml_html.HtmlElement, limit: int | None = None) -> str:
    """Element text with a space between child elements' texts ("Jane Doe" and "Last updated" not glued).

    With ``limit``, reading stops once the text is longer than that (the result is then a longer
    prefix, never the whole text): a page-wide ``<div>`` is not walked to learn it is no byline.
    """
    pieces: list[str] = []
    length = -1
    for raw in element.itertext():
        piece = " ".join(raw.split())
        if not piece:
            continue
        pieces.append(piece)
        length += len(piece) + 1
        if limit is not None and length > limit:
            break
    return " ".join(pieces)


def _first_piece(element: lxml_html.HtmlElement) -> str:
    """The first non-blank text in an element (where ``_pieces_text`` starts), cheaply."""
    if own := (element.text or "").strip():
        return own
    return next((piece for raw in element.itertext() if (piece := raw.strip())), "")


def _author_link(element: lxml_html.HtmlElement) -> bool:
    """A link to an author's page (``/author/jane-doe``): its text names the author."""
    return element.tag == "a" and bool(_AUTHOR_HREF.search((element.get("href") or "").split("?")[0]))


def _labelled_name(element: lxml_html.HtmlElement) -> str | None:
    """The name a label element points at: after "Written by", "Contributors:", before "| Author"."""
    if element.tag not in _LABEL_TAGS or len(element) or not element.text:
        return None
    label = " ".join(element.text.split())
    if _AFTER_NAME_LABEL.match(label):  # "<p>Jane Doe</p><p>| Author</p>"
        named = element.getprevious()
    elif _AUTHOR_LABEL.match(label):
        tail = " ".join((element.tail or "").split())
        if len(tail) > 2:  # "<strong>Contributors:</strong> Jane Doe"
            return tail if len(tail) <= MAX_BYLINE_CHARS else None
        named = element.getnext()
    else:
        return None
    if named is None or not isinstance(named.tag, str):
        return None
    text = _pieces_text(named)
    return text if 2 < len(text) <= MAX_BYLINE_CHARS else None


_LINK_SEPARATOR = re.compile(r"^[\s,;&]*(?:and\s*)?$", re.IGNORECASE)


def _link_runs(parent: lxml_html.HtmlElement) -> list[list[lxml_html.HtmlElement]]:
    """A parent's author-page links grouped into runs that only separators (", ", " & ", " and ") divide."""
    runs: list[list[lxml_html.HtmlElement]] = [[]]
    gap = ""
    for child in parent:
        if _author_link(child):
            if runs[-1] and not _LINK_SEPARATOR.match(gap):
                runs.append([])
            runs[-1].append(child)
            gap = child.tail or ""
        elif runs[-1]:
            gap += child.text_content() + (child.tail or "")
    return runs


def coauthor_links(tree: lxml_html.HtmlElement, name: str, wrappers: Wrappers = frozenset()) -> list[str]:
    """The names of the author-page links listed with the one named ``name``: "<a href=/author/a>A</a>,
    <a href=/author/b>B</a> & <a href=/author/c>C</a>" (sibling links, only separators between
    them), in page order; empty where no such link is listed with others. Links in navigation,
    sidebars, footers or related blocks (a team list, "Our writers") are not the byline's
    (``wrappers``: the headline's, see ``headline_wrappers``, are no such block)."""
    key = name.casefold()
    for link in tree.iter("a"):
        if not _author_link(link) or _element_text(link).casefold() != key or (parent := link.getparent()) is None:
            continue
        if _chrome_ancestor(link, wrappers=wrappers):
            continue
        run = next(r for r in _link_runs(parent) if link in r)
        if len(run) > 1:
            return [_element_text(a) for a in run]
    return []


#: The name heading an author box: two to four capitalised words, nothing else.
_BOX_NAME = re.compile(r"^[A-ZÀ-ÖØ-Þ][\w'’.-]+(?: [A-ZÀ-ÖØ-Þ][\w'’.-]*){1,3}$")
#: How many of an author box's first text pieces are tried for its name.
MAX_BOX_PIECES = 3
#: An author-marked element with more text than this is a wrapper (a post with its byline), not a
#: box of a name and a short bio.
MAX_BOX_CHARS = 1000
#: Text pieces of an author box: not those of scripts and styles.
_BOX_TEXTS = etree.XPath(".//text()[not(ancestor::script) and not(ancestor::style)]")


def _box_name(element: lxml_html.HtmlElement, text: str) -> str | None:
    """The name an author box (marked as an author, too long to be a byline) starts with.

    "<div class=author-box><div>Jane Doe</div><p>Jane Doe writes about …</p></div>": the first
    short pieces are tried; a name shape only (the caller parses it as an unmarked byline). Over
    MAX_BOX_CHARS of ``text``, the element wraps more than an author (a post and its byline).
    """
    if len(text) > MAX_BOX_CHARS:
        return None
    pieces = (" ".join(str(raw).split()) for raw in _BOX_TEXTS(element))
    for piece in [p for p in pieces if p][:MAX_BOX_PIECES]:
        if _BOX_NAME.match(piece):
            return piece
    return None


def byline_candidates(tree: lxml_html.HtmlElement, wrappers: Wrappers = frozenset()) -> list[tuple[str, bool]]:
    """(text, marked) of byline-like elements in page order, ``marked`` when the markup says author.

    Marked: itemprop/rel/class/id naming an author or byline. Unmarked: a short "By Jane Doe" text.
    ``wrappers`` (the headline's, see ``headline_wrappers``) are never chrome.
    """
    found: list[tuple[str, bool]] = []
    seen: set[str] = set()
    body = tree.find("body")
    for element in (body if body is not None else tree).iter(etree.Element):
        if element.tag in _NOT_BYLINE_TAGS:
            continue
        # An author-marked element holding the headline wraps the post ("post-with-author"): its
        # text starts with the headline, not a name.
        marked = (_marked_as_byline(element) or _author_link(element)) and element.find(".//h1") is None
        labelled = _labelled_name(element)
        if labelled and labelled not in seen and not _chrome_ancestor(element, sidebar=True, wrappers=wrappers):
            seen.add(labelled)
            found.append((labelled, True))
            continue
        if not marked and (element.tag not in _UNMARKED_TAGS or not _BY_TEXT_START.match(_first_piece(element))):
            continue
        text = _spaced_text(element) if marked else _pieces_text(element, MAX_BYLINE_CHARS)
        boxed = marked and len(text) > MAX_BYLINE_CHARS
        if boxed:  # an author box: its name, then a bio (parsed as plain text: two words at least)
            text, marked = _box_name(element, text) or "", False
        if not 2 < len(text) <= MAX_BYLINE_CHARS or text in seen:
            continue
        if not marked and not boxed:
            if not _BY_TEXT.match(text) or len(text.split()) > MAX_UNMARKED_WORDS:
                continue
            text = _block_text(element)
        if _chrome_ancestor(element, wrappers=wrappers):
            continue
        seen.add(text)
        found.append((text, marked))
        if len(found) >= MAX_BYLINE_CANDIDATES:
            break
    return found


_UPDATE_MARK = re.compile(r"updat|modif|revis|edited", re.IGNORECASE)
#: Everything after a time element's own opening words ("Updated on June 18, 2025" -> "Updated on").
_UPDATE_LEAD = re.compile(r"[\d(].*$", re.DOTALL)


def _text_before(element: lxml_html.HtmlElement) -> str:
    """The words just before an element: its own lead-in ("Updated", "Published on")."""
    previous, parent = element.getprevious(), element.getparent()
    if previous is not None:
        before = previous.tail or ""
        if not before.strip() and not any(True for _ in previous.iter("time")):
            before = previous.text_content()
    else:
        before = (parent.text or "") if parent is not None else ""
    return before[-40:]


def time_element_date(tree: lxml_html.HtmlElement, wrappers: Wrappers = frozenset()) -> str | None:
    """The ``datetime`` of the page's first ``<time>`` element that dates the article.

    Skipped: times in navigation, footers, comments or related stories, and times that are
    marked (class, itemprop, the words just before them or their own opening words) as an
    update or modification.
    """
    for element in tree.iter("time"):
        value = (element.get("datetime") or "").strip()
        if not value:
            continue
        parent = element.getparent()
        names = " ".join((element.get("class") or "", element.get("itemprop") or ""))
        if parent is not None:
            names += " " + (parent.get("class") or "")
        lead_in = _text_before(element) + " " + _UPDATE_LEAD.sub("", (element.text or "")[:40])
        if _UPDATE_MARK.search(names) or _UPDATE_MARK.search(lead_in) or _chrome_ancestor(element, wrappers=wrappers):
            continue
        return value
    return None


MAX_H1_CANDIDATES = 5


_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
#: A day-first date with a month name of another language ("04-ago-2021", "4. März 2024").
_FOREIGN_DATE = foreign_date_pattern(groups=False)
_SHOWN_DATE = (
    rf"(?:{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH},?\s+\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}}|{_FOREIGN_DATE})"
)
_PUBLISHED_LABEL = re.compile(
    rf"\b(?:originally\s+)?(?:published|posted)(?:\s+on)?\s*:?\s*({_SHOWN_DATE})", re.IGNORECASE
)
_PUBLISHED_WORD = re.compile(r"\b(?:published|posted)\b", re.IGNORECASE)
MAX_LABEL_CONTEXT = 200


def labelled_published_date(tree: lxml_html.HtmlElement, wrappers: Wrappers = frozenset()) -> str | None:
    """The date after the page's first visible "Published"/"Posted on" label, as written.

    The date may follow in the label's own text or in the next element ("<dt>Published</dt>
    <dd>October 14, 2025</dd>"). Labels in navigation, comments or related stories are skipped.
    """
    body = tree.find("body")
    for element in (body if body is not None else tree).iter():
        if not isinstance(element.tag, str) or element.tag in ("script", "style", "noscript"):
            continue
        text, tail = element.text, element.tail
        if not (text and _PUBLISHED_WORD.search(text)) and not (tail and _PUBLISHED_WORD.search(tail)):
            continue
        context = _pieces_text(element, MAX_LABEL_CONTEXT)
        following = element.getnext()
        if following is not None and isinstance(following.tag, str):
            context += " " + _pieces_text(following, MAX_LABEL_CONTEXT)
        if element.tail and element.tail.strip():
            context += " " + " ".join(element.tail.split())
        match = _PUBLISHED_LABEL.search(context[:MAX_LABEL_CONTEXT])
        if match and not _chrome_ancestor(element, sidebar=True, wrappers=wrappers):
            return match.group(1)
    return None


def _h1(
    tree: lxml_html.HtmlElement, others: list[str], site: str | None
) -> tuple[str | None, tuple[str, ...], lxml_html.HtmlElement | None, bool]:
    """The headline h1's text, text pieces and element: the first h1 another title source agrees with, else the first;
    and whether it is the article's headline (see ``_is_article_headline``).

    Pages with several h1 elements often put the logo or a menu label in the first one.
    """
    found = [(t, e) for e in tree.iter("h1") if (t := _element_text(e))][:MAX_H1_CANDIDATES]
    forms = {f.casefold() for o in others for f in _title_forms(unescape_html(o), site)}
    agreed = next(((t, e) for t, e in found if unescape_html(t).casefold() in forms), None)
    chosen = agreed or (found[0] if found else None)
    if chosen is None:
        return None, (), None, False
    pieces = (" ".join(piece.split()) for piece in chosen[1].itertext())
    headline = agreed is not None or _is_article_headline(chosen[1], len(found))
    return chosen[0], tuple(piece for piece in pieces if piece), chosen[1], headline


def _is_article_headline(h1: lxml_html.HtmlElement, h1_count: int) -> bool:
    """An h1 no title source agrees with is the article's headline only as the page's only h1, in
    the article or outside chrome (a sidebar widget's heading is no headline)."""
    if h1_count != 1:
        return False
    return any(a.tag in ("article", "main") for a in h1.iterancestors()) or not _chrome_ancestor(h1)


#: How much of the text after the headline is read for the date shown under it (byline, dateline).
MAX_HEADLINE_DATE_CONTEXT = 300
_NUMERIC_DATE = r"\d{1,2}/\d{1,2}/\d{4}"
_HEADLINE_DATE = re.compile(rf"(?<![\w/.-])(?:{_SHOWN_DATE}|{_NUMERIC_DATE})(?![\w/-])", re.IGNORECASE)
_UPDATE_BEFORE = re.compile(r"(?:updat|modif|revis|edited)\w*\W*(?:on|at)?\W*$", re.IGNORECASE)


def _own_texts(element: lxml_html.HtmlElement, *, links: bool = True) -> Iterator[str]:
    """An element's text in document order, without scripts and styles (its tail excluded), and
    without links' text unless ``links``."""
    if not isinstance(element.tag, str) or element.tag in _NOT_TEXT or (element.tag == "a" and not links):
        return
    if element.text:
        yield element.text
    for child in element:
        yield from _own_texts(child, links=links)
        if child.tail:
            yield child.tail


def _text_after(element: lxml_html.HtmlElement) -> Iterator[str]:
    """The page's text after an element, in document order, read lazily."""
    node: lxml_html.HtmlElement | None = element
    while node is not None:
        if node.tail:
            yield node.tail
        for sibling in node.itersiblings():
            yield from _own_texts(sibling)
            if sibling.tail:
                yield sibling.tail
        node = node.getparent()


def _texts_before(node: lxml_html.HtmlElement) -> Iterator[str]:
    """The article's text before an element, nearest first (each piece whole), read lazily: not
    links, navigation or related-story blocks (their dates are other stories'), and nothing before
    the ``article``/``main`` element holding it (a masthead's "today")."""
    current: lxml_html.HtmlElement | None = node
    wrappers = headline_wrappers(node)
    while current is not None:
        for sibling in current.itersiblings(preceding=True):
            if sibling.tail:
                yield sibling.tail
            if isinstance(sibling.tag, str) and not _chrome_ancestor(sibling, wrappers=wrappers):
                yield from reversed(list(_own_texts(sibling, links=False)))
        parent = current.getparent()
        if parent is not None and parent.text and parent.tag not in _NOT_TEXT:
            yield parent.text
        current = None if parent is None or parent.tag in ("article", "main") else parent


def _clear_date(text: str, match: re.Match[str] | None) -> str | None:
    """A date match, unless introduced as an update or an all-numeric day/month either way round."""
    if match is None or _UPDATE_BEFORE.search(text[max(0, match.start() - 25) : match.start()]):
        return None
    numbers = match.group(0).split("/")
    if len(numbers) == 3 and int(numbers[0]) <= 12 and int(numbers[1]) <= 12 and numbers[0] != numbers[1]:
        return None
    return match.group(0)


def _after_headline(h1: lxml_html.HtmlElement) -> tuple[str, list[str]]:
    """The text just after the headline, and the text pieces it is made of."""
    text = ""
    pieces: list[str] = []
    for raw in _text_after(h1):
        if piece := " ".join(raw.split()):
            text += " " + piece
            pieces.append(piece)
            if len(text) > MAX_HEADLINE_DATE_CONTEXT:
                break
    return text[:MAX_HEADLINE_DATE_CONTEXT], pieces


def _first_date(after: str) -> str | None:
    """The first date written in the text just after the headline (the byline's date), as written.

    Skipped: a date introduced as an update ("Updated Dec 4, 2025"), and an all-numeric date
    whose day and month could be either way round ("03/10/2023").
    """
    return _clear_date(after, _HEADLINE_DATE.search(after))


#: How much of the text before the headline is read for a date shown above it.
MAX_PRE_HEADLINE_CONTEXT = 60


def _before_headline(h1: lxml_html.HtmlElement) -> tuple[str, list[str]]:
    """The text just above the headline, and the text pieces it is made of (nearest first)."""
    pieces: list[str] = []
    for raw in _texts_before(h1):
        if piece := " ".join(raw.split()):
            pieces.append(piece)
            if sum(len(p) + 1 for p in pieces) > MAX_PRE_HEADLINE_CONTEXT:
                break
    return " ".join(reversed(pieces))[-MAX_PRE_HEADLINE_CONTEXT:], pieces


#: A text piece with more words than this besides the date it holds is prose, not a dateline
#: ("Posted on May 1, 2020 by Jane Doe in Health" is one; "On May 1, 2020, the council voted …" is not).
MAX_DATELINE_WORDS = 8


def _in_prose(date: str | None, pieces: list[str]) -> bool:
    """True when a date is written inside a text piece longer than a dateline (a sentence)."""
    if date is None:
        return False
    allowed = len(date.split()) + MAX_DATELINE_WORDS
    return any(date in piece and len(piece.split()) > allowed for piece in pieces)


def _last_date(before: str) -> str | None:
    """The last date written just above the headline ("February 4, 2025 - 11 minutes" <h1>…), as
    written, skipping one introduced as an update ("Dec 22, 2022 Updated: Jan 2, 2026")."""
    shown = (_clear_date(before, match) for match in reversed(list(_HEADLINE_DATE.finditer(before))))
    return next((date for date in shown if date), None)


def _update_date(text: str, *, after: bool) -> str | None:
    """A date introduced as an update ("Last updated: Dec 11, 2025") in the text just after the
    headline (its first two dates: "May 1, 2020 · Updated June 3, 2024") or just above it (its
    last date), as written; an all-numeric one is not read."""
    matches = list(_HEADLINE_DATE.finditer(text))
    for match in matches[:2] if after else matches[-1:]:
        if "/" not in match.group(0) and not _clear_date(text, match):
            return match.group(0)
    return None


def headline_dates(h1: lxml_html.HtmlElement | None) -> tuple[str | None, str | None, bool]:
    """(the date shown with the headline, the update shown with it, whether that date is inside
    a sentence), each looked for just after the headline, else just above it; the text around the
    headline is read once."""
    if h1 is None:
        return None, None, False
    after, pieces = _after_headline(h1)
    shown, update = _first_date(after), _update_date(after, after=True)
    in_prose = _in_prose(shown, pieces)
    if shown is None or update is None:
        before, pieces = _before_headline(h1)
        if shown is None and (shown := _last_date(before)):
            in_prose = _in_prose(shown, pieces)
        update = update or _update_date(before, after=False)
    return shown, update, in_prose


def extract_metadata(tree: lxml_html.HtmlElement) -> PageMetadata:
    """Everything structured a page declares about itself (call before the tree is modified)."""
    nodes = jsonld_nodes(tree)
    article = _article_node(nodes) or {}
    meta = _meta(tree)
    publisher = article.get("publisher")
    site_names = [
        meta.get("og:site_name"),
        _text(publisher) if isinstance(publisher, (dict, list)) else None,
        next((_text(n.get("name")) for n in nodes if _types(n) & {"website"}), None),
        meta.get("application-name"),
    ]
    author_value = _resolve(article.get("author") or article.get("creator"), nodes)
    authors, _, author_organisations = _person_names(author_value)
    author_source = "jsonld" if authors else None
    meta_author = _first(meta, _META_AUTHOR) or _labelled_author(meta)
    if not authors and meta_author and not meta_author.lower().startswith(("http", "www.")):
        authors, author_source = [meta_author], "meta"
    published, published_source = _text(article.get("datePublished")), "jsonld"
    if not published:
        published, published_source = _first(meta, _META_PUBLISHED), "meta"
    modified, modified_source = _text(article.get("dateModified")), "jsonld"
    if not modified:
        modified, modified_source = _first(meta, _META_MODIFIED), "meta"
    body = article.get("articleBody")
    html_title = next((_element_text(t) for t in tree.iter("title")), None) or None
    headline = _text(article.get("headline")) or _text(article.get("name")) if article else None
    og_title = meta.get("og:title") or meta.get("twitter:title")
    site_name = next((s for s in site_names if s), None)
    titles = [t for t in (og_title, headline, html_title) if t]
    h1, h1_segments, h1_element, h1_is_headline = _h1(tree, titles, site_name)
    shown_date, update_date, date_in_prose = headline_dates(h1_element)
    wrappers = headline_wrappers(h1_element) if h1_is_headline else frozenset()
    return PageMetadata(
        headline=headline,
        og_title=og_title,
        h1=h1,
        h1_segments=h1_segments,
        h1_is_headline=h1_is_headline,
        html_title=html_title,
        site_name=site_name,
        authors=tuple(authors),
        author_source=author_source,
        author_organisations=tuple(author_organisations),
        published=published,
        published_source=published_source if published else None,
        modified=modified,
        modified_source=modified_source if modified else None,
        article_body=body.strip() if isinstance(body, str) and body.strip() else None,
        time_published=time_element_date(tree, wrappers),
        label_published=labelled_published_date(tree, wrappers),
        headline_date=shown_date,
        headline_update=update_date,
        headline_date_in_prose=date_in_prose,
        language=(tree.get("lang") or meta.get("og:locale") or "").split("-")[0].split("_")[0].lower() or None,
    )


def strip_site_suffix(title: str, site_name: str | None) -> str:
    """A title without its " | Site Name" part (at the end or the start)."""
    site = (site_name or "").casefold().removeprefix("the ")
    lead = re.match(r"(?:the\s+)?(.+?)\s*[:|–—-]\s+(.+)$", title, re.IGNORECASE)
    if site and lead and lead.group(1).casefold() == site:
        return lead.group(2)
    parts = _TITLE_SEPARATORS.split(title)
    if len(parts) < 2:
        return title
    last, first = parts[-1].casefold(), parts[0].casefold()
    if site and (last in site or site in last):
        return title[: title.rfind(parts[-1])].rstrip(" |–—-:·•»")
    if site and (first in site or site in first):
        return title[len(parts[0]) :].lstrip(" |–—-:·•»")
    if " | " in title:
        return title.rsplit(" | ", 1)[0]
    return title


def _title_forms(title: str, site_name: str | None) -> list[str]:
    """A title, and the title with its site part removed (when it has one)."""
    forms = [title]
    stripped = strip_site_suffix(title, site_name)
    if stripped != title and stripped:
        forms.append(stripped)
    parts = _TITLE_SEPARATORS.split(title)
    if len(parts) >= 2:
        head = title[: title.rfind(parts[-1])].rstrip(" |–—-:·•»")
        if head and head not in forms:
            forms.append(head)
    return forms


def choose_title(metadata: PageMetadata) -> str | None:
    """The headline a reader sees: the form most sources agree on, the h1 first on a tie."""
    site = metadata.site_name
    sources = [
        ("h1", metadata.h1),
        ("og", metadata.og_title),
        ("jsonld", metadata.headline),
        ("title", metadata.html_title),
    ]
    sources = [(name, unescape_html(value)) for name, value in sources if value]
    if not sources:
        return None
    segments = tuple(unescape_html(s) for s in metadata.h1_segments)
    chosen = _without_pipe_part(_choose(sources, site, segments))
    return _plain_quotes_if_given(chosen, [value for _, value in sources])


#: A part before a " | " of at most this many words is a section label ("Opinion | …"), not the headline.
MAX_SECTION_WORDS = 2


def _without_pipe_part(title: str) -> str:
    """The headline part of a title that a pipe divides ("Headline | Section | Site").

    A pipe is not headline punctuation: what follows it (or a short section label before it)
    is a section, a tag line or the site's name, whichever source carried it (often the h1).
    """
    parts = [p.strip() for p in title.split(" | ")]
    if len(parts) < 2:
        return title
    if len(parts[0].split()) <= MAX_SECTION_WORDS:
        return " | ".join(parts[1:]) if len(parts) > 2 else parts[1]
    return parts[0]


def _choose(sources: list[tuple[str, str]], site: str | None, h1_segments: tuple[str, ...] = ()) -> str:
    h1 = next((value for name, value in sources if name == "h1"), None)
    others = [value for name, value in sources if name != "h1"]
    if h1 and (inner := _declared_title_inside(h1, h1_segments, others, site)):
        return inner
    if h1 and _plausible_h1(h1, others, site):
        return _without_site_part(h1, site)
    forms: dict[str, list] = {}  # type: ignore[type-arg]
    for rank, (_, value) in enumerate(sources):
        variants = _title_forms(value, site)
        for depth, form in enumerate(variants[1:] + variants[:1]):  # site-less forms first on a tie
            votes = forms.setdefault(form.casefold(), [0, rank * 3 + depth, form])
            votes[0] += 1
    best = sorted(forms.values(), key=lambda v: (-v[0], v[1]))[0]
    if best[0] >= 2:
        return str(best[2])
    for name, value in sources:
        if name in ("og", "jsonld", "title"):
            return strip_site_suffix(value, site)
    return sources[0][1]


MIN_H1_WORDS = 4
#: A declared title found inside a longer h1 must have at least this many words to be its headline.
MIN_INNER_TITLE_WORDS = 3


def _declared_title_inside(h1: str, segments: tuple[str, ...], others: list[str], site: str | None) -> str | None:
    """The declared title (og, JSON-LD, <title>, site part removed) that the h1 element's pieces make up.

    Templates put the date, the byline, a "Blog:" label or a source link in their own elements
    inside the h1: when the page's declared title is exactly the h1's other text pieces (and
    most of its words), that is the headline without them. And where the h1 shows a headline
    and its subtitle as two pieces, the declared title joins them with the page's own separator.
    """
    if len(segments) < 2:
        return None
    key = h1.casefold()
    total = len(h1.split())
    runs = {
        " ".join(segments[start:end]).casefold()
        for start in range(len(segments))
        for end in range(start + 1, len(segments) + 1)
        if end - start < len(segments)
    }
    joined = {sep.join(segments).casefold() for sep in (" - ", " – ", " — ", ": ")}
    for other in others:
        for form in _title_forms(other, site):
            folded = " ".join(form.split()).casefold()
            if folded == key or len(form.split()) < MIN_INNER_TITLE_WORDS:
                continue
            if folded in joined or (folded in runs and 2 * len(form.split()) > total):
                return form
    return None


def _without_site_part(h1: str, site: str | None) -> str:
    """An h1 without a trailing " – Site Name" (some templates print the site name in the h1)."""
    parts = _TITLE_SEPARATORS.split(h1)
    if site and len(parts) >= 2 and parts[-1].casefold() == site.casefold():
        return h1[: h1.rfind(parts[-1])].rstrip(" |–—-:·•»")
    return h1


def _plausible_h1(h1: str, others: list[str], site: str | None) -> bool:
    """An h1 that is the article's headline, not the site's name or a section label."""
    key = h1.casefold()
    site_parts = {p.casefold() for o in others for p in _minor_parts(o)}
    if (site and key == site.casefold()) or key in site_parts:
        return False
    if any(key in {f.casefold() for f in _title_forms(o, site)} for o in others):
        return True
    if not others:
        return True
    if max(_word_overlap(h1, o) for o in others) < MIN_H1_OVERLAP:
        return False  # a promo line or a section label: it shares hardly a word with any title
    return len(h1.split()) >= MIN_H1_WORDS


def _minor_parts(title: str) -> list[str]:
    """The parts after a title's first separator that are shorter than the rest: the site's name.

    In "Leadfeeder | State of SEO in 2026" the part after the bar is the headline, not the site.
    """
    parts = _TITLE_SEPARATORS.split(title)
    total = len(title.split())
    return [p for p in parts[1:] if 2 * len(p.split()) < total]


_WORD = re.compile(r"\w+")
#: An h1 sharing less than this share of its (or the other title's) words with every other title
#: source is not the headline ("Do you want more web conversions?" on a list of agencies).
MIN_H1_OVERLAP = 0.25


def _word_overlap(a: str, b: str) -> float:
    """Shared words over the shorter text's words (case-insensitive)."""
    left, right = set(_WORD.findall(a.casefold())), set(_WORD.findall(b.casefold()))
    return len(left & right) / max(1, min(len(left), len(right)))


_CURLY_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"'})


def _plain_quotes_if_given(title: str, sources: list[str]) -> str:
    """The title with straight quotes when another source spells it so.

    Publishing tools turn typed quotes into typographic ones in the rendered h1 (WordPress's
    wptexturize); when the page's metadata carries the same headline with plain quotes, that
    is the text as written.
    """
    plain = title.translate(_CURLY_QUOTES)
    if plain != title and any(plain in source for source in sources):
        return plain
    return title


def unescape_html(text: str) -> str:
    """Entities left in metadata values (``&#038;``, ``&amp;``) decoded, whitespace collapsed."""
    import html

    return " ".join(html.unescape(text).split())
