"""Fixtures of the ingestor tests: file builders of every format, a CJK font check, a driver-like collector.

Works in pytest's importlib mode: ``builders.py`` is loaded by path, tests import nothing local.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest


def _load_builders():
    name = "curate_test_builders"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("builders.py"))
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


@pytest.fixture(scope="session")
def build():
    """The builders module (make_pdf, make_docx, make_epub, make_image_pdf, make_zip_bomb_epub)."""
    return _load_builders()


@pytest.fixture(scope="session")
def cjk_font():
    path = _load_builders().cjk_font_path()
    if path is None:
        pytest.skip("no CJK font; apt-get install fonts-arphic-uming (or fonts-noto-cjk)")
    return path


def _collect(source):
    from sources.base import RawItem, Record, Rejection, Skip

    records, rejections, skips = [], [], []
    for item in source.iter_raw():
        outs = source.to_records(item) if isinstance(item, RawItem) else [item]
        for out in outs:
            if isinstance(out, Record):
                records.append(out)
            elif isinstance(out, Rejection):
                rejections.append(out)
            elif isinstance(out, Skip):
                skips.append(out)
    return records, rejections, skips


@pytest.fixture(scope="session")
def collect():
    """Run a source like the ingest driver does: returns (records, rejections, skips)."""
    return _collect


@pytest.fixture
def books(tmp_path: Path) -> Path:
    """Two plain-text textbook chapters (the licence and manifest tests' ``books`` folder)."""
    d = tmp_path / "books"
    d.mkdir()
    (d / "deposit.txt").write_text("第一章 存款\n銀行應依法辦理存款業務並保障存款人權益。\n", encoding="utf-8")
    (d / "loans.txt").write_text("第二章 放款\n放款應審慎評估借款人之信用狀況。\n", encoding="utf-8")
    return d
