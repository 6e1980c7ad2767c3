"""Licence catalogue (schemas/licences/catalogue.toml) and licence decisions.

Placeholder API fixed by the foundation; the full catalogue, validation and checks are built
by the licence issue. Other modules rely on these names.
"""

from __future__ import annotations

#: provisional order, most permissive first (replaced by the catalogue's own ranking)
_RANK = {
    "CC0-1.0": 100,
    "LicenseRef-TW-Copyright-Art9": 95,
    "OGDL-Taiwan-1.0": 90,
    "CC-BY-4.0": 85,
    "CC-BY-SA-4.0": 70,
    "CC-BY-NC-4.0": 50,
    "LicenseRef-MODA-AI-Training": 30,
    "LicenseRef-Written-Agreement": 20,
}


def permissiveness(licence_id: str | None) -> int:
    """Higher = more permissive; unknown or missing licences rank lowest (0).

    >>> permissiveness("CC0-1.0") > permissiveness("CC-BY-NC-4.0") > permissiveness(None)
    True
    """
    return _RANK.get(licence_id or "", 0)
