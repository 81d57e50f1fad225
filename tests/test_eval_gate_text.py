"""Evaluation gate for plain-text captures: the official scorer's body F1 must stay above the floors.

Floors live in ``tests/eval_floors.toml`` under ``[text.<set>]`` (what the cleaner reached, minus
a small margin). ``articles`` (181 pages, a few seconds) runs by default; ``wcxb-dev`` (709
pages) is marked slow. Both need ``../shared/eval`` beside the checkout, as CI has it.
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
FLOORS = tomllib.loads((TESTS / "eval_floors.toml").read_text(encoding="utf-8"))["text"]

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


def _summary(set_name: str) -> dict[str, Any]:
    """The scorer's summary for our predictions on every text capture of an evaluation set."""
    scorer = _load("eval_score", EVAL_DIR / "score.py")
    bench = _load("bench_eval", TESTS.parent / "bench" / "eval.py")
    pages = list(bench.eval_pages(set_name, "text"))
    truth = {row["id"]: row for row, _ in pages}
    predictions = {row["id"]: bench.predict_ours(row, raw, "text") for row, raw in pages}
    summary, _ = scorer.score(truth, predictions)
    return summary


def _assert_above_floors(summary: dict[str, Any], floors: dict[str, float]) -> None:
    measured = {"f1": summary["f1"], "precision": summary["precision"], "recall": summary["recall"]}
    below = {name: (measured[name], floor) for name, floor in floors.items() if measured[name] < floor}
    assert not below, f"below the floor (measured, floor): {below}"


def test_articles_text_body_f1() -> None:
    _assert_above_floors(_summary("articles"), FLOORS["articles"])


@pytest.mark.slow
def test_wcxb_dev_text_body_f1() -> None:
    _assert_above_floors(_summary("wcxb-dev"), FLOORS["wcxb-dev"])
