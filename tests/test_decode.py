"""Decoding: BOM, declared charset, <meta charset>, charset-normalizer, WHATWG labels, ftfy."""

from __future__ import annotations

import codecs
from datetime import UTC, datetime
from pathlib import Path

import ftfy
import pytest
from hypothesis import given
from hypothesis import strategies as st
from trafilatura.utils import INVALID_XML_CHARS

from cleaners.core import clean
from cleaners.decode import (
    _FTFY_ENCODING_ONLY,
    _MOJIBAKE_HINT,
    _UTF8_MOJIBAKE_HINT,
    _ftfy_by_line,
    _repair,
    decode_bytes,
    sniff_meta_charset,
)
from cleaners.errors import Rejected
from schemas.records import ArticleRecord, Capture

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "encodings"
CASES = sorted(p.stem for p in FIXTURES.glob("*.html"))


def _expected(name: str) -> list[str]:
    text = (FIXTURES / f"{name}.expected.txt").read_text(encoding="utf-8")
    return [p.strip() for p in text.split("\n\n") if p.strip()]


def test_fixtures_exist() -> None:
    assert {"cp1252", "latin1", "gb2312", "shift_jis"} <= set(CASES)


@pytest.mark.parametrize("name", CASES)
def test_fixture_decodes_to_the_original_text(name: str) -> None:
    raw = (FIXTURES / f"{name}.html").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # a real legacy-encoded page, not UTF-8 in disguise
    decoded = decode_bytes(raw, None, is_html=True)
    for paragraph in _expected(name):
        assert f"<p>{paragraph}</p>" in decoded.text


@pytest.mark.parametrize("name", CASES)
def test_fixture_cleans_to_the_original_paragraphs(name: str) -> None:
    raw = (FIXTURES / f"{name}.html").read_bytes()
    capture = Capture(raw=raw, format="html", source=f"fixture:{name}", captured_at=datetime(2026, 1, 1, tzinfo=UTC))
    record = clean(capture)
    assert isinstance(record, ArticleRecord), record
    body = [p for p in record.paragraphs if p != record.title]  # the <h1> may lead the body
    assert body == [" ".join(p.split()) for p in _expected(name)]  # extractors fold U+3000 to a space
    assert record.title and record.title in decode_bytes(raw, None, is_html=True).text


def test_latin1_label_means_windows_1252() -> None:
    raw = "“Ciao” — è l’ora".encode("cp1252")
    assert decode_bytes(raw, "ISO-8859-1").text == "“Ciao” — è l’ora"
    assert decode_bytes(raw, "us-ascii").encoding == "cp1252"


def test_windows_1252_unmapped_bytes_become_c1_controls() -> None:
    assert decode_bytes(b"caf\xe9 \x81ok", "latin-1").text == "café \x81ok"


def test_header_beats_meta_and_meta_beats_guessing() -> None:
    page = '<meta charset="shift_jis"><p>日本語のテキストです。</p>'.encode("cp932")
    assert decode_bytes(page, None, is_html=True).encoding == "cp932"
    assert sniff_meta_charset(b'<meta http-equiv="content-type" content="text/html; charset=GB2312">') == "gb18030"
    declared = decode_bytes("国家统计局".encode("gb2312"), "gb2312")
    assert declared.text == "国家统计局"


def test_bom_wins() -> None:
    raw = codecs.BOM_UTF8 + "héllo".encode()
    assert decode_bytes(raw, "shift_jis").text == "héllo"
    assert decode_bytes(codecs.BOM_UTF16_LE + "héllo".encode("utf-16-le")).text == "héllo"


def test_mojibake_is_repaired() -> None:
    broken = "The cafÃ© isnâ€™t open".encode()
    decoded = decode_bytes(broken)
    assert decoded.text == "The café isn't open" or decoded.text == "The café isn’t open"
    assert decoded.repaired


def test_only_the_damaged_lines_of_a_page_are_repaired() -> None:
    page = (
        "<p>The cafÃ© isnâ€™t open.</p>\n"  # damaged: UTF-8 read as windows-1252
        "<p>A clean line, kept byte for byte.</p>\n"
        "<p>1.Â Â Myth: all fat is bad</p>\n"  # no-break spaces whose second byte became a space
    )
    decoded = decode_bytes(page.encode(), is_html=True)
    assert decoded.repaired
    assert decoded.text.split("\n") == [
        "<p>The café isn’t open.</p>",
        "<p>A clean line, kept byte for byte.</p>",
        "<p>1.\u00a0\u00a0Myth: all fat is bad</p>",
        "",
    ]


