"""Bytes to text: BOM, declared charset, <meta charset>, charset-normalizer; ftfy for mojibake."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

import charset_normalizer
import ftfy

from cleaners.errors import Rejected

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w:.-]+)""", re.IGNORECASE)
_CONTROL_BYTES = frozenset(range(0, 9)) | frozenset(range(14, 32)) - {27}
_CONTROL_BYTE_STRING = bytes(sorted(_CONTROL_BYTES))
BINARY_SAMPLE = 8192
MAX_CONTROL_SHARE = 0.05
#: charset-normalizer reads the whole document in chunks of this size, not a sample.
WHOLE_DOCUMENT_CHUNK = 4096
#: Larger captures are quarantined (``too_large``, raw kept) rather than cleaned: cleaning time grows
#: with size (a dense 8 MiB page takes ~100 s), and real article pages stay under 2 MiB.
MAX_CLEAN_BYTES = 16 * 1024 * 1024
#: Controls with no place in article text — C0 but tab/newline/CR, DEL, and the bidi embeddings,
#: overrides and isolates that reorder what a screen shows — are removed (the HTML parser drops them
#: too); the C0 controls Python splits lines at become newlines. LRM/RLM marks, ZWJ/ZWNJ and C1
#: (WHATWG windows-1252 decodes its five unassigned bytes to C1) stay.
_LINE_BREAK_CONTROLS = re.compile("[\x0b\x0c\x1c-\x1e]")
_STRIPPED_CONTROLS = re.compile("[\x00-\x08\x0e-\x1b\x1f\x7f\u202a-\u202e\u2066-\u2069]")
_ANY_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")
#: The same characters in UTF-8 bytes: scanning the bytes a page came in is 20 times faster than
#: scanning its text (C0 controls and DEL are single bytes there, the bidi marks E2 80/81 xx).
_NOT_C0_OR_DEL = bytes(b for b in range(256) if not ((b < 0x20 and b not in (0x09, 0x0A, 0x0D)) or b == 0x7F))
_UTF8_BIDI_CONTROL = re.compile(rb"\xe2(?:\x80[\xaa-\xae]|\x81[\xa6-\xa9])")


@dataclass(frozen=True, slots=True)
class Decoded:
    """Text decoded from a capture, with the encoding used and whether ftfy changed it."""

    text: str
    encoding: str
    repaired: bool


def looks_binary(raw: bytes) -> bool:
    """True for bytes that are not text in any encoding we accept (NULs, control bytes)."""
    sample = raw[:BINARY_SAMPLE]
    if not sample or any(sample.startswith(bom) for bom, _ in _BOMS[1:]):
        return False
    if b"\x00" in sample:
        return True
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTE_STRING))
    return controls / len(sample) > MAX_CONTROL_SHARE


#: WHATWG Encoding Standard: browsers decode these labels as windows-1252 (and GB2312 as GBK).
_WHATWG_ALIASES = {
    "latin_1": "cp1252",
    "iso8859_1": "cp1252",
    "ascii": "cp1252",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "shift_jis": "cp932",
    "euc_kr": "cp949",
    "iso8859_9": "cp1254",
    "tis_620": "cp874",
    "iso8859_11": "cp874",
}


def _codec(name: str | None) -> str | None:
    """The Python codec a browser would use for a charset label, or None if unknown."""
    if not name:
        return None
    try:
        codec = codecs.lookup(name.strip().strip("\"'")).name
    except LookupError:
        return None
    return _WHATWG_ALIASES.get(codec.replace("-", "_"), codec)


