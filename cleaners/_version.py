"""The package version, stamped on every archived row as ``cleaner_version``."""

__version__ = "0.1.0"
