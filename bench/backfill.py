"""Speed bench: end-to-end backfill throughput and memory against a bare trafilatura loop.

    python bench/backfill.py                          # 20,000 HTML captures, workers 1 and 2
    python bench/backfill.py --captures 2000 --workers 1
    python bench/backfill.py --format text --captures 100000 --workers 2   # memory at scale
    python bench/backfill.py --extraction fast        # the fast HTML extraction mode

Builds the input once (the dev pages replicated, each copy a distinct article: every paragraph,
or long line of a text capture, ends with the copy's number, so that neither its capture id nor
its body repeats and copies are cleaned, checked and written as in a real backfill; the 7 of 890
HTML pages with no ``</p>``, and 1 text capture with no line of 80 characters, stay content
duplicates; an earlier layout only appended a comment, so all but the first copy of a page were
content duplicates and never written), written as WARC.gz files with warcio, dated three minutes
apart as a crawl writes them: 20,000 captures span six weeks), then measures in the same run:

* baseline: a bare loop of ``trafilatura.extract`` over the distinct pages, one core, measured
  before each backfill and after the last (each run is compared with the mean of the two
  around it, as the load of a shared machine drifts);
* ``article-archive backfill`` with each worker count (read, clean, write Parquet), in a
  subprocess, sampling the whole process tree twice a second: memory (the sum of RSS, shared
  library pages counted once per process, and of PSS, shared pages divided between the processes
  sharing them; the peak in each quarter of the run shows whether it grows with the input) and
  CPU time by role (the command, Prefect's temporary server, the cleaning workers);
* a rerun over the finished archive (resume: every capture skipped by id, nothing cleaned).

Prints throughput, the ratio to the baseline (and to each of the two baselines around the run,
with a warning when they differ by over 15 %), peak memory, CPU milliseconds a capture by role
beside the bare loop's milliseconds a page (with every core busy, two workers reach at most
2 x bare / the sum of the roles), and the rerun's cost, and writes them to
``bench/out/backfill.json``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parent.parent
EVAL_DIR = ROOT.parent / "shared" / "eval"
OUT_DIR = ROOT / "bench" / "out"
#: Baselines around a run further apart than this ratio make its ratio unreliable (a warning).
UNSTEADY_BASELINE = 1.15
RECORDS_PER_WARC = 2_000
TABLES = ("articles", "captures", "quarantine")
#: Captures are dated as a crawl records them, in order (an earlier layout put consecutive
#: records in different months: a file per month per flush, about 15 rows a file).
CRAWL_START = datetime(2025, 1, 1, tzinfo=UTC)
CRAWL_INTERVAL = timedelta(minutes=3)
INPUT_LAYOUT = "crawl-ordered, distinct bodies"


def distinct_pages(capture_format: str) -> list[tuple[str, bytes]]:
    """(url, bytes) of every evaluation page, HTML or text capture."""
    pages = []
    for set_name in ("articles", "wcxb-dev"):
        folder = EVAL_DIR / set_name
        for line in (folder / "truth.jsonl").read_text(encoding="utf-8").split("\n"):
            if not line.strip():
                continue
            row = json.loads(line)
            if capture_format == "text":
                data = (folder / f"{row['id']}.txt").read_bytes()
            else:
                plain, packed = folder / f"{row['id']}.html", folder / f"{row['id']}.html.gz"
                data = plain.read_bytes() if plain.exists() else gzip.decompress(packed.read_bytes())
            pages.append((row["url"], data))
    return pages


def build_input(pages: list[tuple[str, bytes]], count: int, capture_format: str, folder: Path) -> None:
    """``count`` unique captures in WARC.gz files of RECORDS_PER_WARC records (kept between runs)."""
    marker = folder / "DONE"
    if marker.exists() and marker.read_text() == f"{count} {capture_format} {INPUT_LAYOUT}":
        return
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    media = "text/html" if capture_format == "html" else "text/plain"
    for start in range(0, count, RECORDS_PER_WARC):
        with (folder / f"part-{start // RECORDS_PER_WARC:04d}.warc.gz").open("wb") as handle:
            writer = WARCWriter(handle, gzip=True)
            for i in range(start, min(count, start + RECORDS_PER_WARC)):
                url, data = pages[i % len(pages)]
                unique = distinct_copy(data, i, capture_format)
                http = StatusAndHeaders("200 OK", [("Content-Type", f"{media}; charset=utf-8")], protocol="HTTP/1.1")
                date = (CRAWL_START + i * CRAWL_INTERVAL).strftime("%Y-%m-%dT%H:%M:%SZ")
                record = writer.create_warc_record(
                    f"{url}?replica={i}", "response", payload=BytesIO(unique), http_headers=http,
                    warc_headers_dict={"WARC-Date": date},
                )  # fmt: skip
                writer.write_record(record)
    marker.write_text(f"{count} {capture_format} {INPUT_LAYOUT}")


_PARAGRAPH_END = re.compile(rb"</p>", re.IGNORECASE)
#: Lines of a text capture at least this long get the copy's number (sentences, not menu items).
_SENTENCE_LINE = 80


def distinct_copy(data: bytes, number: int, capture_format: str) -> bytes:
    """The page with `` Copy <number>.`` ending each paragraph (HTML) or long line (text), so that
    the copy's body differs from every other copy's wherever the article is."""
    mark = f" Copy {number}.".encode()
    if capture_format == "html":
        return _PARAGRAPH_END.sub(lambda end: mark + end.group(0), data)
    lines = data.split(b"\n")
    return b"\n".join(line + mark if len(line) >= _SENTENCE_LINE else line for line in lines)


def baseline_rate(pages: list[tuple[str, bytes]], capture_format: str) -> tuple[float, float]:
    """Pages per second of a bare ``trafilatura.extract`` loop on one core, and its CPU
    milliseconds a page."""
    import trafilatura

    copies = (distinct_copy(data, number, capture_format) for number, (_, data) in enumerate(pages))
    texts = [copy.decode("utf-8", "replace") for copy in copies]
    if capture_format == "text":
        texts = ["".join(f"<p>{line}</p>" for line in text.splitlines() if line.strip()) for text in texts]
    started, cpu_started = time.perf_counter(), time.process_time()
    for text in texts:
        trafilatura.extract(text)
    return len(texts) / (time.perf_counter() - started), 1000 * (time.process_time() - cpu_started) / len(texts)


def run_backfill(input_dir: Path, archive: Path, workers: int, prefect: bool, extraction: str) -> dict[str, Any]:
    """One ``article-archive backfill`` in a subprocess: wall time, report, peak tree RSS."""
    command = [sys.executable, "-m", "flows.cli", "backfill", str(input_dir), "--archive", str(archive)]
    command += ["--workers", str(workers), "--extraction", extraction] + ([] if prefect else ["--no-prefect"])
    children_before = _children_cpu_seconds()
    started = time.perf_counter()
    process = psutil.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    peak = peak_pss = 0
    rss_samples: list[tuple[float, int]] = []
    cpu_by_process: dict[int, tuple[str, float]] = {}
    while process.poll() is None:
        try:
            tree = [process, *process.children(recursive=True)]
            rss = sum(p.memory_info().rss for p in tree if p.is_running())
            peak = max(peak, rss)
            peak_pss = max(peak_pss, sum(_pss(p) for p in tree if p.is_running()))
            rss_samples.append((time.perf_counter() - started, rss))
            for member in tree:
                role = cpu_by_process[member.pid][0] if member.pid in cpu_by_process else _role(member, process.pid)
                cpu_by_process[member.pid] = (role, _cpu_seconds(member))
        except psutil.Error:
            pass
        time.sleep(0.5)
    wall = time.perf_counter() - started
    output = process.stdout.read() if process.stdout else ""
    if process.returncode != 0:
        raise RuntimeError(f"backfill failed ({process.returncode}):\n{output}")
    captures = _table_value(output, "captures seen")
    pipeline_s = float(_table_value(output, "time taken").split()[0])
    return {
        "workers": workers,
        "captures": int(captures),
        "files_written": int(_table_value(output, "files written")),
        "archived": int(_table_value(output, "│ archived ")),
        "duplicates": int(_table_value(output, "│ duplicates ")),
        "quarantined": int(_table_value(output, "│ quarantined ")),
        "wall_s": round(wall, 2),
        "pipeline_s": pipeline_s,
        "captures_per_s": round(int(captures) / pipeline_s, 2),
        "captures_per_s_wall": round(int(captures) / wall, 2),
        "peak_rss_mib": round(peak / 2**20),
        "peak_pss_mib": round(peak_pss / 2**20),
        "peak_rss_by_quarter_mib": _peak_by_quarter(rss_samples, wall),
        "cpu_ms_per_capture": _cpu_per_capture(
            cpu_by_process, _children_cpu_seconds() - children_before, int(captures)
        ),
    }


def _role(member: psutil.Process, parent_pid: int) -> str:
    """parent (the command), server (Prefect's temporary API server) or worker (a cleaning process)."""
    if member.pid == parent_pid:
        return "parent"
    try:
        command = " ".join(member.cmdline())
    except psutil.Error:
        return "worker"
    return "server" if "uvicorn" in command or ("prefect" in command and "server" in command) else "worker"


def _cpu_seconds(member: psutil.Process) -> float:
    times = member.cpu_times()
    return times.user + times.system


def _children_cpu_seconds() -> float:
    """CPU of this process's finished (waited-for) children and their own waited-for children."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _cpu_per_capture(cpu_by_process: dict[int, tuple[str, float]], total: float, captures: int) -> dict[str, float]:
    """CPU milliseconds a capture by role, whole run (start-up included): each process's last
    sample, and what ran after it (``total``, the whole tree's CPU, minus the samples) counted to
    the command, whose final flush and shutdown mostly come after the last sample."""
    totals: dict[str, float] = {}
    for role, seconds in cpu_by_process.values():
        totals[role] = totals.get(role, 0.0) + seconds
    totals["parent"] = totals.get("parent", 0.0) + max(0.0, total - sum(totals.values()))
    return {role: round(1000 * seconds / max(captures, 1), 1) for role, seconds in sorted(totals.items())}


def _peak_by_quarter(samples: list[tuple[float, int]], wall: float) -> list[int]:
    """The tree's peak RSS (MiB) in each quarter of the run: flat when memory does not grow."""
    peaks = [0, 0, 0, 0]
    for elapsed, rss in samples:
        quarter = min(3, int(4 * elapsed / wall)) if wall > 0 else 0
        peaks[quarter] = max(peaks[quarter], rss)
    return [round(p / 2**20) for p in peaks]


def _pss(process: psutil.Process) -> int:
    """Proportional set size: resident memory with pages shared between processes (the Python
    runtime and libraries every worker maps) counted once across the tree, not once per process."""
    try:
        return int(getattr(process.memory_full_info(), "pss", 0))
    except psutil.AccessDenied:
        return process.memory_info().rss


def _table_value(output: str, label: str) -> str:
    for line in output.splitlines():
        if label in line:
            return line.split("│")[-2].strip()
    raise ValueError(f"no {label!r} in the run's output:\n{output}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--captures", type=int, default=20_000)
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts")
    parser.add_argument("--format", default="html", choices=["html", "text"])
    parser.add_argument("--no-prefect", action="store_true", help="run the backfills without Prefect")
    parser.add_argument("--extraction", default="best", choices=["best", "fast"], help="HTML extraction mode")
    args = parser.parse_args()

    OUT_DIR.mkdir(parents=True, exist_ok=True)
    pages = distinct_pages(args.format)
    input_dir = OUT_DIR / f"backfill-input-{args.format}-{args.captures}"
    build_input(pages, args.captures, args.format, input_dir)
    input_mib = sum(p.stat().st_size for p in input_dir.glob("*.warc.gz")) / 2**20
    print(f"input: {args.captures} captures in {input_mib:.0f} MiB of WARC.gz ({len(pages)} distinct pages)")

    # The baseline is measured before each backfill and once after the last, and each run is
    # compared with the mean of the two around it: on a shared machine the load drifts.
    baseline_rates = [baseline_rate(pages, args.format)]
    baselines = [baseline_rates[0][0]]
    print(f"baseline: bare trafilatura.extract loop, one core: {baselines[0]:.1f} pages/s")
    results: dict[str, Any] = {
        "captures": args.captures,
        "format": args.format,
        "extraction": args.extraction,
    }
    runs = []
    for workers in [int(w) for w in args.workers.split(",")]:
        archive = OUT_DIR / f"backfill-archive-{workers}"
        shutil.rmtree(archive, ignore_errors=True)
        first = run_backfill(input_dir, archive, workers, not args.no_prefect, args.extraction)
        rerun = run_backfill(input_dir, archive, workers, not args.no_prefect, args.extraction)
        baseline_rates.append(baseline_rate(pages, args.format))
        baselines.append(baseline_rates[-1][0])
        print(f"baseline again: {baselines[-1]:.1f} pages/s")
        baseline = (baselines[-2] + baselines[-1]) / 2
        first["baseline_per_s"] = round(baseline, 2)
        first["baseline_cpu_ms_per_page"] = round((baseline_rates[-2][1] + baseline_rates[-1][1]) / 2, 1)
        first["ratio_to_baseline"] = round(first["captures_per_s"] / baseline, 2)
        around = sorted(baselines[-2:])
        first["ratio_range"] = [round(first["captures_per_s"] / b, 2) for b in reversed(around)]
        first["rerun_wall_s"] = rerun["wall_s"]
        first["rerun_cost"] = round(rerun["pipeline_s"] / first["pipeline_s"], 4)
        sizes = {t: sum(p.stat().st_size for p in (archive / t).rglob("*.parquet")) / 2**20 for t in TABLES}
        first["archive_mib"] = {t: round(v, 1) for t, v in sizes.items()}
        first["raw_retention_overhead"] = round(sizes["captures"] / max(sizes["articles"], 1e-9), 2)
        first["raw_vs_input"] = round(sizes["captures"] / input_mib, 2)
        runs.append(first)
        print(
            f"workers={workers}: {first['captures_per_s']:.1f} captures/s "
            f"({first['ratio_to_baseline']:.2f}x baseline, "
            f"{first['ratio_range'][0]:.2f}-{first['ratio_range'][1]:.2f}x "
            f"against the faster and the slower baseline around it), wall {first['wall_s']:.0f} s, "
            f"peak RSS {first['peak_rss_mib']} MiB (PSS {first['peak_pss_mib']} MiB), "
            f"rerun {first['rerun_cost']:.1%} of the first run, {first['files_written']} files written"
        )
        print(
            f"  captures: {first['archived']} archived, {first['duplicates']} duplicates, "
            f"{first['quarantined']} quarantined"
        )
        cpu = ", ".join(f"{role} {ms:.1f}" for role, ms in first["cpu_ms_per_capture"].items())
        bare_ms = first["baseline_cpu_ms_per_page"]
        print(
            f"  CPU ms a capture (start-up included): {cpu}; bare loop {bare_ms:.1f} ms a page; "
            f"peak RSS by quarter of the run: {' / '.join(map(str, first['peak_rss_by_quarter_mib']))} MiB"
        )
        print(
            f"  archive: {first['archive_mib']} MiB; raw captures table = {first['raw_retention_overhead']}x "
            f"the articles table, {first['raw_vs_input']}x the WARC.gz input"
        )
        if around[1] > UNSTEADY_BASELINE * around[0]:
            spread = around[1] / around[0] - 1
            print(f"  warning: the baselines around this run differ by {spread:.0%}: the machine's speed changed")
        shutil.rmtree(archive, ignore_errors=True)
    results["baselines_per_s"] = [round(b, 2) for b in baselines]
    results["runs"] = runs
    results["cpu_count"] = os.cpu_count()
    (OUT_DIR / "backfill.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
