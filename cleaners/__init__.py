"""Pure cleaning and extraction: ``clean(capture)`` turns a raw capture into an article record.

Nothing in this package touches files, the network or Prefect. Importing the package is cheap:
the extractors (trafilatura, lxml …, about 120 MB) load on first use of ``clean`` or the
profiles, so a process that only orchestrates, like a backfill's parent, never loads them.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from cleaners._version import __version__

CLEANER_VERSION = __version__

if TYPE_CHECKING:
    from cleaners.core import clean
    from cleaners.profiles import ProfileSet, default_profiles, load_profiles_from

_LAZY = {
    "clean": "cleaners.core",
    "ProfileSet": "cleaners.profiles",
    "default_profiles": "cleaners.profiles",
    "load_profiles_from": "cleaners.profiles",
}

__all__ = ["CLEANER_VERSION", "ProfileSet", "__version__", "clean", "default_profiles", "load_profiles_from"]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'cleaners' has no attribute {name!r}")
