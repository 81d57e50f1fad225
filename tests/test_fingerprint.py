"""SimHash fingerprints and the near-duplicate index."""

from __future__ import annotations

import re
import zlib

from hypothesis import given
from hypothesis import strategies as st

from cleaners.text import count_words, word_count
from schemas.fingerprint import NEAR_DUPLICATE_BITS, SimhashIndex, hamming, simhash
from schemas.records import normalise_body

TEXT = (
    "Officials said the bridge would reopen to traffic on Friday after engineers finished checking "
    "the cables, which were damaged by high winds last month. Buses will return to their usual route "
    "the same day, the transport authority said, and the ferry service added during the closure will end."
)


def test_same_text_same_hash_and_small_edit_is_near() -> None:
    assert simhash(TEXT) == simhash(TEXT)
    assert simhash(TEXT.upper()) == simhash(TEXT)  # case-folded
    assert hamming(simhash(TEXT), simhash(TEXT.replace("Friday", "Saturday"))) <= NEAR_DUPLICATE_BITS


def test_unrelated_texts_are_far_apart() -> None:
    other = "The orchestra announced its new season with three premieres and a tour of northern cities in May."
    assert hamming(simhash(TEXT), simhash(other)) > NEAR_DUPLICATE_BITS * 3


@given(st.text(max_size=300))
def test_simhash_fits_a_signed_int64_for_any_text(text: str) -> None:
    value = simhash(text)
    assert -(2**63) <= value < 2**63


def reference_simhash(text: str) -> int:
    """The SimHash as first defined, shingle by shingle and bit by bit (archived rows carry it)."""
    words = re.findall(r"\w+", text.casefold())
    shingles = [" ".join(words[i : i + 3]).encode() for i in range(max(1, len(words) - 2))]
    votes = [0] * 64
    for shingle in shingles:
        value = zlib.crc32(shingle) | zlib.crc32(shingle[::-1]) << 32
        for bit in range(64):
            votes[bit] += 1 if value >> bit & 1 else -1
    unsigned = sum(1 << bit for bit in range(64) if votes[bit] > 0)
    return unsigned - (1 << 64) if unsigned >= 1 << 63 else unsigned


@given(st.text(alphabet=st.sampled_from(["a", "b", "é", "日", " ", ".", "ß", "İ"]), max_size=60))
def test_simhash_keeps_the_values_archived_rows_carry(text: str) -> None:
    assert simhash(text) == reference_simhash(text)


def test_simhash_of_short_texts_is_the_hash_of_all_their_words() -> None:
    for text in ("", "one", "one two", "one two three", TEXT):
        assert simhash(text) == reference_simhash(text)


def test_index_finds_near_values_only_and_honours_exclude() -> None:
    index = SimhashIndex()
    base = simhash(TEXT)
    index.add(base, "a")
    six_apart = base ^ 0b1010_1010_1010
    seven_apart = six_apart ^ (1 << 40)
    assert index.find(six_apart) == "a"
    assert index.find(seven_apart) is None
    assert index.find(base, exclude="a") is None


def _earliest_near(added: list[tuple[int, str]], query: int, exclude: str | None) -> str | None:
    """The reference: the key of the earliest-added value near ``query``, by a full scan."""
    near = (key for value, key in added if key != exclude and hamming(value, query) <= NEAR_DUPLICATE_BITS)
    return next(near, None)


_INT64 = st.integers(min_value=-(1 << 63), max_value=(1 << 63) - 1)
_FLIPS = st.lists(st.integers(min_value=0, max_value=63), max_size=9)


@given(
    st.lists(st.tuples(_INT64, st.sampled_from(["a", "b", "c", "d", "é"])), max_size=40),
    st.lists(st.tuples(st.integers(min_value=0, max_value=39), _FLIPS, st.sampled_from([None, "a", "b"])), max_size=20),
    st.integers(min_value=1, max_value=8),
)
def test_index_finds_the_earliest_added_near_value_as_a_full_scan_does(
    added: list[tuple[int, str]], queries: list[tuple[int, list[int], str | None]], merge_at: int
) -> None:
    """Values merged into the arrays (every ``merge_at`` additions) and values not yet merged are
    found as a scan of every value finds them: the earliest added near one, ``exclude`` skipped."""
    index = SimhashIndex(merge_at=merge_at)
    for value, key in added:
        index.add(value, key)
    assert len(index) == len(added)
    for position, flips, exclude in queries:
        base = added[position % len(added)][0] if added else 0
        query = base
        for bit in flips:
            query ^= 1 << bit
        query = query - (1 << 64) if query >= 1 << 63 else query
        assert index.find(query, exclude=exclude) == _earliest_near(added, query, exclude)


def test_a_merged_index_holds_an_entry_in_about_a_hundred_bytes() -> None:
    """30,000 article ids cost about 100 bytes each merged (64 of them the id), not the ~570 of
    dicts of tuples (tracemalloc sees numpy's arrays)."""
    import random
    import tracemalloc

    generator = random.Random(5)
    entries = [(generator.getrandbits(64) - (1 << 63), f"{i:064x}") for i in range(30_000)]
    tracemalloc.start()
    index = SimhashIndex(merge_at=1000)
    for value, key in entries:
        index.add(value, key)
    current, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert current / len(entries) < 200
    assert index.find(entries[12_345][0] ^ 0b101) == entries[12_345][1]


@given(st.text(alphabet=st.sampled_from("aB \n\u00a0\u2003\ufb01\u2460\u0130x\u00c5\u212b"), max_size=40))
def test_normalise_body_and_word_count_from_a_given_split(body: str) -> None:
    # clean() splits the body once for both; a body NFKC changes (the ligature, a circled digit,
    # the angstrom sign) is normalised before it is split, so the given split must not be used there.
    words = body.split()
    assert normalise_body(body, words) == normalise_body(body)
    assert count_words(words, "en") == word_count(body, "en")
    assert count_words(words, "zh") == word_count(body, "zh")
    assert normalise_body("\u2460  day", ["\u2460", "day"]) == "1 day"
