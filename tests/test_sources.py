"""Capture discovery and reading: formats by suffix, sidecars, read failures as quarantine."""

from __future__ import annotations

import gzip
import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import eval_html_pages, write_capture, write_warc

from flows.sources import JsonlFields, SourceOptions, SourceStats, discover, read_captures
from schemas.records import Capture, Quarantined


def test_discover_walks_folders_and_picks_capture_suffixes(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    for name in ("a.txt", "b.HTML", "sub/c.htm", "d.json", "e.csv", ".hidden.txt"):
        (tmp_path / name).write_text("x")
    found = list(discover([str(tmp_path)]))
    assert [(Path(f.url).name, f.kind) for f in found] == [("a.txt", "text"), ("b.HTML", "html"), ("c.htm", "html")]


def test_discover_refuses_a_missing_path(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no such file or folder"):
        list(discover([str(tmp_path / "missing")]))


def test_without_sidecar_url_is_null_and_time_is_mtime(tmp_path: Path) -> None:
    path = write_capture(tmp_path, "a.txt", "hello")
    os.utime(path, (1_700_000_000, 1_700_000_000))
    (capture,) = read_captures([str(path)])
    assert isinstance(capture, Capture)
    assert capture.url is None
    assert capture.captured_at == datetime.fromtimestamp(1_700_000_000, tz=UTC)


def test_sidecar_gives_url_and_aware_time(tmp_path: Path) -> None:
    write_capture(
        tmp_path, "a.html", "<p>x</p>", {"url": "https://e.com/a", "captured_at": "2024-02-03T04:05:06+02:00"}
    )
    (capture,) = read_captures([tmp_path])
    assert isinstance(capture, Capture)
    assert capture.url == "https://e.com/a"
    assert capture.captured_at.astimezone(UTC) == datetime(2024, 2, 3, 2, 5, 6, tzinfo=UTC)


@pytest.mark.parametrize(
    ("sidecar", "message"),
    [
        ("[1, 2]", "must hold a JSON object"),
        ('{"url": 5}', "url must be a string"),
        ('{"captured_at": 1700000000}', "captured_at must be an ISO 8601 string"),
        ('{"captured_at": "yesterday"}', "not ISO 8601"),
        ("{not json", "not valid JSON"),
    ],
)
def test_a_bad_sidecar_quarantines_the_capture_with_its_reason(tmp_path: Path, sidecar: str, message: str) -> None:
    write_capture(tmp_path, "a.txt", "some text")
    (tmp_path / "a.json").write_text(sidecar)
    (item,) = read_captures([tmp_path])
    assert isinstance(item, Quarantined)
    assert (item.stage, item.reason) == ("read", "bad_sidecar")
    assert message in item.detail
    assert item.capture.raw == b"some text"


def test_sidecar_is_not_itself_a_capture(tmp_path: Path) -> None:
    write_capture(tmp_path, "a.txt", "x", {"url": "https://e.com"})
    assert [Path(f.url).name for f in discover([str(tmp_path)])] == ["a.txt"]
    assert json.loads((tmp_path / "a.json").read_text())["url"] == "https://e.com"


# --- containers, compression, selection -------------------------------------------------------


def test_warc_responses_become_captures_and_other_records_are_counted(tmp_path: Path) -> None:
    pages = eval_html_pages(3)
    warc = write_warc(tmp_path / "crawl.warc.gz", pages)
    stats = SourceStats()
    captures = list(read_captures([str(warc)], stats=stats))
    assert [c.url for c in captures] == [url for url, _ in pages]
    assert all(isinstance(c, Capture) and c.format == "html" for c in captures)
    assert [c.raw for c in captures] == [html for _, html in pages]
    assert captures[0].captured_at == datetime(2026, 10, 1, 12, tzinfo=UTC)
    assert captures[0].declared_encoding == "utf-8"
    assert all(c.source.startswith(f"{warc}#") and c.source.split("#")[1].isdigit() for c in captures)
    assert stats.skipped_by_kind == {"request": 3, "response:image/png": 1}
    assert stats.skipped_records == 4


@pytest.mark.parametrize("suffix", [".warc.gz", ".warc"])
def test_truncated_warc_keeps_records_before_the_cut_and_quarantines_the_rest(tmp_path: Path, suffix: str) -> None:
    warc = write_warc(tmp_path / f"crawl{suffix}", eval_html_pages(3), extra_records=False)
    data = warc.read_bytes()
    cut = tmp_path / f"cut{suffix}"
    cut.write_bytes(data[: int(len(data) * 0.8)])
    items = list(read_captures([str(cut)]))
    good = [i for i in items if isinstance(i, Capture)]
    bad = [i for i in items if isinstance(i, Quarantined)]
    assert len(good) + len(bad) >= 2  # every record read so far is accounted for
    assert good and good[0].raw == eval_html_pages(1)[0][1]
    assert len(bad) == 1 and bad[0].reason in ("bad_warc", "bad_warc_record") and "truncated" in bad[0].detail


def test_jsonl_rows_with_configurable_fields_and_bad_lines(tmp_path: Path) -> None:
    rows = [
        json.dumps({"link": "https://e.com/1", "fetched": "2025-05-01T10:00:00Z", "body_html": "<p>one</p>"}),
        "{not json",
        json.dumps({"link": "https://e.com/2", "plain": "two words"}),
        json.dumps(["a", "list"]),
        json.dumps({"link": 7, "body_html": "<p>x</p>"}),
        "",
    ]
    feed = tmp_path / "feed.jsonl.gz"
    with gzip.open(feed, "wt", encoding="utf-8") as handle:
        handle.write("\n".join(rows) + "\n")
    fields = JsonlFields(url="link", captured_at="fetched", html="body_html", text="plain")
    items = list(read_captures([str(feed)], SourceOptions(jsonl_fields=fields)))
    assert len(items) == 5
    first, bad_json, second, not_object, bad_url = items
    assert isinstance(first, Capture) and first.format == "html" and first.url == "https://e.com/1"
    assert first.captured_at == datetime(2025, 5, 1, 10, tzinfo=UTC)
    assert isinstance(second, Capture) and second.format == "text" and second.raw == b"two words"
    for item, words in [(bad_json, "not valid JSON"), (not_object, "JSON object"), (bad_url, "url must be")]:
        assert isinstance(item, Quarantined) and item.reason == "bad_jsonl_line" and words in item.detail
    assert bad_json.capture.source.endswith("#line=2")


def test_gzipped_loose_captures_and_a_truncated_one(tmp_path: Path) -> None:
    (tmp_path / "a.html.gz").write_bytes(gzip.compress(b"<p>hello</p>"))
    (tmp_path / "b.txt.gz").write_bytes(gzip.compress(b"hello text" * 100)[:30])
    a, b = read_captures([str(tmp_path)])
    assert isinstance(a, Capture) and a.raw == b"<p>hello</p>" and a.format == "html"
    assert isinstance(b, Quarantined) and b.reason == "unreadable"


def test_decompression_bomb_is_quarantined_not_read_into_memory(tmp_path: Path) -> None:
    (tmp_path / "bomb.html.gz").write_bytes(gzip.compress(b"\0" * (3 * 1024 * 1024)))
    (item,) = read_captures([str(tmp_path)], SourceOptions(max_capture_bytes=1024 * 1024))
    assert isinstance(item, Quarantined) and item.reason == "too_large"
    assert "decompressed" in item.detail


def test_include_and_exclude_globs_select_inputs(tmp_path: Path) -> None:
    for name in ("2024/a.txt", "2024/b.html", "2025/c.txt", "2025/skip/d.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    options = SourceOptions(include=("*.txt",), exclude=("*/skip/*",))
    assert [Path(f.url).name for f in discover([str(tmp_path)], options)] == ["a.txt", "c.txt"]


def test_file_url_inputs_read_through_fsspec(tmp_path: Path) -> None:
    write_capture(tmp_path, "a.txt", "hello")
    (item,) = read_captures([f"file://{tmp_path}"])
    assert isinstance(item, Capture) and item.raw == b"hello"
