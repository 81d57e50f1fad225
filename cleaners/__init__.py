"""Pure cleaning and extraction: ``clean(capture)`` turns a raw capture into an article record.

Nothing in this package touches files, the network or Prefect.
"""

from cleaners._version import __version__
from cleaners.core import CLEANER_VERSION, clean
from cleaners.profiles import ProfileSet, default_profiles, load_profiles_from

__all__ = ["CLEANER_VERSION", "ProfileSet", "__version__", "clean", "default_profiles", "load_profiles_from"]
