"""Shared test fixtures: sample captures on disk, and one Prefect test harness per session."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from flows.prefect_env import apply_prefect_defaults

apply_prefect_defaults()

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_9ab81f779ecb6436.txt"
EVAL_DIR = ROOT.parent / "shared" / "eval"

ARTICLE_HTML = """<!doctype html><html><head><meta charset="utf-8"><title>Harbour reopens | Example News</title>
<meta property="og:site_name" content="Example News"></head><body>
<nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>Harbour reopens after storm repairs</h1>
<p>The harbour reopened to fishing boats on Monday after three weeks of repairs to the breakwater,
which was damaged when a winter storm pushed waves over the sea wall.</p>
<p>Crews replaced more than two hundred concrete blocks and rebuilt the lighthouse jetty, the port
authority said in a statement, adding that the total cost was still being calculated.</p>
<p>Fishermen said the closure had cost them most of the season's first catch, and several asked the
town council for help with mooring fees while they recover.</p>
</article><footer>Copyright Example News</footer></body></html>"""

EMPTY_HTML = "<html><head><title>Sign in</title></head><body><nav><a href='/'>Home</a></nav></body></html>"


def write_capture(folder: Path, name: str, data: bytes | str, sidecar: dict | None = None) -> Path:
    """Write a capture file (and optional sidecar) and return its path."""
    path = folder / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    if sidecar is not None:
        path.with_suffix(".json").write_text(json.dumps(sidecar), encoding="utf-8")
    return path


@pytest.fixture
def mixed_inputs(tmp_path: Path) -> Path:
    """A folder with the seed, a good HTML page, and three captures that must be quarantined."""
    folder = tmp_path / "captures"
    folder.mkdir()
    write_capture(folder, "seed.txt", SEED.read_bytes())
    write_capture(
        folder,
        "harbour.html",
        ARTICLE_HTML,
        {"url": "https://news.example.com/2026/11/harbour", "captured_at": "2026-11-20T08:30:00Z"},
    )
    write_capture(folder, "empty.txt", b"")
    write_capture(folder, "binary.html", bytes(range(256)) * 40)
    write_capture(folder, "login.html", EMPTY_HTML)
    return folder


def eval_html_pages(count: int) -> list[tuple[str, bytes]]:
    """(url, html bytes) of the first ``count`` pages of the shared evaluation set (real pages)."""
    truth = EVAL_DIR / "articles" / "truth.jsonl"
    if not truth.exists():
        pytest.skip(f"the shared evaluation data is not at {EVAL_DIR}")
    rows = [json.loads(line) for line in truth.read_text(encoding="utf-8").split("\n")[:count]]
    return [(row["url"], (EVAL_DIR / "articles" / f"{row['id']}.html").read_bytes()) for row in rows]


def write_warc(path: Path, pages: list[tuple[str, bytes]], *, extra_records: bool = True) -> Path:
    """A gzipped WARC written with warcio: a response per page, plus request/metadata/image records."""
    from io import BytesIO

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=path.suffix == ".gz")
        for i, (url, html) in enumerate(pages):
            date = f"2026-10-{(i % 28) + 1:02d}T12:00:00Z"
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            record = writer.create_warc_record(
                url, "response", payload=BytesIO(html), http_headers=http, warc_headers_dict={"WARC-Date": date}
            )
            writer.write_record(record)
            if extra_records:
                request = writer.create_warc_record(url, "request", payload=BytesIO(b"GET / HTTP/1.1\r\n\r\n"))
                writer.write_record(request)
        if extra_records:
            image = StatusAndHeaders("200 OK", [("Content-Type", "image/png")], protocol="HTTP/1.1")
            png = writer.create_warc_record(
                "https://example.com/logo.png", "response", payload=BytesIO(b"\x89PNG...."), http_headers=image
            )
            writer.write_record(png)
    return path


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """One Prefect test harness (temporary server and database) for the whole session."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=90):
        yield
