"""Every query in docs/reading.md runs against a small archive and returns what it should."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from flows.runner import archive_captures

DOC = Path(__file__).resolve().parent.parent / "docs" / "reading.md"
EXAMPLE = re.compile(r"<!-- test: (?P<name>[\w-]+) -->\s*```python\n(?P<code>.*?)```", re.DOTALL)
EXAMPLES = {m["name"]: m["code"] for m in EXAMPLE.finditer(DOC.read_text(encoding="utf-8"))}


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> str:
    from conftest import ARTICLE_HTML, SEED, write_capture

    folder = tmp_path_factory.mktemp("in")
    write_capture(folder, "seed.txt", SEED.read_bytes())
    write_capture(
        folder, "h.html", ARTICLE_HTML, {"url": "https://news.example.com/h", "captured_at": "2026-10-02T00:00:00Z"}
    )
    revised = ARTICLE_HTML.replace("three weeks", "four weeks")
    write_capture(
        folder, "h2.html", revised, {"url": "https://news.example.com/h", "captured_at": "2026-10-03T00:00:00Z"}
    )
    write_capture(folder, "empty.txt", b"")
    path = tmp_path_factory.mktemp("archive")
    report = archive_captures([folder], path)
    assert (report.archived, report.revisions, report.quarantined) == (3, 1, 1)
    return str(path)


def run_example(name: str, archive: str) -> Any:
    namespace: dict[str, Any] = {"archive": archive}
    exec(compile(EXAMPLES[name], f"{DOC.name}:{name}", "exec"), namespace)
    return namespace["result"]


def test_the_doc_has_the_examples_this_test_expects() -> None:
    assert set(EXAMPLES) == {
        "duckdb-latest-revision", "duckdb-publisher-month", "duckdb-full-text", "polars-latest-revision",
        "pandas-publisher-month", "pyarrow-dataset", "duckdb-quarantine",
    }  # fmt: skip


def test_latest_revision_per_article(archive: str) -> None:
    rows = run_example("duckdb-latest-revision", archive)
    assert len(rows) == 2
    assert sorted(r[1] for r in rows) == [1, 2]


def test_articles_per_publisher_per_month(archive: str) -> None:
    rows = run_example("duckdb-publisher-month", archive)
    assert ("Example News", 2026, 10, 2) in rows
    assert any(r[0] == "The Globe and Mail" and r[3] == 1 for r in rows)


def test_full_text_search_finds_the_harbour_story_only(archive: str) -> None:
    rows = run_example("duckdb-full-text", archive)
    assert len(rows) == 2  # both revisions of the harbour story, not the seed
    assert all(r[1] and "Harbour" in r[1] for r in rows)


def test_polars_counts_latest_revisions(archive: str) -> None:
    frame = run_example("polars-latest-revision", archive)
    counts = {(row["publisher"], row["month"]): row["articles"] for row in frame.to_dicts()}
    assert counts[("Example News", 10)] == 1


def test_pandas_groupby(archive: str) -> None:
    frame = run_example("pandas-publisher-month", archive)
    assert int(frame["articles"].sum()) == 3


def test_pyarrow_filtered_scan(archive: str) -> None:
    rows = run_example("pyarrow-dataset", archive)
    assert len(rows) == 3
    assert any(r["credits"] == ["Reuters"] for r in rows)


def test_quarantine_reasons_with_bytes(archive: str) -> None:
    assert run_example("duckdb-quarantine", archive) == [("read", "empty", 1, 0)]
