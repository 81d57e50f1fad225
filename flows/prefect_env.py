"""Prefect settings article-archive applies before Prefect is imported (user settings win).

Measured here (docs/performance.md): on a fresh ``PREFECT_HOME`` the ephemeral server can take
longer than Prefect's 20 s start-up timeout, offline telemetry look-ups log errors, and
per-task INFO logs cost time on big runs. These defaults fix that without asking the user to
configure anything; any of them set in the environment or a Prefect profile is left alone.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

PREFECT_DEFAULTS: Mapping[str, str] = {
    # A fresh PREFECT_HOME migrates its database first: 20 s was not always enough.
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
    # No telemetry: offline it only logs look-up errors (and "database is locked" tracebacks).
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    # Plain-function calls outside a flow should not try to log to the API.
    "PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW": "ignore",
    # One line per task run is noise on a run of hundreds of batches.
    "PREFECT_LOGGING_LOGGERS_PREFECT_TASK_RUNS_LEVEL": "WARNING",
    # Many task runs load the server; batching its writes cut its CPU about 3x.
    "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_BATCH_SIZE": "100",
    "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_READ_BATCH_SIZE": "100",
}


def apply_prefect_defaults(environ: dict[str, str] | None = None) -> None:
    """Set each default that the user has not set (call before ``import prefect``)."""
    target = os.environ if environ is None else environ
    for key, value in PREFECT_DEFAULTS.items():
        target.setdefault(key, value)
