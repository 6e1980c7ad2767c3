"""Licences, the hash-chained provenance ledger, licence-gated export, withdrawal and audit queries."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from provenance._selection import is_blank_text, is_deleted_stub
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

#: exported name -> (module, name there); imported on first use, so that ``provenance.errors`` (which
#: every command imports) does not import DuckDB and the licence engine with it
_EXPORTS: dict[str, tuple[str, str]] = {
    "is_blank_text": ("provenance._selection", "is_blank_text"),
    "is_deleted_stub": ("provenance._selection", "is_deleted_stub"),
    "LedgerError": ("provenance.errors", "LedgerError"),
    "LicenceError": ("provenance.errors", "LicenceError"),
    **{
        n: ("provenance.licences", n)
        for n in (
            "Grant",
            "Licence",
            "LicenceCatalogue",
            "Terms",
            "UseDecision",
            "check_licence_catalogue",
            "check_use",
            "combine",
            "default_licence_catalogue",
            "load_licence_catalogue",
            "permissiveness",
        )
    },
    # Deprecated names of the licence catalogue API (before "catalogue" meant only the DuckDB database);
    # kept because this ``__all__`` is public. New code uses the ``*licence_catalogue*`` names.
    "Catalogue": ("provenance.licences", "LicenceCatalogue"),
    "check_catalogue": ("provenance.licences", "check_licence_catalogue"),
    "default_catalogue": ("provenance.licences", "default_licence_catalogue"),
    "load_catalogue": ("provenance.licences", "load_licence_catalogue"),
}


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, attr = _EXPORTS[name]
    value = getattr(importlib.import_module(module), attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})


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
    "is_blank_text",
    "is_deleted_stub",
    "load_catalogue",
    "load_licence_catalogue",
    "permissiveness",
]
