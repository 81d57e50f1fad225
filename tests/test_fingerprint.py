"""SimHash fingerprints and the near-duplicate index."""

from __future__ import annotations

import re
import zlib

from hypothesis import given
from hypothesis import strategies as st

from schemas.fingerprint import NEAR_DUPLICATE_BITS, SimhashIndex, hamming, simhash

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
