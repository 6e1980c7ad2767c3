"""Errors of the provenance layer."""

from __future__ import annotations

from curate.errors import WorkbenchError


class LicenceError(WorkbenchError):
    """A licence id is unknown or a licence forbids what was asked."""

    def __init__(self, licence_id: str | None, message: str) -> None:
        super().__init__(f"licence `{licence_id}`: {message}")
        self.licence_id = licence_id


class LedgerError(WorkbenchError):
    """The provenance ledger is broken or was written wrongly."""