_DAMAGED_BY = ("windows-1252", "latin-1", "windows-1250", "iso-8859-2", "windows-1251", "mac-roman", "cp437")


@pytest.mark.parametrize("encoding", _DAMAGED_BY)
def test_line_wise_repair_is_ftfy_over_the_whole_page(encoding: str) -> None:
    lines = ["Příliš žluťoučký kůň úpěl ďábelské ódy", "Zażółć gęślą jaźń", "Съешь же ещё", "It’s “quoted”"]
    damaged = [line.encode("utf-8").decode(encoding, errors="replace") for line in lines]
    page = "\r\n".join(["<p>plain</p>", *damaged, "tab\there \x1b[31mred", "a\u2028b", "\x85 \x0b"]) + "\n"
    assert _ftfy_by_line(page) == ftfy.fix_text(page, config=_FTFY_ENCODING_ONLY)


def test_binary_is_rejected() -> None:
    with pytest.raises(Rejected):
        decode_bytes(b"\x00\x01\x02\x03binary")


#: Characters the byte-level scans look for, mixed into arbitrary text: C0 controls, DEL, bidi
#: overrides and isolates, their neighbours, and the pieces of UTF-8 read as windows-1252.
_TRICKY = st.sampled_from(
    [chr(c) for c in (*range(0x20), 0x7F, *range(0x2028, 0x2070))] + ["Ã©", "â€™", "Ã", "Â", "é", "’", "\u00a0"]
)


def test_scanning_the_utf8_bytes_finds_every_character_the_text_scan_finds() -> None:
    for code in (c for c in range(0x3000) if not 0xD800 <= c < 0xE000):
        text = f"a{chr(code)}b Ã{chr(code)}"
        assert _repair(text, "utf-8", utf8=text.encode("utf-8")) == _repair(text, "utf-8"), hex(code)


@given(st.lists(st.one_of(st.text(max_size=4), _TRICKY), max_size=6).map("".join))
def test_scanning_the_utf8_bytes_decides_as_scanning_the_text(text: str) -> None:
    assert _repair(text, "utf-8", utf8=text.encode("utf-8")) == _repair(text, "utf-8")


@given(st.lists(st.one_of(st.text(max_size=60), _TRICKY), max_size=12))
def test_line_wise_repair_is_ftfy_over_any_text(pieces: list[str]) -> None:
    text = "\n".join(pieces)
    assert _ftfy_by_line(text) == ftfy.fix_text(text, config=_FTFY_ENCODING_ONLY)


_CONTROLLED_TEXT = st.lists(
    st.one_of(
        st.text(alphabet="ab é日 \n", max_size=6), st.sampled_from(list("\x00\x01\x0b\x0c\x1c\x1f\x7f\u202e\ufffe"))
    ),
    max_size=20,
).map("".join)


@given(_CONTROLLED_TEXT, st.sampled_from(["utf-8", "cp1252", "shift_jis", "utf-16"]), st.booleans())
def test_decoded_text_holds_no_c0_control(text: str, encoding: str, declared: bool) -> None:
    """HTML parsing relies on it (``controls_removed``): only the noncharacters can remain. The
    controls sit after the binary sniffer's sample, among text."""
    raw = ("<p>" + "x" * 9000 + "</p>" + text).encode(encoding, errors="ignore")
    try:
        decoded = decode_bytes(raw, encoding if declared else None, is_html=True).text
    except Rejected:
        return
    assert set(INVALID_XML_CHARS.findall(decoded)) <= {"\ufffe", "\uffff"}


def test_the_utf8_mojibake_hint_finds_what_the_text_hint_finds() -> None:
    for lead in (0xC1, 0xC2, 0xC3, 0xE9, 0xF4, 0xF5):
        for code in (c for c in range(0x3000) if not 0xD800 <= c < 0xE000):
            pair = f"{chr(lead)}{chr(code)}"
            found = _MOJIBAKE_HINT.search(pair) is not None
            assert (_UTF8_MOJIBAKE_HINT.search(pair.encode("utf-8")) is not None) == found, (hex(lead), hex(code))
