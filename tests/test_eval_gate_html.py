"""Evaluation gate for HTML captures: the official scorer's figures must stay above the floors.

Floors live in ``tests/eval_floors.toml`` under ``[html]``. The quick gates score a fixed sixth
of the ``articles`` pages in each extraction mode; the full ``articles`` and ``wcxb-dev`` runs
(best mode, and fast mode's body F1) are marked slow.
"""

from __future__ import annotations

from typing import Any

import pytest
from eval_support import FLOORS as ALL_FLOORS
from eval_support import needs_eval_data, scored

FLOORS = ALL_FLOORS["html"]
pytestmark = needs_eval_data


def _summary(set_name: str, every: int = 1, extraction: str = "best") -> dict[str, Any]:
    """The scorer's summary for our HTML predictions on every ``every``-th page of a set."""
    return scored(set_name, "html", every, extraction)


def test_articles_subset_body_f1() -> None:
    summary = _summary("articles", every=6)
    assert summary["f1"] >= FLOORS["articles_subset_f1"], summary


def test_articles_subset_body_f1_fast_mode() -> None:
    summary = _summary("articles", every=6, extraction="fast")
    assert summary["f1"] >= FLOORS["articles_subset_fast_f1"], summary


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


@pytest.mark.slow
def test_fast_mode_body_f1_on_both_sets() -> None:
    articles, wcxb = _summary("articles", extraction="fast"), _summary("wcxb-dev", extraction="fast")
    assert articles["f1"] >= FLOORS["fast_articles_f1"], articles
    assert wcxb["f1"] >= FLOORS["fast_wcxb_f1"], wcxb
