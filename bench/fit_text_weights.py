"""Refit the text cleaner's line and context weights from the evaluation sets, reproducibly.

    python bench/fit_text_weights.py                 # fit, print F1 before/after (nothing written)
    python bench/fit_text_weights.py --write         # ...and write the new weights if they score better
    python bench/fit_text_weights.py --write --force # ...write them even if they don't
    python bench/fit_text_weights.py --cross         # also fit on one set and score the other

How (bench/README.md, "Text captures"):

1. Every capture of both sets (``../shared/eval/{articles,wcxb-dev}/<id>.txt``) is split into
   logical lines with the cleaner's own ``cleaners.text.analyse_page`` (profile rules, features).
2. Each line is labelled article text when at least half of its word 4-grams occur in the truth
   body (a line of fewer than four words: when its words occur there in a row).
3. The line model (``[line]``) is a weighted logistic regression over the *unruled* lines of the
   even-indexed pages (truth order) of both sets, each line weighted by sqrt(words); the context
   model (``[context]``) is fitted the same way on the context features computed from the new
   line model's scores. Newton's method with a small L2 penalty; weights rounded to 3 decimals.
4. The body F1 (the official scorer's word 4-gram F1, through ``cleaners.clean`` like
   ``bench/eval.py``) is printed for the current and the refit weights: each set whole, its even
   (fitted) and odd (held-out) pages.

``--write`` replaces ``cleaners/data/text_weights.toml`` only when the refit weights score better
on the held-out odd pages (mean over both sets), unless ``--force``. Needs numpy (a core
dependency); the scorer is ``../shared/eval/score.py`` (standard library only).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from urllib.parse import urlsplit

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import cleaners.text as text_module  # noqa: E402
from cleaners import default_profiles  # noqa: E402
from cleaners.core import clean  # noqa: E402
from cleaners.decode import decode_bytes  # noqa: E402
from schemas.records import ArticleRecord, Capture  # noqa: E402

EVAL_DIR = ROOT.parent / "shared" / "eval"
CAPTURED_AT = datetime(2026, 11, 1, tzinfo=UTC)  # as bench/eval.py
SETS = ("articles", "wcxb-dev")
WEIGHTS_PATH = ROOT / "cleaners" / "data" / text_module.WEIGHTS_FILE
#: L2 penalty and iteration cap of the Newton fit; decimals the weights are rounded to.
L2 = 1e-3
MAX_ITERATIONS = 300
DECIMALS = 3

_WORD = re.compile(r"\w+")


def load_scorer() -> ModuleType:
    """The official scorer, ``../shared/eval/score.py``, as a module."""
    spec = importlib.util.spec_from_file_location("eval_score", EVAL_DIR / "score.py")
    if spec is None or spec.loader is None:
        raise SystemExit(f"no scorer at {EVAL_DIR / 'score.py'}")
    module = importlib.util.module_from_spec(spec)
    sys.modules["eval_score"] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


@dataclass
class Doc:
    """One evaluation page: its truth, capture, the analysed page and each unit's label."""

    id: str
    url: str | None
    truth: str
    raw: bytes
    page: text_module.Page
    labels: np.ndarray  # 1.0 = article text, per unit


class TruthGrams:
    """The truth body's word 4-grams and its words in a row, for labelling lines."""

    def __init__(self, body: str) -> None:
        words = _WORD.findall(body)
        self.grams = {tuple(words[i : i + 4]) for i in range(len(words) - 3)}
        self.joined = " " + " ".join(words) + " "

    def share(self, line: str) -> float:
        """Share of the line's word 4-grams in the truth (short lines: 1.0 if its words are in it)."""
        words = _WORD.findall(line)
        if not words:
            return 0.0
        if len(words) < 4:
            return 1.0 if " " + " ".join(words) + " " in self.joined else 0.0
        grams = [tuple(words[i : i + 4]) for i in range(len(words) - 3)]
        return sum(g in self.grams for g in grams) / len(grams)


def load_docs(set_name: str) -> list[Doc]:
    """Every page of a set, in truth order, analysed with the current rules and labelled."""
    folder = EVAL_DIR / set_name
    with (folder / "truth.jsonl").open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    profiles = default_profiles()
    docs = []
    for row in rows:
        raw = (folder / f"{row['id']}.txt").read_bytes()
        page = text_module.analyse_page(decode_bytes(raw).text, profiles, urlsplit(row.get("url") or "").hostname)
        truth = TruthGrams(row["body"] or "")
        labels = np.array([truth.share(u.text) >= 0.5 for u in page.units], dtype=np.float64)
        docs.append(Doc(row["id"], row.get("url"), row["body"] or "", raw, page, labels))
    return docs


def fit_logistic(x: np.ndarray, y: np.ndarray, sample_weight: np.ndarray) -> np.ndarray:
    """Weighted, L2-penalised logistic regression by Newton's method (no intercept: x has a bias column)."""
    beta = np.zeros(x.shape[1])
    total = sample_weight.sum()
    for _ in range(MAX_ITERATIONS):
        p = 1.0 / (1.0 + np.exp(-(x @ beta)))
        gradient = x.T @ (sample_weight * (p - y)) / total + L2 * beta
        hessian = (x * (sample_weight * p * (1 - p))[:, None]).T @ x / total + L2 * np.eye(x.shape[1])
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if np.abs(step).max() < 1e-8:
            break
    return beta


def _unruled(doc: Doc) -> np.ndarray:
    return np.array([u.rule is None for u in doc.page.units], dtype=bool)


