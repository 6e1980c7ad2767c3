"""Training-institute material (台灣金融研訓院, TABF): handouts, 《台灣銀行家》, books, past papers.

TABF is a foundation, not an agency: every file needs a written licence, so the only input is a
manifest CSV (see :mod:`sources.manifest`); typical ids are ``LicenseRef-Written-Agreement``
(with ``agreement_id`` and ``audience``) or ``LicenseRef-TABF-Agreement-<yyyy>`` once the licence
catalogue lists it. Default deny: no row, no record.
"""

from __future__ import annotations

from typing import ClassVar

from sources.manifest import ManifestSource

__all__ = ["TabfSource"]


class TabfSource(ManifestSource):
    """TABF material listed in a manifest CSV."""

    name: ClassVar[str] = "tabf"
    kind: ClassVar[str] = "training-material"
    title: ClassVar[str] = "台灣金融研訓院 training material"
