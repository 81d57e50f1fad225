"""Evaluation gate for HTML captures: the official scorer's figures must stay above the floors.

Floors live in ``tests/eval_floors.toml`` under ``[html]``. The fast gate scores a fixed sixth
of the ``articles`` pages; the full ``articles`` and ``wcxb-dev`` runs are marked slow.
"""

from __future__ import annotations

import importlib.util
import sys
import tomllib
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

TESTS = Path(__file__).resolve().parent
EVAL_DIR = Path(__file__).resolve().parents[2] / "shared" / "eval"
FLOORS = tomllib.loads((TESTS / "eval_floors.toml").read_text(encoding="utf-8"))["html"]

pytestmark = pytest.mark.skipif(
    not (EVAL_DIR / "score.py").exists(), reason=f"evaluation data not found at {EVAL_DIR} (shared/eval)"
)


def _load(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses in the module look themselves up here
    spec.loader.exec_module(module)
    return module


def _summary(set_name: str, every: int = 1) -> dict[str, Any]:
    """The scorer's summary for our HTML predictions on every ``every``-th page of a set."""
    scorer = _load("eval_score", EVAL_DIR / "score.py")
    bench = _load("bench_eval", TESTS.parent / "bench" / "eval.py")
    pages = list(bench.eval_pages(set_name, "html"))[::every]
    truth = {row["id"]: row for row, _ in pages}
    predictions = {row["id"]: bench.predict_ours(row, raw, "html") for row, raw in pages}
    summary, _ = scorer.score(truth, predictions)
    return summary


def test_articles_subset_body_f1() -> None:
    summary = _summary("articles", every=6)
    assert summary["f1"] >= FLOORS["articles_subset_f1"], summary


@pytest.mark.slow
def test_articles_body_f1() -> None:
    summary = _summary("articles")
    assert summary["f1"] >= FLOORS["articles_f1"], summary


@pytest.mark.slow
def test_wcxb_dev_body_and_metadata() -> None:
    summary = _summary("wcxb-dev")
    author, date, title = summary["author"], summary["date"], summary["title"]
    failures = {
        "f1": (summary["f1"], FLOORS["wcxb_f1"]),
        "author_normalized": (author["normalized"], FLOORS["wcxb_author_normalized"]),
        "date_match": (date["match"], FLOORS["wcxb_date_match"]),
        "title_match": (title["match"], FLOORS["wcxb_title_match"]),
    }
    below = {name: pair for name, pair in failures.items() if pair[0] < pair[1]}
    assert not below, f"below the floor (measured, floor): {below}"
    assert author["spurious"] <= FLOORS["wcxb_author_spurious_max"], author
