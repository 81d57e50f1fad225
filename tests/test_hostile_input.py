"""Hostile and broken input: each capture quarantined with a clear reason, the batch goes on."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import time
from collections.abc import Callable
from io import BytesIO
from pathlib import Path
from typing import Any

import duckdb
import pytest

from schemas.archive import read_table
from tests.conftest import SEED, write_capture

#: Paragraphs that the HTML cleaner keeps, with accents to check decoding.
PARAS = [
    "The café on the harbour reopened on Monday after three weeks of repairs to the breakwater, "
    "which was damaged when a winter storm pushed waves over the sea wall.",
    "Crews replaced more than two hundred concrete blocks and rebuilt the lighthouse jetty, the port "
    "authority said in a statement, adding that the naïve early estimate of the cost was far too low.",
    "Fishermen said the closure had cost them most of the season's first catch, and several asked the "
    "town council for help with mooring fees while they recover from the damage.",
]
TAIL = "<footer>Copyright Example News</footer></body></html>"


def article_html(title: str, *, charset: str = "utf-8", site: str = "Example News", extra: str = "") -> str:
    """A small article page (a different title and paragraph makes a different article: the
    headline is the record's title, not body text, so the body names it in a sentence of its own)."""
    paragraphs = "".join(f"<p>{p}</p>\n" for p in [*PARAS, f"Reference {title} was recorded."])
    return (
        f'<!doctype html><html><head><meta charset="{charset}"><title>{title} | {site}</title>'
        f'<meta property="og:site_name" content="{site}"></head><body><nav><a href="/">Home</a></nav>'
        f"<article><h1>{title}</h1>\n{paragraphs}<p>{extra}</p></article>{TAIL}"
    )


def text_page(marker: str, body_extra: str = "") -> str:
    """The seed text capture, made distinct by a marker sentence on its longest line."""
    lines = SEED.read_text(encoding="utf-8").splitlines()
    longest = max(range(len(lines)), key=lambda i: len(lines[i]))
    lines[longest] = f"{lines[longest]} {body_extra}Reference {marker} was recorded."
    return "\n".join(lines) + "\n"


def gzip_stream(chunk: bytes, repeat: int) -> bytes:
    """gzip of ``chunk * repeat``, compressed as it goes (a bomb is never held in memory whole)."""
    out = BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=9) as handle:
        for _ in range(repeat):
            handle.write(chunk)
    return out.getvalue()


def write_warc_records(path: Path, pages: list[tuple[str, bytes]]) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=path.suffix == ".gz")
        for i, (url, html) in enumerate(pages):
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            record = writer.create_warc_record(
                url,
                "response",
                payload=BytesIO(html),
                http_headers=http,
                warc_headers_dict={"WARC-Date": f"2026-10-{i + 1:02d}T12:00:00Z"},
            )
            writer.write_record(record)


#: source file name (or name#record) -> (stage, reason) it must be quarantined with; None: archived.
Expected = dict[str, tuple[str, str] | None]


