"""The archive's contract: Arrow schemas, record types, and the Parquet reader and writer.

Importing the package is cheap: pyarrow (about 100 MB resident) loads on first use of the schemas
or the archive, so a cleaning worker, which only needs the record types, never loads it.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from schemas.arrow import ARTICLES_SCHEMA, QUARANTINE_SCHEMA, schema_version
    from schemas.records import ArticleRecord, Capture, Quarantined

_LAZY = {
    "ARTICLES_SCHEMA": "schemas.arrow",
    "QUARANTINE_SCHEMA": "schemas.arrow",
    "schema_version": "schemas.arrow",
    "ArticleRecord": "schemas.records",
    "Capture": "schemas.records",
    "Quarantined": "schemas.records",
}

__all__ = ["ARTICLES_SCHEMA", "QUARANTINE_SCHEMA", "ArticleRecord", "Capture", "Quarantined", "schema_version"]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'schemas' has no attribute {name!r}")
