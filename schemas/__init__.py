"""The archive's contract: Arrow schemas, record types, and the Parquet reader and writer."""

from schemas.arrow import ARTICLES_SCHEMA, QUARANTINE_SCHEMA, schema_version
from schemas.records import ArticleRecord, Capture, Quarantined

__all__ = ["ARTICLES_SCHEMA", "QUARANTINE_SCHEMA", "ArticleRecord", "Capture", "Quarantined", "schema_version"]
