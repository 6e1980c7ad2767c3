"""Licences, the hash-chained provenance ledger, licence-gated export, withdrawal and audit queries."""

from __future__ import annotations

from provenance.errors import LedgerError, LicenceError
from provenance.licences import (
    Catalogue,
    Grant,
    Licence,
    Terms,
    UseDecision,
    check_catalogue,
    check_use,
    combine,
    default_catalogue,
    load_catalogue,
    permissiveness,
)

__all__ = [
    "Catalogue",
    "Grant",
    "LedgerError",
    "Licence",
    "LicenceError",
    "Terms",
    "UseDecision",
    "check_catalogue",
    "check_use",
    "combine",
    "default_catalogue",
    "load_catalogue",
    "permissiveness",
]