def fit(docs: Sequence[Doc]) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Line weights, then context weights on top of them, fitted on the unruled lines of ``docs``."""
    used = [(d, m) for d in docs if (m := _unruled(d)).any()]
    weight = np.concatenate([np.sqrt(np.array(d.page.words, dtype=np.float64))[m] for d, m in used])
    labels = np.concatenate([d.labels[m] for d, m in used])
    line_x = np.vstack([d.page.features[m] for d, m in used])
    line = tuple(round(float(b), DECIMALS) for b in fit_logistic(line_x, labels, weight))
    context_x = np.vstack(
        [text_module.context_features(d.page, text_module._dot_rows(line, d.page.features))[m] for d, m in used]
    )
    context = tuple(round(float(b), DECIMALS) for b in fit_logistic(context_x, labels, weight))
    return line, context


def use_weights(line: Sequence[float], context: Sequence[float]) -> None:
    """Make the cleaner score with these weights (module globals read on every call)."""
    text_module.LINE_WEIGHTS = tuple(line)
    text_module.CONTEXT_WEIGHTS = tuple(context)


def predicted_body(doc: Doc) -> str:
    """The body ``cleaners.clean`` gives for the page, as bench/eval.py scores it."""
    capture = Capture(raw=doc.raw, format="text", source=f"eval:{doc.id}", captured_at=CAPTURED_AT, url=doc.url)
    result = clean(capture, default_profiles())
    return result.body if isinstance(result, ArticleRecord) else ""


def halves(docs: Sequence[Doc]) -> Iterator[tuple[str, Sequence[Doc]]]:
    yield "all", docs
    yield "even", docs[0::2]
    yield "odd", docs[1::2]


def f1_table(scorer: ModuleType, data: dict[str, list[Doc]]) -> dict[str, dict[str, float]]:
    """Body F1 of the current weights for each set: whole, even pages and odd pages."""
    out: dict[str, dict[str, float]] = {}
    for set_name, docs in data.items():
        scored = {d.id: scorer.score_doc(d.id, d.truth, predicted_body(d), 4) for d in docs}
        out[set_name] = {half: scorer.body_summary([scored[d.id] for d in part])["f1"] for half, part in halves(docs)}
    return out


def print_table(title: str, table: dict[str, dict[str, float]]) -> None:
    print(f"{title}:")
    for set_name, row in table.items():
        print(f"  {set_name:>9}: " + "  ".join(f"{half} {value:.4f}" for half, value in row.items()))


def held_out(table: dict[str, dict[str, float]]) -> float:
    """Mean F1 of the odd (held-out) pages over the sets."""
    return sum(row["odd"] for row in table.values()) / len(table)


def weights_toml(line: Sequence[float], context: Sequence[float], header: str) -> str:
    """The weights file: ``header`` (its comment block) and one table per model."""

    def table(name: str, names: Sequence[str], values: Sequence[float]) -> str:
        return f"[{name}]\n" + "".join(f"{n} = {v:.{DECIMALS}f}\n" for n, v in zip(names, values, strict=True))

    return (
        header
        + "\n"
        + table("line", text_module.FEATURE_NAMES, line)
        + "\n"
        + table("context", text_module.CONTEXT_FEATURE_NAMES, context)
    )


def file_header(path: Path) -> str:
    """The leading comment block of the current weights file."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    return "".join(line for line in lines[: next(i for i, s in enumerate(lines) if not s.startswith("#"))])


def print_weights(names: Sequence[str], old: Sequence[float], new: Sequence[float]) -> None:
    for name, a, b in zip(names, old, new, strict=True):
        mark = "" if a == b else f"  ({b - a:+.3f})"
        print(f"    {name:>20}: {a:+.3f} -> {b:+.3f}{mark}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write", action="store_true", help="write the refit weights if they score better held out")
    parser.add_argument("--force", action="store_true", help="with --write: write them even if they don't")
    parser.add_argument("--cross", action="store_true", help="also fit on one set and score the other")
    args = parser.parse_args()

    scorer = load_scorer()
    started = time.perf_counter()
    data = {s: load_docs(s) for s in SETS}
    print(f"analysed {sum(map(len, data.values()))} pages in {time.perf_counter() - started:.0f} s")
    current = (text_module.LINE_WEIGHTS, text_module.CONTEXT_WEIGHTS)

    before = f1_table(scorer, data)
    print_table("current weights", before)
    refit = fit([d for docs in data.values() for d in docs[0::2]])
    use_weights(*refit)
    after = f1_table(scorer, data)
    print_table("refit on the even pages of both sets", after)
    print("line weights:")
    print_weights(text_module.FEATURE_NAMES, current[0], refit[0])
    print("context weights:")
    print_weights(text_module.CONTEXT_FEATURE_NAMES, current[1], refit[1])

    if args.cross:
        for train, test in (SETS, SETS[::-1]):
            use_weights(*fit(data[train]))
            f1 = f1_table(scorer, {test: data[test]})[test]["all"]
            print(f"cross-set: fit on {train}, F1 on {test} {f1:.4f}")
    use_weights(*current)

    better = held_out(after) > held_out(before)
    print(f"held-out (odd pages) mean F1: current {held_out(before):.4f}, refit {held_out(after):.4f}")
    if refit == current:
        print("the refit weights equal the current ones")
    elif args.write and (better or args.force):
        WEIGHTS_PATH.write_text(weights_toml(*refit, file_header(WEIGHTS_PATH)), encoding="utf-8")
        print(f"wrote {WEIGHTS_PATH.relative_to(ROOT)}")
    elif args.write:
        print("kept the current weights: the refit ones don't score better held out (--force writes them)")


if __name__ == "__main__":
    main()
