"""Worker processes: a pool cleans like this process does, and gives freed memory back."""

from __future__ import annotations

import gc
from datetime import UTC, datetime

import psutil
import pytest
from conftest import ARTICLE_HTML
from lxml import html as lxml_html

from flows.batch import clean_batch
from flows.parallel import _malloc_trim, cleaning_pool, release_free_memory
from schemas.records import Capture


def _captures(count: int) -> list[Capture]:
    return [
        Capture(
            raw=ARTICLE_HTML.replace("Monday", f"Monday, day {i}").encode(),
            url=f"https://news.example.com/{i}",
            captured_at=datetime(2026, 11, 1, tzinfo=UTC),
            format="html",
            source=f"page{i}.html",
        )
        for i in range(count)
    ]


def test_a_worker_pool_returns_what_this_process_would() -> None:
    captures = _captures(3)
    with cleaning_pool(1, "fast") as cleaner:
        pooled = cleaner(captures)
    assert pooled == clean_batch(captures, "fast")
    assert [r.url for r in pooled] == [c.url for c in captures]


@pytest.mark.skipif(_malloc_trim() is None, reason="no malloc_trim in this C library (not glibc)")
def test_released_memory_goes_back_to_the_system() -> None:
    page = "<html><body>" + "<div><p>word word word</p><span>x</span></div>" * 20_000 + "</body></html>"
    trees = [lxml_html.fromstring(page) for _ in range(10)]
    del trees
    gc.collect()
    before = psutil.Process().memory_info().rss
    release_free_memory()
    assert psutil.Process().memory_info().rss < before - 10 * 2**20
