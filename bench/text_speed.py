"""Text cleaner speed: process (CPU) time of ``clean()`` over every text capture, min of rounds.

python bench/text_speed.py --rounds 5
python bench/text_speed.py --profile 30     # cProfile one round, top 30 by own time
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.eval import CAPTURED_AT, eval_pages  # noqa: E402
from cleaners import clean, default_profiles  # noqa: E402
from cleaners.text import _MATCHERS  # noqa: E402
from schemas.records import Capture  # noqa: E402


def load(set_name: str) -> list[Capture]:
    """The set's text captures as Capture values (built outside the timed loop)."""
    return [
        Capture(raw=raw, format="text", source=row["id"], captured_at=CAPTURED_AT, url=row.get("url"))
        for row, raw in eval_pages(set_name, "text")
    ]


def one_round(captures: list[Capture]) -> float:
    """CPU seconds to clean every capture once, its lines' rule results not yet remembered."""
    profiles = default_profiles()
    for _, _, matcher in _MATCHERS.values():
        matcher.forget_lines()
    started = time.process_time()
    for capture in captures:
        clean(capture, profiles)
    return time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--profile", type=int, metavar="N", help="cProfile one round over both sets; print top N")
    parser.add_argument("--sort", default="tottime")
    args = parser.parse_args()
    sets = {name: load(name) for name in ("articles", "wcxb-dev")}
    # The first round warms up tables, profiles and the rule alternations a long run compiles once
    # (a bounded set); it is printed too, so that a cost paid on every unseen page cannot hide
    # there unnoticed (it also holds one-time start-up: loading profiles, models, matchers).
    first = {name: one_round(captures) for name, captures in sets.items()}
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for captures in sets.values():
            one_round(captures)
        profiler.disable()
        pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.profile)
        return
    for name, captures in sets.items():
        best = min(one_round(captures) for _ in range(args.rounds))
        print(
            f"{name:>9}: {len(captures) / best:7.1f} captures/s (CPU, min of {args.rounds} rounds;"
            f" first round {len(captures) / first[name]:.1f})"
        )


if __name__ == "__main__":
    main()
