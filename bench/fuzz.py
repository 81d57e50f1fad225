"""Long fuzz run: the properties of tests/test_fuzz.py with many random examples, plus real pages.

    python bench/fuzz.py                      # 2,000 random examples per property (HTML: 2/5)
    python bench/fuzz.py --examples 20000

For each property: examples run, seconds, and the falsifying example if hypothesis found one.
Over every copied page of the shared evaluation set: how many clean to articles, how many bodies
are not made of the page's lines (after undoing two-column renderings), and how many change when
cleaned again (idempotence). Prints the figures and writes them to ``bench/out/fuzz.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def run_property(name: str, test_name: str) -> dict[str, Any]:
    from tests import test_fuzz as props

    started = time.perf_counter()
    try:
        getattr(props, test_name)()
        failure = None
    except Exception as exc:  # noqa: BLE001 - a falsifying example, reported
        failure = f"{type(exc).__name__}: {str(exc)[:600]}"
    seconds = round(time.perf_counter() - started, 1)
    examples = max(1, props.EXAMPLES * 2 // 5) if "html_like" in test_name else props.EXAMPLES
    return {"property": name, "examples": examples, "seconds": seconds, "failure": failure}


PROPERTIES = (
    ("clean: arbitrary bytes, text and html", "test_clean_never_raises_on_arbitrary_bytes"),
    ("clean: html-like pages", "test_clean_never_raises_on_html_like_pages"),
    ("clean: text body made of input lines", "test_text_body_is_made_of_input_lines_in_order"),
    ("clean: idempotent on generated pages", "test_cleaning_a_cleaned_body_changes_nothing"),
    ("parse_byline: arbitrary text", "test_parse_byline_never_raises_and_names_come_from_the_input"),
    ("parse_byline: byline-shaped text", "test_parse_byline_on_byline_shaped_text"),
)
OUT = ROOT / "bench" / "out" / "fuzz.json"


def real_pages() -> dict[str, Any]:
    """Subsequence and idempotence over every copied page of the shared evaluation set."""
    from tests import test_fuzz as props

    pages = sorted(props.EVAL_DIR.glob("*/*.txt"))
    articles = not_lines = not_lines_raw = changed = 0
    examples: list[str] = []
    started = time.perf_counter()
    for path in pages:
        raw = path.read_bytes()
        first = props.clean(props.capture(raw, "text"), props.PROFILES)
        if not isinstance(first, props.ArticleRecord):
            continue
        articles += 1
        not_lines += not props.made_of_input_lines(first.body, props.input_lines(raw))
        plain = [s for line in props.decode_bytes(raw).text.splitlines() if (s := line.strip())]
        not_lines_raw += not props.made_of_input_lines(first.body, plain)
        again = props.clean(props.capture(first.body.encode("utf-8"), "text"), props.PROFILES)
        if not isinstance(again, props.ArticleRecord) or again.body != first.body:
            changed += 1
            examples.append(path.name)
    return {
        "pages": len(pages),
        "articles": articles,
        "body_not_made_of_lines": not_lines,
        "body_not_made_of_lines_without_column_undo": not_lines_raw,
        "changed_when_cleaned_again": changed,
        "changed_examples": examples[:10],
        "seconds": round(time.perf_counter() - started, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examples", type=int, default=2000, help="examples per property (default: 2000)")
    parser.add_argument("--skip-real-pages", action="store_true")
    args = parser.parse_args()
    os.environ["FUZZ_EXAMPLES"] = str(args.examples)  # read by tests/test_fuzz.py when imported
    results = []
    for name, test_name in PROPERTIES:
        result = run_property(name, test_name)
        results.append(result)
        print(f"{name:<42} {result['examples']:>6} examples {result['seconds']:>7.1f} s  {result['failure'] or 'ok'}")
    summary: dict[str, Any] = {"properties": results}
    if not args.skip_real_pages:
        summary["real_pages"] = real_pages()
        print(json.dumps(summary["real_pages"], indent=2))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return 1 if any(r["failure"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
