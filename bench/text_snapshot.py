"""Snapshot every text capture's full cleaning result, to prove a speed change keeps the output.

    python bench/text_snapshot.py write bench/out/text-snapshot.jsonl    # before a change
    python bench/text_snapshot.py check bench/out/text-snapshot.jsonl    # after it: exit 1 on any difference

Each row holds the record's fields (or the quarantine reason) and the text cleaner's decision for
every line (``explain``'s data) for the text captures of ``articles``, ``wcxb-dev`` and the seeds.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.eval import CAPTURED_AT, eval_pages  # noqa: E402
from cleaners import clean, default_profiles  # noqa: E402
from cleaners.core import host_of  # noqa: E402
from cleaners.decode import decode_bytes  # noqa: E402
from cleaners.text import extract_text  # noqa: E402
from schemas.records import ArticleRecord, Capture  # noqa: E402

FIELDS = (
    "title", "byline", "authors", "credits", "publisher", "language", "published_at", "body", "word_count",
    "article_id", "content_hash",
)  # fmt: skip


def captures() -> list[tuple[str, bytes, str | None]]:
    """(id, bytes, url) of every text capture: both evaluation sets, then the seeds."""
    found = [
        (f"{name}/{row['id']}", raw, row.get("url"))
        for name in ("articles", "wcxb-dev")
        for row, raw in eval_pages(name, "text")
    ]
    found += [(f"seeds/{p.name}", p.read_bytes(), None) for p in sorted((ROOT / "seeds").glob("*.txt"))]
    return found


def snapshot(capture_id: str, raw: bytes, url: str | None) -> dict[str, Any]:
    """The record's fields and every line decision for one capture."""
    capture = Capture(raw=raw, format="text", source=capture_id, captured_at=CAPTURED_AT, url=url)
    result = clean(capture, default_profiles())
    row: dict[str, Any] = {"id": capture_id}
    if isinstance(result, ArticleRecord):
        row.update({name: getattr(result, name) for name in FIELDS})
        row["published_at"] = str(row["published_at"])
        row["authors"], row["credits"] = list(row["authors"]), list(row["credits"])
    else:
        row["quarantined"] = [result.stage, result.reason, result.detail]
    text = decode_bytes(raw, None, is_html=False).text
    if text.strip():
        found = extract_text(text, default_profiles(), host_of(url))
        row["decisions"] = [[d.lineno, d.text, d.keep, d.rule, d.reason] for d in found.decisions]
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=["write", "check"])
    parser.add_argument("path", type=Path)
    args = parser.parse_args()
    rows = [snapshot(*c) for c in captures()]
    if args.action == "write":
        args.path.parent.mkdir(parents=True, exist_ok=True)
        with args.path.open("w", encoding="utf-8") as handle:
            handle.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
        print(f"wrote {len(rows)} snapshots to {args.path}")
        return
    with args.path.open(encoding="utf-8") as handle:
        expected = [json.loads(line) for line in handle]
    current = [json.loads(json.dumps(r, ensure_ascii=False)) for r in rows]
    differing = [e["id"] for e, c in zip(expected, current, strict=True) if e != c]
    print(f"{len(current)} captures, {len(differing)} differ")
    for capture_id in differing[:20]:
        print("  differs:", capture_id)
    sys.exit(1 if differing else 0)


if __name__ == "__main__":
    main()
