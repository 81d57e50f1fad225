"""Quality bench: run the cleaner over an evaluation set, score it, and print it beside a baseline.

    python bench/eval.py --set articles --mode text     # 181 copied-page captures
    python bench/eval.py --set wcxb-dev --mode html     # 709 HTML pages, with metadata
    python bench/eval.py --set articles --mode text --limit 20 --per-doc

Writes ``bench/out/<set>-<mode>-{ours,baseline}.jsonl`` in the scorer's format, then runs the
scorer of ``../shared/eval/score.py`` (the figures that count) on both. The baseline, measured
in the same run, is keep-all for text captures and bare ``trafilatura.extract`` for HTML.
"""

from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cleaners import clean, default_profiles  # noqa: E402
from cleaners.modes import EXTRACTION_MODES, ExtractionMode  # noqa: E402
from schemas.records import ArticleRecord, Capture  # noqa: E402

EVAL_DIR = ROOT.parent / "shared" / "eval"
OUT_DIR = ROOT / "bench" / "out"
CAPTURED_AT = datetime(2026, 11, 1, tzinfo=UTC)


def eval_pages(set_name: str, mode: str, limit: int | None = None) -> Iterator[tuple[dict[str, Any], bytes]]:
    """(truth row, capture bytes) for each page of an evaluation set, in truth order."""
    folder = EVAL_DIR / set_name
    with (folder / "truth.jsonl").open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    for row in rows[:limit]:
        if mode == "text":
            raw = (folder / f"{row['id']}.txt").read_bytes()
        else:
            plain, packed = folder / f"{row['id']}.html", folder / f"{row['id']}.html.gz"
            raw = plain.read_bytes() if plain.exists() else gzip.decompress(packed.read_bytes())
        yield row, raw


def predict_ours(row: dict[str, Any], raw: bytes, mode: str, extraction: ExtractionMode = "best") -> dict[str, Any]:
    source = f"eval:{row['id']}"
    capture = Capture(raw=raw, format=mode, source=source, captured_at=CAPTURED_AT, url=row.get("url"))  # type: ignore[arg-type]
    result = clean(capture, default_profiles(), extraction)
    if not isinstance(result, ArticleRecord):
        return {"id": row["id"], "body": "", "quarantined": result.reason}
    return {
        "id": row["id"],
        "body": result.body,
        "title": result.title,
        "author": bench_author(result),
        "date": result.published_at.isoformat() if result.published_at else None,
    }


def bench_author(record: ArticleRecord) -> list[str]:
    """The article's author as the benchmark labels it: the persons, else who is credited.

    The archive keeps persons (``authors``) and agencies or organisations (``credits``) apart;
    a page credited only to "Reuters" or "Acme Editorial Team" has that as its author.
    """
    return list(record.authors) or list(record.credits)


def predict_baseline(row: dict[str, Any], raw: bytes, mode: str) -> dict[str, Any]:
    if mode == "text":
        return {"id": row["id"], "body": raw.decode("utf-8", "replace")}
    import trafilatura

    # bare_extraction: the body without extract()'s metadata header, and the metadata on its own
    found = trafilatura.bare_extraction(raw.decode("utf-8", "replace"), include_comments=False, with_metadata=True)
    if not found:
        return {"id": row["id"], "body": ""}
    author = [a.strip() for a in (found.author or "").split(";") if a.strip()]
    return {"id": row["id"], "body": found.text or "", "author": author, "date": found.date, "title": found.title}


def run_predictions(
    pages: list[tuple[dict[str, Any], bytes]], mode: str, predict: Callable[..., dict[str, Any]], out: Path
) -> float:
    """Write predictions for every page; return documents per second."""
    started = time.perf_counter()
    predictions = [predict(row, raw, mode) for row, raw in pages]
    elapsed = time.perf_counter() - started
    with out.open("w", encoding="utf-8") as handle:
        for prediction in predictions:
            handle.write(json.dumps(prediction, ensure_ascii=False) + "\n")
    return len(pages) / elapsed if elapsed else float("inf")


def score(set_name: str, files: list[Path], per_doc: Path | None) -> dict[str, Any]:
    """Run the official scorer; print its table and return its JSON summary."""
    summary = OUT_DIR / "summary.json"
    command = [sys.executable, str(EVAL_DIR / "score.py"), str(EVAL_DIR / set_name / "truth.jsonl")]
    command += [str(f) for f in files] + ["--json", str(summary)]
    if per_doc:
        command += ["--per-doc", str(per_doc)]
    print(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
    return json.loads(summary.read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", default="articles", choices=["articles", "wcxb-dev"])
    parser.add_argument("--mode", default="text", choices=["text", "html"])
    parser.add_argument(
        "--extraction", default="best", choices=EXTRACTION_MODES, help="HTML extraction mode (default: best)"
    )
    parser.add_argument("--limit", type=int, help="only the first N pages")
    parser.add_argument("--per-doc", action="store_true", help="also write per-document scores of ours")
    parser.add_argument("--no-baseline", action="store_true", help="skip the baseline (faster)")
    args = parser.parse_args()

    OUT_DIR.mkdir(parents=True, exist_ok=True)
    default_profiles()  # compile once, outside the timed loop
    pages = list(eval_pages(args.set, args.mode, args.limit))
    stem = f"{args.set}-{args.mode}"
    suffix = "" if args.extraction == "best" else f"-{args.extraction}"
    ours = OUT_DIR / f"{stem}-ours{suffix}.jsonl"
    files = [ours]
    rates = {"ours": run_predictions(pages, args.mode, partial(predict_ours, extraction=args.extraction), ours)}
    if not args.no_baseline:
        baseline = OUT_DIR / f"{stem}-baseline.jsonl"
        rates["baseline"] = run_predictions(pages, args.mode, predict_baseline, baseline)
        files.append(baseline)
    per_doc = OUT_DIR / f"{stem}-per-doc.jsonl" if args.per_doc else None
    score(args.set, files, per_doc)
    for name, rate in rates.items():
        print(f"{name:>9}: {rate:8.1f} docs/s ({len(pages)} pages, one core)")
    if "baseline" in rates:
        print(f"    ratio: {rates['ours'] / rates['baseline']:.2f}x the baseline's speed")


if __name__ == "__main__":
    main()
