"""The plain runner: accounting, duplicates across runs, quarantine of bad input, batching."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pyarrow.dataset as ds
import pytest
from conftest import ARTICLE_HTML, ROOT, SEED

from cleaners import __version__
from cleaners.modes import cleaner_version
from flows.runner import archive_captures, batched, clean_one
from schemas.archive import read_table
from schemas.records import Capture, Quarantined


def test_bad_inputs_are_quarantined_and_the_run_goes_on(mixed_inputs: Path, tmp_path: Path) -> None:
    report = archive_captures([mixed_inputs], tmp_path / "archive")
    assert (report.seen, report.archived, report.duplicates, report.quarantined) == (5, 2, 0, 3)
    assert report.quarantine_reasons == {"empty": 1, "binary": 1, "no_article_text": 1}
    quarantine = read_table(tmp_path / "archive", "quarantine").to_pylist()
    by_source = {Path(row["source"]).name: row for row in quarantine}
    assert set(by_source) == {"empty.txt", "binary.html", "login.html"}
    assert by_source["binary.html"]["raw"] == bytes(range(256)) * 40
    assert all(row["detail"] for row in quarantine)


def test_second_run_reports_duplicates_and_writes_nothing(mixed_inputs: Path, tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    archive_captures([mixed_inputs], archive)
    again = archive_captures([mixed_inputs], archive)
    assert (again.seen, again.archived, again.duplicates, again.quarantined) == (5, 0, 5, 0)
    assert again.files == []
    assert read_table(archive).num_rows == 2


def test_same_bytes_twice_in_one_run_are_archived_once(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("a.txt", "b.txt"):
        (folder / name).write_bytes(SEED.read_bytes())
    report = archive_captures([folder], tmp_path / "archive", batch_size=1)
    assert (report.seen, report.archived, report.duplicates) == (2, 1, 1)


def test_sidecar_sets_url_and_partition(mixed_inputs: Path, tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    archive_captures([mixed_inputs], archive)
    rows = ds.dataset(archive / "articles", format="parquet", partitioning="hive").to_table().to_pylist()
    harbour = next(r for r in rows if r["url"])
    assert harbour["url"] == "https://news.example.com/2026/11/harbour"
    assert (harbour["year"], harbour["month"]) == (2026, 11)
    assert harbour["captured_at"].isoformat() == "2026-11-20T08:30:00+00:00"
    assert harbour["publisher"] == "Example News"


def test_each_batch_writes_its_own_uniquely_named_files(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    text = SEED.read_text(encoding="utf-8")
    for i in range(3):
        (folder / f"{i}.txt").write_text(text.replace("Beijing", f"Beijing{i}"), encoding="utf-8")
    report = archive_captures([folder], tmp_path / "archive", batch_size=1)
    names = [Path(f["path"]).name for f in report.files if f["table"] == "articles"]
    assert len(names) == 3 == len(set(names))
    assert all(name.startswith(f"part-{report.run_id}-") for name in names)


def test_a_cleaner_bug_quarantines_one_capture_not_the_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    import cleaners.core

    def broken(capture: Capture, profiles: object, mode: str) -> None:
        raise KeyError("boom")

    monkeypatch.setattr(cleaners.core, "clean", broken)
    capture = Capture(raw=b"x", format="text", source="s", captured_at=datetime(2026, 1, 1, tzinfo=UTC))
    result = clean_one(capture, None)  # type: ignore[arg-type]
    assert isinstance(result, Quarantined)
    assert (result.stage, result.reason) == ("clean", "cleaner_error")
    assert "KeyError" in result.detail


def test_batched_splits_and_rejects_zero() -> None:
    assert list(batched(range(5), 2)) == [[0, 1], [2, 3], [4]]
    with pytest.raises(ValueError):
        list(batched([], 0))


def test_since_until_window_counts_captures_outside_apart(tmp_path: Path) -> None:
    from conftest import ARTICLE_HTML, write_capture

    from flows.runner import CaptureWindow

    folder = tmp_path / "in"
    folder.mkdir()
    for month in (9, 10, 11):
        html = ARTICLE_HTML.replace("Monday", f"Monday {month}")
        write_capture(folder, f"m{month}.html", html, {"captured_at": f"2026-{month:02d}-15T00:00:00Z"})
    window = CaptureWindow(datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC))
    report = archive_captures([folder], tmp_path / "archive", window=window)
    assert (report.seen, report.archived, report.out_of_window) == (1, 1, 2)
    assert read_table(tmp_path / "archive").column("month").to_pylist() == [10]


def test_warc_and_jsonl_inputs_through_the_runner(tmp_path: Path) -> None:
    import gzip
    import json

    from conftest import eval_html_pages, write_warc

    pages = eval_html_pages(4)
    write_warc(tmp_path / "crawl.warc.gz", pages[:2])
    with gzip.open(tmp_path / "feed.jsonl.gz", "wt", encoding="utf-8") as handle:
        for url, html in pages[2:]:
            handle.write(json.dumps({"url": url, "captured_at": "2026-09-01T00:00:00Z", "html": html.decode()}) + "\n")
    report = archive_captures([tmp_path], tmp_path / "archive")
    assert (report.inputs, report.seen, report.archived, report.skipped_records) == (2, 4, 4, 3)
    urls = set(read_table(tmp_path / "archive").column("url").to_pylist())
    assert urls == {url for url, _ in pages}


def test_progress_is_reported_after_each_batch(mixed_inputs: Path, tmp_path: Path) -> None:
    from flows.runner import IngestRun, Progress

    seen: list[Progress] = []
    run = IngestRun(tmp_path / "archive", on_progress=seen.append)
    for batch in batched(run.captures([str(mixed_inputs)]), 2):
        run.process(batch)
    report = run.finish()
    assert [p.seen for p in seen] == [2, 4, 5]
    assert seen[-1].quarantined == report.quarantined == 3
    assert seen[-1].bytes_read == sum(f.stat().st_size for f in mixed_inputs.iterdir() if f.suffix != ".json")


def test_fast_extraction_is_stamped_on_its_rows(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "page.html").write_bytes(ARTICLE_HTML.encode("utf-8"))
    report = archive_captures([folder], tmp_path / "archive", extraction="fast")
    assert report.archived == 1
    [row] = read_table(tmp_path / "archive").to_pylist()
    assert row["cleaner_version"] == f"{__version__}+fast"
    assert "harbour" in row["body"]


def test_an_unknown_extraction_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="extraction mode"):
        cleaner_version("fastest")  # type: ignore[arg-type]


def _modules_loaded_by(code: str) -> set[str]:
    """Top-level modules a fresh interpreter has loaded after running ``code``."""
    script = f"import sys\n{code}\nprint(' '.join(sorted({{m.split('.')[0] for m in sys.modules}})))"
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    return set(done.stdout.split())


def test_a_cleaning_worker_loads_neither_pyarrow_nor_prefect() -> None:
    """Worker processes import flows.batch only: pyarrow (about 100 MB with the pandas it pulls in)
    and Prefect stay in the parent."""
    worker = _modules_loaded_by(
        "from datetime import UTC, datetime\nfrom flows.batch import clean_batch\nfrom schemas.records import Capture\n"
        f"page = Capture(raw={ARTICLE_HTML.encode()!r}, url='https://example.com/a', source='a.html',"
        " captured_at=datetime.now(UTC), format='html')\n"
        "assert clean_batch([page])[0].body"
    )
    assert "trafilatura" in worker and not {"pyarrow", "pandas", "prefect"} & worker
