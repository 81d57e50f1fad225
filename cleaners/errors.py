"""The one exception the cleaners raise internally; ``clean`` turns it into a Quarantined value.

Rejected            a capture that cannot be cleaned: stage + reason code + detail
"""

from __future__ import annotations


class Rejected(Exception):
    """A capture that cannot become an article. Never escapes ``cleaners.clean``."""

    def __init__(self, stage: str, reason: str, detail: str) -> None:
        super().__init__(f"{stage}/{reason}: {detail}")
        self.stage = stage
        self.reason = reason
        self.detail = detail