def build_corpus(folder: Path) -> tuple[Expected, dict[str, Callable[[dict[str, Any]], bool]]]:
    """The hostile corpus; returns what each capture must become and extra checks on articles."""
    folder.mkdir()
    expected: Expected = {}
    checks: dict[str, Callable[[dict[str, Any]], bool]] = {}
    stamp = {"captured_at": "2026-11-20T08:30:00Z"}

    def add(name: str, data: bytes | str, outcome: tuple[str, str] | None, sidecar: dict | None = None) -> None:
        write_capture(folder, name, data, sidecar)
        expected[name] = outcome

    # Empty, whitespace, binary.
    add("empty.html", b"", ("read", "empty"))
    write_capture(folder, "empty.txt", b"")  # the same bytes: the same capture, counted a duplicate
    add("whitespace.txt", b" \t\r\n \n\n   \x0c\n", ("read", "empty"))
    add("whitespace.html", "\u3000 \u00a0\n", ("decode", "empty"))
    add("binary.html", bytes(range(256)) * 40, ("decode", "binary"))
    add("png.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8, ("decode", "binary"))
    add("nul-in-text.txt", text_page("nul").replace("Reference", "Ref\x00erence").encode(), ("decode", "binary"))
    # Wrong and lying charsets: decoded right anyway, archived.
    # (A page with only two accented letters is ambiguous: detection may pick cp775 for it.)
    french = "Le café de la gare a rouvert après trois semaines de travaux; les pêcheurs étaient très inquiets."
    add("lying-utf8.html", article_html("Lying UTF-8", extra=french).encode("cp1252"), None, stamp)
    checks["lying-utf8.html"] = lambda row: "café" in row["body"] and "naïve" in row["body"]
    add("bogus-charset.html", article_html("Bogus", charset="x-no-such-charset").encode(), None, stamp)
    checks["bogus-charset.html"] = lambda row: "café" in row["body"]
    add("utf16-label.html", article_html("Sixteen", charset="utf-16").encode(), None, stamp)
    checks["utf16-label.html"] = lambda row: "café" in row["body"]
    mojibake = article_html("Mojibake").encode("utf-8").decode("cp1252", "replace").encode("utf-8")
    add("mojibake.html", mojibake, None, stamp)
    checks["mojibake.html"] = lambda row: "café" in row["body"] and "Ã©" not in row["body"]
    # Sizes: over the cleaning limit (raw kept), over the read limit (a gzip bomb), a zstd file.
    para = f"<p>{PARAS[0]}</p>\n".encode()
    big = b"<html><body><article>" + para * (50 * 2**20 // len(para)) + b"</article></body></html>"
    add("fifty-mb.html", big, ("decode", "too_large"))
    del big
    add("bomb.html.gz", gzip_stream(b"<p>" + b"A" * 65533 + b"</p>", 1100), ("read", "too_large"))
    add("bomb.txt.gz", gzip_stream(b"\0" * 2**20, 70), ("read", "too_large"))
    (folder / "page.html.zst").write_bytes(b"\x28\xb5\x2f\xfd" + b"\0" * 64)  # not an input kind: ignored
    # Truncated gzip and WARC.
    whole = gzip.compress(text_page("gzip").encode())
    add("truncated.txt.gz", whole[: len(whole) // 2], ("read", "unreadable"))
    add("good.txt.gz", gzip.compress(text_page("good-gzip").encode()), None)
    pages = [(f"https://news.example.com/w{i}", article_html(f"WARC page {i}").encode()) for i in range(3)]
    write_warc_records(folder / "whole.warc.gz", pages)
    cut = (folder / "whole.warc.gz").read_bytes()
    (folder / "whole.warc.gz").unlink()
    (folder / "cut.warc.gz").write_bytes(cut[: len(cut) - 200])
    pages = [(f"https://news.example.com/p{i}", article_html(f"Plain WARC page {i}").encode()) for i in range(2)]
    write_warc_records(folder / "plain.warc", pages)
    plain = (folder / "plain.warc").read_bytes()
    (folder / "plain.warc").write_bytes(plain[: len(plain) - 300])
    # Malformed JSONL lines among good ones.
    good = {"url": "https://news.example.com/j1", "captured_at": "2026-11-02T10:00:00Z"}
    lines = [
        json.dumps({**good, "html": article_html("JSONL good")}),
        '{"url": "https://news.example.com/j2", "html": "<p>unterminated',
        "[1, 2, 3]",
        json.dumps({"url": "https://news.example.com/j3"}),
        json.dumps({"url": "https://news.example.com/j4", "html": 42}),
        json.dumps({"url": 7, "html": article_html("bad url")}),
        json.dumps({"captured_at": "yesterday", "text": text_page("jsonl-date")}),
        json.dumps({"captured_at": 1700000000, "text": text_page("jsonl-epoch")}),
        "\xff\xfe not utf-8",
    ]
    (folder / "feed.jsonl").write_bytes("\n".join(lines).encode("utf-8").replace(b"\xc3\xbf\xc3\xbe", b"\xff\xfe"))
    expected["feed.jsonl#line=1"] = None
    for line_no in range(2, 10):
        expected[f"feed.jsonl#line={line_no}"] = ("read", "bad_jsonl_line")
    # Sidecars with the wrong types or values.
    bad_sidecars = [{"url": 42}, {"captured_at": 1700000000}, {"captured_at": ["2026"]}]
    bad_sidecars.append({"captured_at": "9999-12-31T23:59:59-14:00"})  # out of range in UTC
    for i, sidecar in enumerate(bad_sidecars):
        add(f"bad-sidecar-{i}.txt", text_page(f"sidecar-{i}"), ("read", "bad_sidecar"), sidecar)
    add("list-sidecar.txt", text_page("list-sidecar"), ("read", "bad_sidecar"))
    (folder / "list-sidecar.json").write_text("[1, 2]")
    add("junk-sidecar.txt", text_page("junk-sidecar"), ("read", "bad_sidecar"))
    (folder / "junk-sidecar.json").write_bytes(b"\xff{not json")
    # URLs and publishers that would escape the archive if used in a path: stored as values only.
    escapes = ["../../etc/passwd", "/etc/passwd", "https://e.com/\x00/../../x", "..\\..\\windows"]
    for i, url in enumerate(escapes):
        add(f"escape-url-{i}.txt", text_page(f"escape-{i}"), None, {"url": url, **stamp})
        checks[f"escape-url-{i}.txt"] = lambda row, url=url: row["url"] == url
    for i, site in enumerate(["../../../../tmp/escaped", "/tmp/escaped-abs", "..%2F..%2Fetc"]):
        add(f"escape-site-{i}.html", article_html(f"Escape {i}", site=site).encode(), None, stamp)
    # Control characters and bidi overrides: removed from the body, the rest kept.
    hostile = "\x1b[2J\x1b]0;owned\x07 \u202egnp.exe\u202c \u2066x\u2069 \x7f\x08"
    add("controls.txt", text_page("controls", body_extra=hostile), None, stamp)
    checks["controls.txt"] = lambda row: not any(c in row["body"] for c in "\x1b\x07\u202e\u202c\u2066\u2069\x7f\x08")
    add("controls.html", article_html("Controls", extra=hostile), None, stamp)
    checks["controls.html"] = checks["controls.txt"]
    return expected, checks


def run_in_subprocess(inputs: Path, archive: Path, timeout: float = 300) -> dict[str, Any]:
    """``archive_captures`` in a child process (a crash there cannot take the test with it)."""
    code = (
        "import json, sys, resource\n"
        "from flows.runner import archive_captures\n"
        "report = archive_captures([sys.argv[1]], sys.argv[2])\n"
        "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "print(json.dumps({**report.to_dict(), 'peak_rss_kb': peak}))\n"
    )
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code, str(inputs), str(archive)], capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return {**json.loads(done.stdout.splitlines()[-1]), "wall_s": time.perf_counter() - started}


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("hostile")
    inputs, archive = root / "inputs", root / "archive"
    expected, checks = build_corpus(inputs)
    before = {p for p in root.parent.rglob("*") if archive not in p.parents}
    report = run_in_subprocess(inputs, archive)
    after = {p for p in root.parent.rglob("*") if archive not in p.parents and p != archive}
    return {
        "root": root,
        "inputs": inputs,
        "archive": archive,
        "expected": expected,
        "checks": checks,
        "report": report,
        "new_outside": after - before,
    }


def test_every_capture_quarantined_with_its_reason_or_archived(hostile_run: dict[str, Any]) -> None:
    inputs, archive, expected = hostile_run["inputs"], hostile_run["archive"], hostile_run["expected"]
    quarantine = read_table(archive, "quarantine").to_pylist()
    articles = read_table(archive, "articles").to_pylist()
    got: dict[str, tuple[str, str] | None] = {}
    for row in quarantine:
        assert row["detail"], row["source"]
        got[row["source"].removeprefix(str(inputs) + "/")] = (row["stage"], row["reason"])
    for row in articles:
        got[row["source"].removeprefix(str(inputs) + "/")] = None
    warc = {k: v for k, v in got.items() if ".warc" in k}
    plain = {k: v for k, v in got.items() if ".warc" not in k}
    assert plain == expected
    # The cut WARC files: complete records archived, the cut-off rest quarantined as bad_warc.
    cut = sorted((v for k, v in warc.items() if k.startswith("cut.warc.gz")), key=str)
    assert cut[1:] == [None, None] and cut[0] in (("read", "bad_warc"), ("read", "bad_warc_record"))
    plain_warc = sorted((v for k, v in warc.items() if k.startswith("plain.warc")), key=str)
    assert plain_warc == [("read", "bad_warc_record"), None]
    for name, check in hostile_run["checks"].items():
        (row,) = [r for r in articles if r["source"].endswith("/" + name)]
        assert check(row), (name, row["body"][:300])


def test_the_report_accounts_for_every_capture(hostile_run: dict[str, Any]) -> None:
    report = hostile_run["report"]
    captures = len(hostile_run["expected"]) + 3 + 2  # plus the records of the two cut WARC files
    assert report["seen"] == captures + 1  # empty.txt, a duplicate of empty.html
    assert report["duplicates"] == 1
    assert report["seen"] == report["archived"] + report["duplicates"] + report["quarantined"]
    assert sum(report["quarantine_reasons"].values()) == report["quarantined"]
    archive = hostile_run["archive"]
    assert report["archived"] == read_table(archive, "articles").num_rows
    assert report["quarantined"] == read_table(archive, "quarantine").num_rows


def test_nothing_is_written_outside_the_archive_and_partitions_come_from_capture_times(
    hostile_run: dict[str, Any],
) -> None:
    assert hostile_run["new_outside"] == set()
    assert not Path("/tmp/escaped").exists() and not Path("/tmp/escaped-abs").exists()
    archive = hostile_run["archive"].resolve()
    for path in archive.rglob("*.parquet"):
        relative = path.relative_to(archive).parts
        assert relative[0] == "_generations" and relative[1] in ("articles", "quarantine", "captures")
        year, month, name = relative[-3:]
        assert year.startswith("year=") and year[5:].isdigit() and month.startswith("month=") and month[6:].isdigit()
        assert name.startswith("part-") and "/" not in name
    publishers = {r["publisher"] for r in read_table(archive, "articles").to_pylist()}
    assert {"../../../../tmp/escaped", "/tmp/escaped-abs"} <= publishers


def test_duckdb_reads_every_table_of_the_hostile_archive(hostile_run: dict[str, Any]) -> None:
    archive = hostile_run["archive"]
    with duckdb.connect() as con:
        for table in ("articles", "quarantine", "captures"):
            glob = f"{archive}/{table}/**/*.parquet"
            rows = con.execute(f"select * from read_parquet('{glob}', hive_partitioning=true)").fetchall()
            assert len(rows) == read_table(archive, table).num_rows
        bodies = con.execute(f"select body from read_parquet('{archive}/articles/**/*.parquet')").fetchall()
    assert all("\x1b" not in body and "\u202e" not in body for (body,) in bodies)


def test_the_big_inputs_are_refused_in_bounded_time_and_memory(hostile_run: dict[str, Any]) -> None:
    report = hostile_run["report"]
    assert report["wall_s"] < 120
    assert report["peak_rss_kb"] < 1_500_000  # the 50 MB page is held (raw kept), never parsed


def test_deep_nesting_does_not_crash_the_process(tmp_path: Path) -> None:
    """100 000 nested divs, cleaned in a child process: a value comes back (no RecursionError, no segfault)."""
    page = "<html><body>" + "<div>" * 100_000 + f"<p>{PARAS[0]}</p>" * 3 + "</div>" * 100_000 + "</body></html>"
    path = tmp_path / "deep.html"
    path.write_text(page)
    code = (
        "import sys\n"
        "from datetime import UTC, datetime\n"
        "from flows.runner import clean_one\n"
        "from cleaners import default_profiles\n"
        "from schemas.records import Capture\n"
        "c = Capture(open(sys.argv[1], 'rb').read(), 'html', 'deep', datetime.now(UTC))\n"
        "r = clean_one(c, default_profiles())\n"
        "print(type(r).__name__, getattr(r, 'reason', ''))\n"
    )
    done = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    kind, _, reason = done.stdout.strip().partition(" ")
    assert kind in ("ArticleRecord", "Quarantined")
    assert reason != "cleaner_error", done.stdout


def test_a_bad_warc_record_does_not_stop_the_file(tmp_path: Path) -> None:
    """A record whose payload digest is wrong is quarantined; the next record is still read."""
    from flows.sources import read_captures

    pages = [(f"https://news.example.com/d{i}", article_html(f"Digest {i}").encode()) for i in range(2)]
    path = tmp_path / "digest.warc"
    write_warc_records(path, pages)
    data = path.read_bytes()
    at = data.index(b"Digest 0</h1>")
    path.write_bytes(data[:at] + b"Dxgest 0</h1>" + data[at + 13 :])
    found = list(read_captures([tmp_path]))
    kinds = [getattr(f, "reason", "capture") for f in found]
    assert kinds == ["bad_warc_record", "capture"]


def test_a_compressed_jsonl_bomb_line_is_refused(tmp_path: Path) -> None:
    """A gzipped JSONL file whose one line decompresses past the capture limit."""
    from flows.sources import SourceOptions, read_captures

    line = b'{"html": "' + b"A" * 3_000_000 + b'"}\n'
    (tmp_path / "bomb.jsonl.gz").write_bytes(gzip.compress(line))
    (found,) = read_captures([tmp_path], SourceOptions(max_capture_bytes=1_000_000))
    assert getattr(found, "reason", None) == "too_large"
