"""Errors raised by ingestors."""

from __future__ import annotations

from provenance.errors import WorkbenchError


class SourceError(WorkbenchError):
    """An input could not be read; says which source and where."""

    def __init__(self, source: str, locator: str, message: str) -> None:
        super().__init__(f"source `{source}` at `{locator}`: {message}")
        self.source = source
        self.locator = locator
        self.reason = message
