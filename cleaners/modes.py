"""Extraction modes (the speed/quality trade-off of HTML cleaning) and the version they stamp."""

from __future__ import annotations

from typing import Literal

from cleaners._version import __version__

#: ``best``: two trafilatura passes (default and precision), a screened readability second
#: opinion, htmldate always consulted, trafilatura's author heuristics as a last resort — about
#: 3x the CPU of a bare ``trafilatura.extract``. ``fast``: one trafilatura pass in its own fast
#: mode, htmldate only when the metadata has no date (and then over the markup, not the free text),
#: no second opinions — for throughput-bound
#: backfills; ``reprocess`` can upgrade its rows later. docs/performance.md has both modes' figures.
ExtractionMode = Literal["best", "fast"]
EXTRACTION_MODES: tuple[ExtractionMode, ...] = ("best", "fast")
DEFAULT_MODE: ExtractionMode = "best"


def cleaner_version(mode: ExtractionMode = DEFAULT_MODE) -> str:
    """The version stamped on rows: the package version, with ``+fast`` for the fast mode."""
    if mode not in EXTRACTION_MODES:
        raise ValueError(f"extraction mode must be one of {EXTRACTION_MODES}, got {mode!r}")
    return __version__ if mode == DEFAULT_MODE else f"{__version__}+{mode}"
