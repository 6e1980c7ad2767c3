"""The scale tests compare the set-based law.moj ingest with the Python path on small files: let every file the
SQL path can read go through it (by default files under 1 MiB take the Python path, which is faster there)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _sql_path_for_small_files(monkeypatch):
    monkeypatch.setenv("CURATE_INGEST_BULK_MIN_BYTES", "0")
