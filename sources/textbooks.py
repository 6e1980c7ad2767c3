"""University textbooks (authors'/publishers' works, or OCW under CC BY-NC-SA).

Only files listed in a manifest CSV with a known licence id are ingested (see
:mod:`sources.manifest`); publisher contracts use ``LicenseRef-Written-Agreement`` with an
``agreement_id``. Split by chapter/section where the file has structure, else by page.
"""

from __future__ import annotations

from typing import ClassVar

from sources.manifest import ManifestSource

__all__ = ["TextbooksSource"]


class TextbooksSource(ManifestSource):
    """Textbooks listed in a manifest CSV."""

    name: ClassVar[str] = "textbooks"
    kind: ClassVar[str] = "textbook"
    title: ClassVar[str] = "university textbooks"
