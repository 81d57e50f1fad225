"""What a cleaning worker runs: a batch of captures in, records out (no pyarrow, no Prefect).

Worker processes import this module, not the runner: the runner's archive writer pulls in
pyarrow (about 100 MB resident), which a worker never needs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from cleaners.modes import DEFAULT_MODE, ExtractionMode
from schemas.fingerprint import simhash
from schemas.records import ArticleRecord, Capture, Quarantined

if TYPE_CHECKING:
    from cleaners.profiles import ProfileSet

#: Captures per Prefect task (and per worker call) unless a command says otherwise.
DEFAULT_BATCH_SIZE = 200
CleanResult = ArticleRecord | Quarantined
BatchCleaner = Callable[[list[Capture]], list[CleanResult]]


def clean_one(capture: Capture, profiles: ProfileSet, mode: ExtractionMode = DEFAULT_MODE) -> CleanResult:
    """Clean one capture; a bug in a cleaner quarantines that capture instead of the batch."""
    from cleaners.core import clean  # loaded where cleaning runs: a worker, or this process

    try:
        return clean(capture, profiles, mode)
    except Exception as exc:  # noqa: BLE001 - the documented quarantine path for cleaner bugs
        return Quarantined(capture, "clean", "cleaner_error", f"{type(exc).__name__}: {exc}")


def fingerprinted(result: CleanResult) -> CleanResult:
    """The result with its body's SimHash, computed where the cleaning ran (a worker)."""
    return replace(result, simhash=simhash(result.body)) if isinstance(result, ArticleRecord) else result


def paired(
    to_clean: list[Capture], rejected: list[Quarantined], results: list[CleanResult]
) -> list[tuple[Capture, CleanResult]]:
    """A batch's (capture, result) pairs: read-time rejections as they are, then each cleaned
    capture with its result."""
    pairs: list[tuple[Capture, CleanResult]] = [(q.capture, q) for q in rejected]
    pairs.extend(zip(to_clean, results, strict=True))
    return pairs


def clean_batch(captures: list[Capture], mode: ExtractionMode = DEFAULT_MODE) -> list[CleanResult]:
    """Clean and fingerprint a batch in this process (also what worker processes run)."""
    from cleaners.profiles import default_profiles

    profiles = default_profiles()
    return [fingerprinted(clean_one(capture, profiles, mode)) for capture in captures]
