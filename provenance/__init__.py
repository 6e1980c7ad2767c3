"""Licences, the hash-chained provenance ledger, licence-gated export, withdrawal and audit queries."""

from __future__ import annotations

from provenance._selection import is_deleted_stub
from provenance.errors import LedgerError, LicenceError
from provenance.licences import (
    Grant,
    Licence,
    LicenceCatalogue,
    Terms,
    UseDecision,
    check_licence_catalogue,
    check_use,
    combine,
    default_licence_catalogue,
    load_licence_catalogue,
    permissiveness,
)

# Deprecated names of the licence catalogue API (before "catalogue" meant only the DuckDB database);
# kept because this ``__all__`` is public. New code uses the ``*licence_catalogue*`` names.
Catalogue = LicenceCatalogue
check_catalogue = check_licence_catalogue
default_catalogue = default_licence_catalogue
load_catalogue = load_licence_catalogue

__all__ = [
    "Catalogue",
    "Grant",
    "LedgerError",
    "Licence",
    "LicenceCatalogue",
    "LicenceError",
    "Terms",
    "UseDecision",
    "check_catalogue",
    "check_licence_catalogue",
    "check_use",
    "combine",
    "default_catalogue",
    "default_licence_catalogue",
    "is_deleted_stub",
    "load_catalogue",
    "load_licence_catalogue",
    "permissiveness",
]
