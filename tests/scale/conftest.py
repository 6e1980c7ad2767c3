"""Shared by the scale tests: the synthetic law dump generator (``law_gen``), and every file the set-based law.moj
ingest can read sent through it (by default files under 1 MiB take the Python path, which is faster there; these
tests compare the two paths on small files)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def law_gen():
    """The synthetic law dump generator, ``bench/gen_law_dump.py``, as a module (bench/ is not a package)."""
    spec = importlib.util.spec_from_file_location("gen_law_dump", ROOT / "bench" / "gen_law_dump.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(autouse=True)
def _sql_path_for_small_files(monkeypatch):
    monkeypatch.setenv("CURATE_INGEST_BULK_MIN_BYTES", "0")