def _c1_passthrough(error: UnicodeError) -> tuple[str, int]:
    """windows-1252 as WHATWG defines it: its five unmapped bytes decode to the C1 controls."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    return "".join(chr(b) for b in error.object[error.start : error.end]), error.end


codecs.register_error("whatwg-c1", _c1_passthrough)


def _try(raw: bytes, encoding: str | None) -> str | None:
    if not encoding:
        return None
    try:
        return raw.decode(encoding, errors="whatwg-c1" if encoding == "cp1252" else "strict")
    except (UnicodeDecodeError, LookupError):
        return None


def sniff_meta_charset(raw: bytes) -> str | None:
    """The charset an HTML page declares in its first few KB, if it names a real codec."""
    match = _META_CHARSET.search(raw[:4096])
    codec = _codec(match.group(1).decode("ascii", "ignore")) if match else None
    # WHATWG: a <meta> cannot declare UTF-16 (the tag itself was read as ASCII), so it means UTF-8.
    return "utf-8" if codec in ("utf-16", "utf-16-le", "utf-16-be") else codec


def decode_bytes(raw: bytes, declared: str | None = None, *, is_html: bool = False) -> Decoded:
    """Decode ``raw`` the way a browser would, then repair mojibake. Raises Rejected."""
    if len(raw) > MAX_CLEAN_BYTES:
        raise Rejected("decode", "too_large", f"{len(raw)} bytes is over the {MAX_CLEAN_BYTES}-byte cleaning limit")
    if looks_binary(raw):
        raise Rejected("decode", "binary", "the bytes are binary data, not text (NUL or control bytes)")
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            return _repair(raw.decode(encoding, errors="replace"), encoding)
    candidates = [_codec(declared)]
    if is_html:
        candidates.append(sniff_meta_charset(raw))
    candidates.append("utf-8")
    for encoding in candidates:
        text = _try(raw, encoding)
        if text is not None:
            return _repair(text, encoding, utf8=raw if encoding == "utf-8" else None)
    matches = charset_normalizer.from_bytes(
        raw, steps=max(1, len(raw) // WHOLE_DOCUMENT_CHUNK), chunk_size=WHOLE_DOCUMENT_CHUNK
    )
    best = matches.best()
    if best is None:
        raise Rejected("decode", "undecodable", "no text encoding fits these bytes")
    # A few accented letters fit many code pages equally well (cp1250, cp1252, cp1257 …); on a tie,
    # windows-1252 — the WHATWG fallback and the web's most common single-byte encoding — wins.
    tied = (m for m in matches if (m.chaos, m.coherence) == (best.chaos, best.coherence))
    best = next((m for m in tied if _codec(m.encoding) == "cp1252"), best)
    encoding = _codec(best.encoding) or best.encoding
    text = _try(raw, encoding)
    return _repair(text if text is not None else str(best), encoding)


#: UTF-8 read as windows-1252 or Latin-1 leaves a lead byte (Â Ã â Å Ð Ñ …) before a
#: continuation character; text without such a pair has no mojibake for ftfy to fix.
_MOJIBAKE_HINT = re.compile(
    "[\u00c2-\u00f4]"  # a UTF-8 lead byte shown as a Latin-1 letter, then a continuation byte shown as:
    "[\u0080-\u00bf"  # C1 controls and Latin-1 punctuation
    "\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"  # windows-1252 letters
    "\u2013-\u2026\u2030\u2039\u203a\u20ac\u2122]"  # windows-1252 punctuation
)

#: ``_MOJIBAKE_HINT`` in UTF-8 bytes (U+00C2–U+00F4 is C3 82–B4), scanned about ten times faster than the text.
_UTF8_MOJIBAKE_HINT = re.compile(
    rb"\xc3[\x82-\xb4]"
    rb"(?:\xc2[\x80-\xbf]|\xc5[\x92\x93\xa0\xa1\xb8\xbd\xbe]|\xc6\x92|\xcb[\x86\x9c]"
    rb"|\xe2\x80[\x93-\xa6\xb0\xb9\xba]|\xe2\x82\xac|\xe2\x84\xa2)"
)
#: A line ftfy may change: one with anything but printable ASCII, tab and newline. ftfy leaves a
#: line of only those alone (no mojibake is ASCII; no control, escape or line separator is left).
_FTFY_MAY_CHANGE = re.compile(r"[^\t\n\x20-\x7e]")
#: Splits a text after each ``\n``, the way ftfy cuts it into lines.
_LINES_WITH_ENDS = re.compile(r"(?<=\n)")
#: Only undo encoding damage: keep the page's quotes, ligatures, widths and entities as written.
_FTFY_ENCODING_ONLY = ftfy.TextFixerConfig(
    unescape_html=False,
    uncurl_quotes=False,
    fix_latin_ligatures=False,
    fix_character_width=False,
    normalization=None,
)


def _repair(text: str, encoding: str, utf8: bytes | None = None) -> Decoded:
    """Fix mojibake with ftfy, only where a cheap scan finds its signature (ftfy is slow on pages).

    ``utf8``: the UTF-8 bytes ``text`` was decoded from, when it was; the scans read them instead.
    """
    if utf8 is None:
        hinted = _MOJIBAKE_HINT.search(text) is not None
    else:  # every mojibake lead character is C3 xx in UTF-8: no C3 byte, no mojibake
        hinted = b"\xc3" in utf8 and _UTF8_MOJIBAKE_HINT.search(utf8) is not None
    if not hinted or not ftfy.badness.is_bad(text):
        return Decoded(without_controls(text, utf8), encoding, repaired=False)
    fixed = _ftfy_by_line(text)
    return Decoded(without_controls(fixed), encoding, repaired=fixed != text)


def _ftfy_by_line(text: str) -> str:
    """ftfy over the lines it may change, the others as they are: the same text as ftfy over the
    whole page (ftfy fixes a text line by line, each with its ``\\n``, each on its own), without
    its cost on the printable-ASCII lines of a page with a few damaged ones.
    """
    return "".join(
        ftfy.fix_text(line, config=_FTFY_ENCODING_ONLY) if _FTFY_MAY_CHANGE.search(line) else line
        for line in _LINES_WITH_ENDS.split(text)
    )


def _has_controls(text: str, utf8: bytes | None) -> bool:
    if utf8 is None:
        return _ANY_CONTROL.search(text) is not None
    return bool(utf8.translate(None, _NOT_C0_OR_DEL)) or _UTF8_BIDI_CONTROL.search(utf8) is not None


def without_controls(text: str, utf8: bytes | None = None) -> str:
    """``text`` without control and bidi-override characters (line-breaking controls as newlines).

    ``utf8``: the UTF-8 bytes of ``text``, if at hand (scanned faster than the text).
    """
    if not _has_controls(text, utf8):  # the usual case: one scan instead of two substitutions
        return text
    return _STRIPPED_CONTROLS.sub("", _LINE_BREAK_CONTROLS.sub("\n", text))
