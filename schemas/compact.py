"""Compact growing indexes for dedup over millions of rows: sorted numpy arrays plus a small recent part.

A Python ``set`` of 16-byte keys costs about 90 bytes a key and a dict-of-lists SimHash index
about 570 bytes an entry: a backfill's parent process held about 780 bytes an archived article
(about 750 MB a million) to know what the archive already has. Here a key costs 16 bytes and a
SimHash entry 50 bytes plus its key's own bytes once merged; the latest additions (at most
``MERGE_AT``) stay in plain Python structures until they are merged into the arrays.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

#: Additions kept in Python structures before they are merged into the sorted arrays.
MERGE_AT = 1 << 15


class KeySet:
    """A growing set of 16-byte keys (``bytes``): 16 bytes a key once merged."""

    def __init__(self, merge_at: int = MERGE_AT) -> None:
        self._merged = np.empty(0, dtype="S16")
        self._recent: set[bytes] = set()
        self._merge_at = merge_at

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, bytes) or len(key) != 16:
            return False
        if key in self._recent:
            return True
        merged = self._merged
        at = int(np.searchsorted(merged, key))
        # numpy keeps fixed-width bytes without their trailing NULs (injective for 16-byte keys)
        return at < len(merged) and merged[at] == key.rstrip(b"\0")

    def __len__(self) -> int:
        return len(self._merged) + len(self._recent)

    def add(self, key: bytes) -> None:
        if not isinstance(key, bytes) or len(key) != 16:
            raise ValueError("KeySet holds 16-byte keys (bytes)")
        if key in self:
            return
        self._recent.add(key)
        if len(self._recent) >= self._merge_at:
            self._merge()

    def update(self, keys: Iterable[bytes]) -> None:
        for key in keys:
            self.add(key)

    def _merge(self) -> None:
        """Insert the recent keys, sorted, where they belong: one pass over the merged array (a
        re-sort per merge made loading a large archive quadratic)."""
        fresh = np.array(sorted(self._recent), dtype="S16")
        self._merged = np.insert(self._merged, self._merged.searchsorted(fresh), fresh)
        self._recent = set()


class RevisionIndex:
    """The highest revision archived for each article key: articles at revision 1 (nearly all)
    in a ``KeySet``, later revisions in a dict."""

    def __init__(self, merge_at: int = MERGE_AT) -> None:
        self._first = KeySet(merge_at)
        self._later: dict[bytes, int] = {}

    def get(self, key: bytes, default: int = 0) -> int:
        if (later := self._later.get(key)) is not None:
            return later
        return 1 if key in self._first else default

    def record(self, key: bytes, revision: int) -> None:
        """Remember ``revision`` for ``key`` unless a higher one is known."""
        if revision > 1:
            self._later[key] = max(revision, self._later.get(key, 0))
        self._first.add(key)

    def __len__(self) -> int:
        return len(self._first)
