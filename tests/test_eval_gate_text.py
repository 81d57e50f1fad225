"""Evaluation gate for plain-text captures: the official scorer's body F1 must stay above the floors.

Floors live in ``tests/eval_floors.toml`` under ``[text.<set>]`` (what the cleaner reached, minus
a small margin). ``articles`` (181 pages, a few seconds) runs by default; ``wcxb-dev`` (709
pages) is marked slow. Both need ``../shared/eval`` beside the checkout, as CI has it.
"""

from __future__ import annotations

from typing import Any

import pytest
from eval_support import FLOORS as ALL_FLOORS
from eval_support import needs_eval_data, scored

FLOORS = ALL_FLOORS["text"]
pytestmark = needs_eval_data


def _summary(set_name: str) -> dict[str, Any]:
    """The scorer's summary for our predictions on every text capture of an evaluation set."""
    return scored(set_name, "text")


def _assert_above_floors(summary: dict[str, Any], floors: dict[str, float]) -> None:
    measured = {"f1": summary["f1"], "precision": summary["precision"], "recall": summary["recall"]}
    below = {name: (measured[name], floor) for name, floor in floors.items() if measured[name] < floor}
    assert not below, f"below the floor (measured, floor): {below}"


def test_articles_text_body_f1() -> None:
    _assert_above_floors(_summary("articles"), FLOORS["articles"])


@pytest.mark.slow
def test_wcxb_dev_text_body_f1() -> None:
    _assert_above_floors(_summary("wcxb-dev"), FLOORS["wcxb-dev"])
