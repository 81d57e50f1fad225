"""Shared by the evaluation gates: the official scorer run on our predictions for a dev set."""

from __future__ import annotations

import importlib.util
import sys
import tomllib
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

TESTS = Path(__file__).resolve().parent
EVAL_DIR = TESTS.parents[1] / "shared" / "eval"
FLOORS = tomllib.loads((TESTS / "eval_floors.toml").read_text(encoding="utf-8"))

#: Every gate needs ../shared/eval beside the checkout, as CI has it.
needs_eval_data = pytest.mark.skipif(
    not (EVAL_DIR / "score.py").exists(), reason=f"evaluation data not found at {EVAL_DIR} (shared/eval)"
)


def _load(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses in the module look themselves up here
    spec.loader.exec_module(module)
    return module


def scored(set_name: str, mode: str, every: int = 1, extraction: str = "best") -> dict[str, Any]:
    """The scorer's summary for our predictions on every ``every``-th page of a set, in one mode
    (and, for HTML, one extraction mode)."""
    scorer = _load("eval_score", EVAL_DIR / "score.py")
    bench = _load("bench_eval", TESTS.parent / "bench" / "eval.py")
    pages = list(bench.eval_pages(set_name, mode))[::every]
    truth = {row["id"]: row for row, _ in pages}
    predictions = {row["id"]: bench.predict_ours(row, raw, mode, extraction) for row, raw in pages}
    summary, _ = scorer.score(truth, predictions)
    return summary
