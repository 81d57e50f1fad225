"""Compact dedup indexes: a KeySet is a set, a RevisionIndex a dict of highest revisions, in fewer bytes."""

from __future__ import annotations

import hashlib
import tracemalloc

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schemas.compact import KeySet, RevisionIndex

#: 16-byte keys, some ending in NUL bytes (numpy's fixed-width bytes drop trailing NULs).
_KEYS = st.one_of(
    st.binary(min_size=16, max_size=16),
    st.binary(min_size=1, max_size=15).map(lambda b: b.ljust(16, b"\0")),
    st.sampled_from([b"\0" * 16, b"a" + b"\0" * 15, b"\0" * 15 + b"a"]),
)


@given(st.lists(_KEYS, max_size=60), st.lists(_KEYS, max_size=20), st.integers(min_value=1, max_value=8))
def test_key_set_answers_as_a_set_does(added: list[bytes], probes: list[bytes], merge_at: int) -> None:
    keys, reference = KeySet(merge_at=merge_at), set()
    for key in added:
        keys.add(key)
        reference.add(key)
    assert len(keys) == len(reference)
    for key in [*added, *probes]:
        assert (key in keys) == (key in reference)


def test_key_set_refuses_keys_of_another_length() -> None:
    with pytest.raises(ValueError, match="16-byte"):
        KeySet().add(b"short")
    assert b"short" not in KeySet()


@given(
    st.lists(st.tuples(st.sampled_from([b"a" * 16, b"b" * 16, b"c" * 15 + b"\0"]), st.integers(1, 4)), max_size=30),
    st.integers(min_value=1, max_value=4),
)
def test_revision_index_keeps_the_highest_revision(records: list[tuple[bytes, int]], merge_at: int) -> None:
    index, reference = RevisionIndex(merge_at=merge_at), {}
    for key, revision in records:
        index.record(key, revision)
        reference[key] = max(revision, reference.get(key, 0))
    for key in (b"a" * 16, b"b" * 16, b"c" * 15 + b"\0", b"d" * 16):
        assert index.get(key) == reference.get(key, 0)


def test_a_merged_key_set_costs_about_16_bytes_a_key() -> None:
    """A Python set of 16-byte ``bytes`` costs about 90 bytes a key."""
    keys = [hashlib.blake2b(str(i).encode(), digest_size=16).digest() for i in range(50_000)]
    tracemalloc.start()
    merged = KeySet(merge_at=1000)
    merged.update(keys)
    current, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert current / len(keys) < 40
    assert all(key in merged for key in keys[::997])
