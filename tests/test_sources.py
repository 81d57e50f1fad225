"""Capture discovery and reading: formats by suffix, sidecars, read failures as quarantine."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import write_capture

from flows.sources import CaptureFile, discover, read_capture_file, read_captures
from schemas.records import Capture, Quarantined


def test_discover_walks_folders_and_picks_capture_suffixes(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    for name in ("a.txt", "b.HTML", "sub/c.htm", "d.json", "e.csv", ".hidden.txt"):
        (tmp_path / name).write_text("x")
    found = list(discover([tmp_path]))
    assert [(Path(f.path).name, f.format) for f in found] == [("a.txt", "text"), ("b.HTML", "html"), ("c.htm", "html")]


def test_discover_refuses_a_missing_path(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no such file or folder"):
        list(discover([tmp_path / "missing"]))


def test_without_sidecar_url_is_null_and_time_is_mtime(tmp_path: Path) -> None:
    path = write_capture(tmp_path, "a.txt", "hello")
    os.utime(path, (1_700_000_000, 1_700_000_000))
    capture = read_capture_file(CaptureFile(str(path), "text"))
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
    assert [Path(f.path).name for f in discover([tmp_path])] == ["a.txt"]
    assert json.loads((tmp_path / "a.json").read_text())["url"] == "https://e.com"
