"""Golden test: the seed capture, archived, matches the person-written expectation field by field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flows.runner import archive_captures
from schemas.archive import read_table

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SEED = SEEDS / "000_9ab81f779ecb6436.txt"
EXPECTED = json.loads((SEEDS / "000_9ab81f779ecb6436.expected.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def archived_seed(tmp_path_factory: pytest.TempPathFactory) -> dict:
    archive = tmp_path_factory.mktemp("archive")
    report = archive_captures([SEED], archive)
    assert (report.seen, report.archived) == (1, 1)
    rows = read_table(archive).to_pylist()
    assert len(rows) == 1
    return rows[0]


def test_body_is_the_labelled_paragraphs_in_order(archived_seed: dict) -> None:
    assert archived_seed["body"].split("\n\n") == EXPECTED["paragraphs"]


@pytest.mark.parametrize("field", ["title", "authors", "credits", "byline", "publisher", "language", "published_at"])
def test_metadata_field_matches_label(archived_seed: dict, field: str) -> None:
    assert archived_seed[field] == EXPECTED[field]


def test_every_removed_line_is_out_of_the_body(archived_seed: dict) -> None:
    body_lines = set(archived_seed["body"].split("\n\n"))
    for removed in EXPECTED["removed_lines"].values():
        assert removed["text"] not in body_lines


def test_word_count_and_ids(archived_seed: dict) -> None:
    assert archived_seed["word_count"] == sum(len(p.split()) for p in EXPECTED["paragraphs"])
    assert archived_seed["capture_format"] == "text"
    assert len(archived_seed["capture_id"]) == 64
    assert archived_seed["article_id"] != archived_seed["capture_id"]
